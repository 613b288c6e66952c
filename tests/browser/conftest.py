"""Browser tests: the app served by uvicorn in a background thread on a free local port, on a
temporary migrated SQLite database, driven by Debian's Chromium through Playwright.

Chromium comes from the system (``apt-get install chromium``), not from Playwright's own
downloads. Without it the tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from toxplan.app import create_app
from toxplan.knowledge.base import KnowledgeBase
from toxplan.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
VIEWPORT = {"width": 1024, "height": 768}


def _chromium_missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Chromium is required in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    url: str
    factory: sessionmaker[Session]
    seeded: seeding.Seeded
    kb: KnowledgeBase


@pytest.fixture
def live_server(tmp_path: Path, kb: KnowledgeBase) -> Iterator[LiveServer]:
    url = seeding.migrated_database(tmp_path / "toxplan.db")
    factory = seeding.factory_for(url)
    seeded = seeding.seed(factory, kb, now=dt.datetime.now(dt.UTC))
    app = create_app(Settings(database_url=url, data_dir=tmp_path), kb=kb)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", factory, seeded, kb)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()
    factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        _chromium_missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only browser tests need it
    except ImportError as exc:  # pragma: no cover - the dev environment installs it
        _chromium_missing(f"playwright is not installed: {exc}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
