"""Every Textual theme, light ones included, stays readable under NO_COLOR and in a 16-colour terminal:
text stands out from its background and the highlighted row from its neighbours."""

from __future__ import annotations

import pytest
from rich.color import Color, ColorSystem, ColorType
from textual import constants
from textual.theme import BUILTIN_THEMES

from .conftest import current, settle


def wcag(a: Color, b: Color) -> float:
    def lum(c: Color) -> float:
        def ch(v: int) -> float:
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b_ = c.get_truecolor()
        return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b_)

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def shown(color: Color, mode: str) -> tuple:
    """What the terminal tells apart: a grey's value under NO_COLOR, the ANSI colour number in 16 colours."""
    return color.get_truecolor() if mode == "no_color" else (color.downgrade(ColorSystem.STANDARD).number,)


def unreadable(fg: Color, bg: Color, mode: str) -> bool:
    if ColorType.DEFAULT in (fg.type, bg.type):
        return False  # the terminal's own pair
    return wcag(fg, bg) < 4.5 if mode == "no_color" else shown(fg, mode) == shown(bg, mode)


@pytest.mark.parametrize("mode", ["no_color", "16_colours"])
async def test_every_theme_keeps_text_readable_and_the_cursor_row_visible(make_app, monkeypatch, mode) -> None:
    if mode == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.setattr(constants, "COLOR_SYSTEM", "standard")
    app = make_app()
    problems: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        names = [o.org.name for o in current(pilot).model.orgs[:3]]
        for theme in sorted(BUILTIN_THEMES):
            app.theme = theme
            await pilot.pause()
            row_backgrounds: dict[str, tuple] = {}
            for y, strip in enumerate(app.screen._compositor.render_strips()):
                for text, style, _ in strip:
                    if style is None or not any(ch.isalnum() for ch in text):
                        continue
                    fg, bg = (style.bgcolor, style.color) if style.reverse else (style.color, style.bgcolor)
                    assert fg is not None and bg is not None
                    if unreadable(fg, bg, mode):
                        problems.append(f"{theme}: line {y} {text.strip()!r}")
                    for name in names:
                        if name in text:
                            row_backgrounds[name] = shown(bg, mode)
            cursor, *others = (row_backgrounds[n] for n in names)
            if cursor in others:
                problems.append(f"{theme}: the highlighted row looks like the rows beside it")
    assert app.is_running is False and problems == []
