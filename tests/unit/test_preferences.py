"""config.toml: keys, theme, window and store of one's own; every fault one `file:line: field: problem` line."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding

from trialstack_tui import cli
from trialstack_tui.config import resolve_store
from trialstack_tui.preferences import PreferencesError, default_config_path, load_preferences
from trialstack_tui.tui.keys import binding_ids, check_preferences


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def fault(path: Path) -> str:
    with pytest.raises(PreferencesError) as caught:
        check_preferences(load_preferences(path))
    return str(caught.value)


def test_a_good_file_gives_keymap_theme_window_and_store(tmp_path) -> None:
    path = write(tmp_path, 'theme = "textual-light"\nwindow = 90\nstore = "reviews/usage.db"\n\n'
                           '[keys]\nrow-down = "n"\nhelp = "?,f1"\n')
    prefs = load_preferences(path)
    assert prefs.window == 90
    assert prefs.store == str(tmp_path / "reviews" / "usage.db")  # relative to the config file's folder
    tui = check_preferences(prefs)
    assert tui.theme == "textual-light"
    assert tui.keymap == {"row-down": "n", "help": "question_mark,f1"}


def test_the_default_file_lives_in_the_user_config_dir_and_may_be_absent(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert default_config_path() == tmp_path / "cfg" / "trialstack-tui" / "config.toml"
    assert load_preferences().path is None
    default_config_path().parent.mkdir(parents=True)
    default_config_path().write_text('window = 7\n')
    assert load_preferences().window == 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('theme = "textual-light"\n[keys]\nrow-down = "n"\nquitt = "x"\n',
         ":4: keys.quitt: unknown binding id 'quitt' (did you mean 'quit'?"),
        ('[keys]\nrow-down = "n"\n\ncopy-row = "m"\n',
         ":4: keys.copy-row: key 'm' is used twice: also by mark (Quick summary)"),
        ('[keys]\nmark = "j"\n', ":2: keys.mark: key 'j' is used twice: also by row-down"),
        ('theme = "textual-light"\n[keys\nrow-down = "n"\n', ":2: toml: Expected ']' at the end of a table"),
        ('theme = "textual-light"\nwindow = \n', ":2: toml: Invalid value (column 10)"),
        ('\n\ntheme = "no-such-theme"\n', ":3: theme: unknown theme 'no-such-theme'"),
        ('window = 14\n', ":1: window: expected one of 7, 30, 90, got 14"),
        ('windw = 7\n', ":1: windw: unknown setting (known: theme, window, store, keys)"),
        ('[keys]\nrow-down = "crtl+n"\n', ":2: keys.row-down: 'crtl+n' is not a key Textual knows"),
        ('[keys]\nrow-down = ""\n', ":2: keys.row-down: expected keys in quotes"),
        ('keys = "n"\n', ":1: keys: expected a table"),
    ],
)
def test_each_fault_names_file_line_and_problem(tmp_path, text, expected) -> None:
    path = write(tmp_path, text)
    message = fault(path)
    assert message.startswith(f"{path}{expected}"), message
    assert "\n" not in message


def test_swapping_two_keys_is_not_a_clash(tmp_path) -> None:
    tui = check_preferences(load_preferences(write(tmp_path, '[keys]\nrow-down = "k"\nrow-up = "j"\n')))
    assert tui.keymap == {"row-down": "k", "row-up": "j"}


def test_a_missing_config_flag_file_is_an_error_but_a_missing_default_is_not(tmp_path) -> None:
    with pytest.raises(PreferencesError, match=r"nope\.toml: config: no such file$"):
        load_preferences(tmp_path / "nope.toml")


def test_every_binding_the_program_declares_has_an_id_the_config_can_name() -> None:
    declared = []
    package = importlib.import_module("trialstack_tui.tui")
    for info in pkgutil.walk_packages(package.__path__, "trialstack_tui.tui."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if isinstance(cls, type) and cls.__module__ == info.name:
                declared += [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    assert len(declared) > 25  # the probe found the app's, screens', tables' and dialogs' bindings
    assert [b for b in declared if not b.id] == []
    assert {b.id for b in declared} == set(binding_ids())  # every id is reachable from some screen


def test_store_precedence_flag_then_env_then_config(tmp_path, monkeypatch) -> None:
    configured = str(tmp_path / "configured.db")
    assert resolve_store(None, configured).path == Path(configured)
    monkeypatch.setenv("TRIALSTACK_DB", str(tmp_path / "env.db"))
    assert resolve_store(None, configured).path == tmp_path / "env.db"
    assert resolve_store(str(tmp_path / "flag.db"), configured).path == tmp_path / "flag.db"


def test_the_command_reads_the_store_from_the_config(tmp_path, sample_db, capsys) -> None:
    path = write(tmp_path, f'store = "{sample_db}"\n')
    assert cli.main(["summary", "--json", "--config", str(path)]) == 0
    assert '"as_of": "2026-11-20"' in capsys.readouterr().out


def test_a_bad_file_ends_the_tui_with_one_line_and_status_2(tmp_path, capsys) -> None:
    path = write(tmp_path, '[keys]\nquitt = "x"\n')
    assert cli.main(["--config", str(path), "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"trialstack-tui: {path}:2: keys.quitt: unknown binding id")
    assert not (tmp_path / "x.db").exists()  # nothing was opened
