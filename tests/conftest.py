"""Shared fixtures: a temporary store, the sample archive, and headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "arch-hours-2021.txt"
CORPORA = ROOT.parent / "shared" / "corpora"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture
def store(tmp_path):
    """An empty store in a temporary file."""
    with Store(tmp_path / "insights.db") as opened:
        yield opened


@pytest.fixture
def sample_store(store):
    """A store holding the sample archive."""
    from insights.pipeline import ingest

    ingest(store, [SAMPLE])
    return store


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's package) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM_FLAGS, chromium_path

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots and other test artifacts (kept after the run)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
