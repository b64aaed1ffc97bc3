"""The screens' footer: Textual's, recomposed only when the keys it shows have changed."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer recomposes itself on every bindings signal of its screen: each focus change, each
    refresh of the bindings, one recompose after another. An org screen sends four or five in the 150 ms after
    it opens (its table takes focus, the loading indicator gives it back, the focus settles), and each one
    mounts the footer's keys again and lays out and paints the whole screen: frames that a key pressed then
    waits behind. This one recomposes once for a burst of signals, and only if what it shows differs."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._pending = False
        self._shown: tuple | None = None  # the keys of the last compose

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def _recompose_if_changed(self):
        self._pending = False
        if not self.is_attached:
            return None  # its screen closed in the meantime
        shown = self._keys_shown()
        if shown == self._shown:
            return None
        self._shown = shown
        return self.recompose()

    def _keys_shown(self) -> tuple:
        """Everything of the screen's active bindings that `Footer.compose` reads, for the keys it shows."""
        palette = self.app.COMMAND_PALETTE_BINDING if self.show_command_palette else None
        return tuple(
            (key, binding, enabled, tooltip, self.app.get_key_display(binding))
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )
