"""Keys of one's own: check a config's `[keys]` and `theme` against the app's bindings and Textual's themes.

Every binding the program declares has an id; `[keys]` maps ids to keys and becomes the app's Textual keymap
(`App.set_keymap`), so the footer and help show the keys in force. A key is "used twice" when, on some screen,
it would reach two different bindings at once that the defaults keep apart (Textual would run one and silently
drop the other).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import Keys, _get_unicode_name_from_key, _normalize_key_list
from textual.theme import BUILTIN_THEMES

from ..preferences import Preferences
from .app import TrialStackApp
from .screens.billing import BillingScreen
from .screens.followups import FollowUpsScreen
from .screens.help import HelpScreen
from .screens.org import OrgScreen
from .screens.rollout import RolloutScreen
from .screens.summary import SummaryScreen
from .screens.workflow import WorkflowScreen
from .widgets.dialogs import AsOfDialog, ConfirmDialog, MarkDialog, TextDialog
from .widgets.filter_bar import FilterBar
from .widgets.tables import ReviewTable
from .widgets.tabs import keys_in_force

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(k.value for k in Keys)


@dataclass(frozen=True)
class TuiPreferences:
    """What the app applies: a checked keymap (normalised key names) and a theme (None: Textual's default)."""

    keymap: dict[str, str]
    theme: str | None = None


def _bindings(*classes: type) -> list[Binding]:
    """Every binding declared on the classes and their bases (Textual's built-in ones included)."""
    found: list[Binding] = []
    for cls in classes:
        for klass in cls.__mro__:
            found.extend(b for b in klass.__dict__.get("BINDINGS", []) if isinstance(b, Binding))
    return found


def binding_scopes() -> dict[str, list[Binding]]:
    """The bindings that can be reached together, by where: each review screen, the filter bar, each dialog.

    A modal screen cuts the app's bindings off (Textual's modal binding chain) except the priority ones.
    """
    app = _bindings(TrialStackApp)
    priority = [b for b in app if b.priority]
    scopes: dict[str, list[Binding]] = {}
    for screen in (SummaryScreen, OrgScreen, WorkflowScreen, RolloutScreen, BillingScreen, FollowUpsScreen):
        scopes[screen.SCREEN_TITLE] = _bindings(ReviewTable, screen) + app
        scopes[f"{screen.SCREEN_TITLE} filter"] = _bindings(FilterBar, screen) + app
    for modal in (HelpScreen, MarkDialog, AsOfDialog, TextDialog, ConfirmDialog):
        scopes[modal.__name__] = _bindings(modal) + priority
    return scopes


def binding_ids() -> dict[str, str]:
    """Every binding id the program declares → its description (for messages and the README)."""
    ids: dict[str, str] = {}
    for bindings in binding_scopes().values():
        for b in bindings:
            if b.id:
                ids.setdefault(b.id, b.description or b.action)
    return ids


def is_known_key(key: str) -> bool:
    """A key Textual can deliver: modifiers, then one character or a named key (f5, escape, question_mark)."""
    *modifiers, base = key.split("+")
    if not base or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(base) == 1 or base in _NAMED_KEYS:
        return True
    try:
        unicodedata.lookup(_get_unicode_name_from_key(base))
    except KeyError:
        return False
    return True


def _owners(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> dict[str, set[str]]:
    """key → the bindings (by id, else action) it reaches in one scope."""
    owners: dict[str, set[str]] = {}
    for b in bindings:
        for key in _normalize_key_list(",".join(keys_in_force(b, keymap))).split(","):
            owners.setdefault(key, set()).add(b.id or b.action)
    return owners


def check_preferences(prefs: Preferences) -> TuiPreferences:
    """The keymap and theme of `prefs`, checked; raises PreferencesError at the line of the first fault."""
    known = binding_ids()
    keymap: dict[str, str] = {}
    for binding_id, keystring in prefs.keys.items():
        name = f"keys.{binding_id}"
        if binding_id not in known:
            near = difflib.get_close_matches(binding_id, known, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise prefs.fault(name, f"unknown binding id {binding_id!r} ({hint}the README lists every id)")
        keys = _normalize_key_list(keystring).split(",")
        for key in keys:
            if not is_known_key(key):
                raise prefs.fault(name, f"{key!r} is not a key Textual knows (examples: j, ctrl+n, f5, escape)")
        keymap[binding_id] = ",".join(keys)
    for scope, bindings in binding_scopes().items():
        before = _owners(bindings, {})
        for key, owners in sorted(_owners(bindings, keymap).items()):
            ours = sorted(o for o in owners if o in keymap)
            if len(owners) > 1 and ours and owners != before.get(key):
                others = ", ".join(sorted(owners - {ours[0]}))
                raise prefs.fault(f"keys.{ours[0]}", f"key {key!r} is used twice: also by {others} ({scope})")
    if prefs.theme is not None and prefs.theme not in BUILTIN_THEMES:
        raise prefs.fault("theme", f"unknown theme {prefs.theme!r} (known: {', '.join(sorted(BUILTIN_THEMES))})")
    return TuiPreferences(keymap=keymap, theme=prefs.theme)

