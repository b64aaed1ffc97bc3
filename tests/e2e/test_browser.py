"""`trialstack-tui serve` in a real browser: Debian's Chromium, headless, driven by Playwright.

Nothing is downloaded at run time: Playwright drives the system browser (`executable_path`), and every request
that is not to the app's own server (textual-serve's page asks for a web font) is refused.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from trialstack_tui.config import resolve_store
from trialstack_tui.review import Review
from trialstack_tui.store import Store

COMMAND = Path(sys.executable).with_name("trialstack-tui")
WAIT_MS = 30_000  # every wait in the browser is bounded by this

# xterm.js draws on a canvas, whose text a test cannot read; without a canvas it falls back to its DOM
# renderer, which shows the same cells as text in `.xterm-rows`.
DOM_RENDERER = "HTMLCanvasElement.prototype.getContext = function () { return null; };"
SCREEN_TEXT = "() => (document.querySelector('.xterm-rows') || {}).innerText || ''"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(sample_db: Path, tmp_path: Path) -> Iterator[str]:
    """`trialstack-tui serve` on a free port of 127.0.0.1; yields its URL and stops it afterwards."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [str(COMMAND), "serve", "--port", str(port), "--db", str(sample_db)],
        stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "serve did not start listening within 20 s"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def wait_for_text(page: Page, text: str) -> None:
    page.wait_for_function(f"(t) => ({SCREEN_TEXT})().includes(t)", arg=text, timeout=WAIT_MS)


@pytest.mark.e2e
def test_serve_shows_the_summary_and_j_enter_opens_the_org_in_chromium(served: str, sample_db: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed for the browser test (.ci/run installs it)"
    with Store(resolve_store(str(sample_db)), read_only=True) as store:
        orgs = Review(store).summary(days=30).orgs
    first, second = orgs[0].org.name, orgs[1].org.name

    with sync_playwright() as playwright:
        # --no-sandbox: Chromium's sandbox refuses to start as root, which CI is.
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 800, "height": 480})  # about 80×24 cells
            page.set_default_timeout(WAIT_MS)
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served)
                       else route.abort())
            page.add_init_script(DOM_RENDERER)
            page.goto(served)
            wait_for_text(page, "Quick summary")
            wait_for_text(page, second)
            assert first in page.evaluate(SCREEN_TEXT)
            page.locator(".xterm-helper-textarea").focus()
            page.keyboard.press("j")
            page.keyboard.press("Enter")
            wait_for_text(page, f"Org: {second}")
        finally:
            browser.close()
