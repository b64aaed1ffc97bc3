"""The screens' footer (`KeysFooter`): always the keys Textual's own footer would show, recomposed once for a
burst of binding signals rather than once for each."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from trialstack_tui.tui.widgets.footer import KeysFooter

from .conftest import current, press, settle


def _expected(screen) -> list[tuple[str, str, bool]]:
    """The keys `Footer.compose` would show now: the shown active bindings, one per action, in order."""
    shown: dict[str, tuple[str, str, bool]] = {}
    for _node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.show:
            shown.setdefault(binding.action, (binding.key, binding.description, enabled))
    return list(shown.values())


def _shown(screen) -> list[tuple[str, str, bool]]:
    footer = screen.query_one(KeysFooter)
    return [(k.key, k.description, not k.disabled) for k in footer.query(FooterKey)]


async def test_the_footer_shows_the_keys_in_force_after_every_step(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen = []
        for keys in ((), ("tab",), ("tab",), ("enter",), ("escape",), ("f",), ("c",), ("h",), ("j", "enter")):
            await press(pilot, *keys)
            screen = current(pilot)
            assert _shown(screen) == _expected(screen), (keys, type(screen).__name__)
            seen.append(tuple(_shown(screen)))
        assert len(set(seen)) >= 3  # the steps did change what the footer shows (focus, screens)


async def test_opening_a_screen_recomposes_its_footer_once(make_app, monkeypatch) -> None:
    calls: list[KeysFooter] = []
    recompose = KeysFooter.recompose

    def counted(self):
        calls.append(self)
        return recompose(self)

    monkeypatch.setattr(KeysFooter, "recompose", counted)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for keys in (("enter",), ("escape",), ("f",), ("c",)):
            calls.clear()
            await press(pilot, *keys)
            await pilot.pause(0.2)
            footer = current(pilot).query_one(KeysFooter)
            # Textual's footer recomposed once per focus change and bindings refresh: 4-5 times on an org screen.
            assert calls.count(footer) <= 1, keys
