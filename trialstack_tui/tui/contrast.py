"""Readable text under NO_COLOR and in 16 colours, whatever the theme (light ones included).

Textual shows NO_COLOR as greys (each colour by its luminance) and a 16-colour terminal gets each colour's
nearest ANSI colour. Both can land text on its own background: a yellow flag on a light theme turns light
grey on white, a red trend on a dark one dark grey on black, a dim sub-title the ANSI colour of the header.
This filter does what Textual does, then moves any text that would be unreadable to the nearest colour that
reads; backgrounds (and so the highlighted row) keep their shade.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from rich.color import Color as RichColor
from rich.color import ColorSystem, ColorType
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

Mode = Literal["mono", "ansi16"]
MIN_CONTRAST = 4.5  # WCAG AA for text
BLACK = RichColor.from_rgb(0, 0, 0)
WHITE = RichColor.from_rgb(255, 255, 255)


def _luminance(color: RichColor) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: RichColor, b: RichColor) -> float:
    """The WCAG contrast ratio of two colours, 1 (the same) to 21 (black on white)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable(fg: RichColor, bg: RichColor, mode: Mode) -> bool:
    """Whether text in `fg` can be read on `bg` once shown in `mode`."""
    if mode == "mono":
        return contrast(fg, bg) >= MIN_CONTRAST
    return fg.downgrade(ColorSystem.STANDARD).number != bg.downgrade(ColorSystem.STANDARD).number


def _grey(color: RichColor | None) -> RichColor | None:
    """The colour's grey, as Textual's NO_COLOR shows it; an ANSI colour by its usual shade (Textual's own
    filter would make every one of them black, and the ANSI themes' highlighted row with them)."""
    if color is None or color.type == ColorType.DEFAULT:
        return color
    r, g, b = color.get_truecolor()
    grey = round(r * 0.2126 + g * 0.7152 + b * 0.0722)
    return RichColor.from_rgb(grey, grey, grey)


@lru_cache(4096)
def legible_style(style: Style, background: RichColor | None, mode: Mode, text: bool) -> Style:
    """`style` as `mode` shows it (greys for mono); for `text`, its colour made black or white if unreadable.

    Glyphs that are not text (bars, scrollbars, borders) keep their colour: a faint bar is meant to be faint.
    """
    color, bgcolor = style.color, style.bgcolor
    if mode == "mono":
        color, bgcolor, background = _grey(color), _grey(bgcolor), _grey(background)
    fg, bg = (bgcolor or background, color) if style.reverse else (color, bgcolor or background)
    if (
        text and fg is not None and bg is not None and ColorType.DEFAULT not in (fg.type, bg.type)
        and not readable(fg, bg, mode)
    ):
        fg = nearest_readable(fg, bg, mode)
        color, bgcolor = (color, fg) if style.reverse else (fg, bgcolor)
    elif mode == "ansi16":
        return style  # as it was: the terminal's own downgrade shows it
    return style + Style.from_color(color, bgcolor)


def nearest_readable(fg: RichColor, bg: RichColor, mode: Mode) -> RichColor:
    """The colour nearest `fg` that reads on `bg`: the closest grey with enough contrast (mono), or the
    closest of the 16 ANSI colours other than the background's. Faint text stays the faintest readable."""
    candidates = _GREYS if mode == "mono" else _ANSI
    r, g, b = fg.get_truecolor()
    readable_ones = [c for c in candidates if readable(c, bg, mode)]
    return min(
        readable_ones,
        key=lambda c: sum((x - y) ** 2 for x, y in zip(c.get_truecolor(), (r, g, b))),
        default=BLACK if contrast(BLACK, bg) >= contrast(WHITE, bg) else WHITE,
    )


_GREYS = [RichColor.from_rgb(v, v, v) for v in range(0, 256, 5)]
_ANSI = [RichColor.from_ansi(n) for n in range(16)]


class LegibleColors(LineFilter):
    """Textual's NO_COLOR greys ("mono") or a 16-colour terminal's colours ("ansi16"), text kept readable."""

    def __init__(self, mode: Mode) -> None:
        super().__init__()
        self.mode = mode

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        fallback = background.rich_color
        return [
            Segment(
                text,
                None if style is None else legible_style(style, fallback, self.mode, _is_text(text)),
                control,
            )
            for text, style, control in segments
        ]


_ALNUM = re.compile(r"[^\W_]")  # a letter or a digit, as str.isalnum() sees them


def _is_text(text: str) -> bool:
    return _ALNUM.search(text) is not None
