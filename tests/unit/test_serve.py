"""`trialstack-tui serve`: 127.0.0.1 unless told otherwise, a warning for any other host, one-line faults."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from trialstack_tui import cli
from trialstack_tui.serve import app_command, is_loopback

COMMAND = Path(sys.executable).with_name("trialstack-tui")


def run_serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COMMAND), "serve", *args], capture_output=True, text=True, timeout=60)


def test_a_taken_port_is_one_line_and_status_2(sample_db) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve("--port", str(port), "--db", str(sample_db))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"trialstack-tui: cannot serve on 127.0.0.1:{port}: address already in use"
    assert "Traceback" not in result.stderr


def test_another_host_is_served_only_with_a_warning(sample_db) -> None:
    # 203.0.113.7 (a documentation address) is not this machine's: nothing is bound, the warning still shows.
    result = run_serve("--host", "203.0.113.7", "--port", "8123", "--db", str(sample_db))
    lines = result.stderr.splitlines()
    assert lines[0].startswith("trialstack-tui: warning: serving on 203.0.113.7: anyone who can reach")
    assert "no login" in lines[0]
    assert result.returncode == 2 and lines[-1].startswith("trialstack-tui: cannot serve on 203.0.113.7:8123: ")


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("192.168.1.4", False), ("reviews.example.com", False),
])
def test_which_hosts_count_as_this_machine_only(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_each_browser_tab_runs_this_interpreter_with_the_tui_arguments() -> None:
    command = app_command(["--config", "/tmp/my config.toml", "--days", "7"])
    assert shlex.split(command) == [sys.executable, "-m", "trialstack_tui", "--config", "/tmp/my config.toml",
                                    "--days", "7"]


def test_a_bad_port_is_a_usage_error(capsys) -> None:
    assert cli.main(["serve", "--port", "70000"]) == 2
    assert "a port is at most 65535" in capsys.readouterr().err


def test_a_bad_config_stops_serve_before_it_listens(tmp_path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nquit = "j"\n')
    assert cli.main(["serve", "--config", str(config), "--db", str(tmp_path / "x.db")]) == 2
    assert capsys.readouterr().err.startswith(f"trialstack-tui: {config}:2: keys.quit: key 'j' is used twice")
