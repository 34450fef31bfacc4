"""The overview page in a real browser: Debian's Chromium, driven by Playwright.

`draaiboek serve` runs as a child process against the test store; the page must show two
stations' incidents, update by itself when a third event arrives, and show hostile text as text.
Skipped (visibly) without Chromium or Playwright, unless DRAAIBOEK_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from national.conftest import Store
from national.helpers import DATA, FIRST, cli, walk
from national.pgserver import free_port

pytestmark = pytest.mark.postgres

HOSTILE = "<img src=x onerror='window.pwned=1'>"
REPO = Path(__file__).resolve().parents[2]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("DRAAIBOEK_REQUIRE_POSTGRES") == "1":
        pytest.fail("Chromium is not installed (apt-get install chromium), and CI requires it")
    pytest.skip("Chromium is not installed: apt-get install chromium")


@pytest.fixture
def browser() -> Iterator[Any]:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("DRAAIBOEK_REQUIRE_POSTGRES") == "1":
            pytest.fail("playwright is not installed, and CI requires the browser test")
        pytest.skip("playwright is not installed (pip install playwright)")
    with sync_playwright() as play:
        launched = play.chromium.launch(
            executable_path=executable,
            args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield launched
        finally:
            launched.close()


def _serve(store: Store, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAAIBOEK_")}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "draaiboek",
            "serve",
            "--db",
            store.reader,
            "--port",
            str(port),
            "--runbooks",
            str(DATA),
            *extra,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "page.css", timeout=1).close()
            return proc, base
        except urllib.error.HTTPError as asked:
            asked.close()
            return proc, base  # up, but asking for a token
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(
                    proc.stderr.read().decode() if proc.stderr else "exited"
                ) from None
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("draaiboek serve did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


def test_the_page_shows_stations_updates_and_escapes(
    store: Store, tmp_path: Path, browser: Any
) -> None:
    oost, west = tmp_path / "oost" / "home", tmp_path / "west" / "home"
    assert walk(oost, "inc-oost", FIRST + f'bericht: "Bel 020-1234567 {HOSTILE}"\n')[0] == 1
    assert walk(west, "inc-west", FIRST)[0] == 1
    assert cli(oost, ["sync", "--db", store.station("oost")])[0] == 0
    assert cli(west, ["sync", "--db", store.station("west")])[0] == 0

    proc, base = _serve(store)
    try:
        # A viewer abroad still sees the desks' time: Dutch local time, 24-hour, with its zone.
        page = browser.new_page(timezone_id="America/New_York", locale="en-US")
        page.goto(base)
        page.wait_for_selector(f'article[data-station="{store.name("west")}"]')
        text = page.inner_text("body")
        with urllib.request.urlopen(base + "overview.json", timeout=5) as answer:
            stations = json.loads(answer.read())["overview"]["stations"]
        arrived = next(s for s in stations if s["name"] == store.name("west"))["last_arrival"]
        local = datetime.fromisoformat(arrived).astimezone(ZoneInfo("Europe/Amsterdam"))
        shown = local.strftime("%d-%m-%Y, %H:%M:%S ") + ("CEST" if local.dst() else "CET")
        assert shown in page.inner_text(f'article[data-station="{store.name("west")}"]')
        assert "inc-oost" in text and "inc-west" in text
        assert HOSTILE in text  # shown as text...
        assert page.evaluate("window.pwned === undefined")  # ...never run
        assert page.locator("img").count() == 0
        flagged = page.locator("#numbers tr.flagged")
        assert "020-1234567" in flagged.first.inner_text()

        before = page.inner_text(f'article[data-station="{store.name("west")}"]')
        assert "Opschalen" not in before
        walk(west, "inc-west", 'bericht: "Tweede bericht"\n')  # the third station event
        cli(west, ["sync", "--db", store.station("west")])
        page.wait_for_function(
            'name => document.querySelector(`article[data-station="${name}"]`)'
            ".innerText.includes('Opschalen')",
            arg=store.name("west"),
            timeout=15000,
        )
    finally:
        _stop(proc)


def test_a_token_is_required_when_given(store: Store) -> None:
    token = "a-long-enough-token-123"
    proc, base = _serve(store, "--token", token)
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "overview.json", timeout=5)
        assert refused.value.code == 401
        refused.value.close()
        with urllib.request.urlopen(f"{base}overview.json?token={token}", timeout=5) as ok:
            assert ok.status == 200
            assert "default-src 'none'" in ok.headers["Content-Security-Policy"]
    finally:
        _stop(proc)


def test_serving_beyond_this_machine_needs_a_token(store: Store, tmp_path: Path) -> None:
    code, out = cli(tmp_path, ["serve", "--db", store.reader, "--host", "0.0.0.0"])
    assert code == 2
    assert "--token" in out
