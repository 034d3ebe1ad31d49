"""Headless Chromium for report tests, through Playwright driving Debian's chromium.

A page opened with :func:`open_page` records console errors, page errors and every
request that is not to a ``file:`` or ``data:`` URL, so tests can assert that a report is
self-contained.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]


def chromium_path() -> str:
    """The Chromium binary: ``$INSIGHTS_CHROMIUM`` or Debian's ``chromium``."""
    found = os.environ.get("INSIGHTS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise RuntimeError("headless Chromium is missing: run `make test` as root (it installs Debian's "
                           "chromium) or `sudo apt-get install -y chromium`")
    return found


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


def open_page(browser, path: Path, *, width: int = 1200, height: int = 900):
    """Open ``path`` in a fresh context; return ``(page, log)``."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log = PageLog()
    page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))

    def on_request(request) -> None:
        if not request.url.startswith(("file:", "data:", "about:")):
            log.external_requests.append(request.url)

    page.on("request", on_request)
    page.goto(Path(path).resolve().as_uri())
    page.wait_for_load_state("load")
    return page, log
