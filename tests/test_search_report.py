"""The report's search box in headless Chromium: works from disk, no network, same answers as the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import open_page
from insights.pipeline import ingest
from insights.report import environment
from insights.search import search
from insights.search.client import build_index

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads((ROOT / "benchmarks" / "gold" / "search_judgments.json").read_text(encoding="utf-8"))
PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Search</title></head>'
        '<body><h1>Meeting notes</h1>{% include "_search.html" %}'
        '{% for m in meetings %}<section id="m-{{ m.id }}"><h2>{{ m.date }}</h2></section>{% endfor %}</body></html>')

pytestmark = pytest.mark.chromium


@pytest.fixture
def people(tmp_path, monkeypatch):
    path = tmp_path / "people.toml"
    path.write_text("\n".join(f'[[person]]\nname = {json.dumps(p["name"])}\naliases = {json.dumps(p["aliases"])}\n'
                              for p in GOLD["people"]), encoding="utf-8")
    monkeypatch.setenv("INSIGHTS_PEOPLE", str(path))


def write_page(store, folder: Path) -> Path:
    """The partial inside a minimal page, as the report includes it."""
    html = environment().from_string(PAGE).render(search_index=build_index(store),
                                                  meetings=list(store.iter_meetings_tree()))
    target = folder / "index.html"
    target.write_text(html, encoding="utf-8")
    return target


def type_query(page, text: str) -> str:
    page.fill("#ins-q", text)
    page.press("#ins-q", "Enter")
    return page.inner_text("#ins-results")


def test_search_box_finds_inflections_and_aliases(browser, sample_store, people, tmp_path, artifacts):
    page, log = open_page(browser, write_page(sample_store, tmp_path))
    results = type_query(page, "iframe")
    assert "2021-07-28" in results and "2021-09-01" in results
    assert page.locator("#ins-results mark", has_text="iFrames").count() >= 1  # typed iframe, notes say iFrames
    assert "arch-hours-2021.txt:211" in results
    assert page.inner_text("#ins-status") == "2 topics in 2 meetings"
    href = page.locator("#ins-results .ins-meeting h3 a").first.get_attribute("href")
    assert href.startswith("#m-") and page.locator(href).count() == 1
    page.screenshot(path=str(artifacts / "search-report.png"), full_page=True)
    assert (artifacts / "search-report.png").stat().st_size > 1000

    results = type_query(page, "djoy")
    assert "David Joy" in results and "DavidJ" in results and "David J" in results
    assert "2021-09-01" in type_query(page, "eventbus")
    assert type_query(page, '"event') == ""
    assert "unbalanced quote" in page.inner_text("#ins-status")
    assert log.console_errors == [] and log.page_errors == [] and log.external_requests == []


def test_page_and_command_agree_on_every_judged_query(browser, sample_store, people, tmp_path):
    page, log = open_page(browser, write_page(sample_store, tmp_path))
    for judged in GOLD["queries"]:
        if any(k in judged for k in ("since", "until", "person", "theme", "intent")):
            continue  # the page has no filters
        in_page = page.evaluate("q => insightsSearch.query(q)", judged["query"])
        page_keys = {f"{h['date']}:{h['line']}" for h in in_page}
        cli_keys = {f"{h.meeting_date}:{h.line}" for h in search(sample_store, judged["query"], limit=1000)}
        assert page_keys == cli_keys, judged["query"]
        assert set(judged["relevant"]) <= page_keys
    assert log.console_errors == [] and log.page_errors == []


def test_hostile_note_text_is_shown_as_text(browser, store, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "2021-12-22\n[quest] (Mallory) Escaping </script><!-- test\n"
        "zebra <script>window.pwned = 1</script> and <img src=x onerror=\"window.pwned = 2\"> here\n"
        "zebra </script><script>window.pwned = 3</script> \"quotes\" & 'apostrophes' \u2028 done\n",
        encoding="utf-8")
    ingest(store, [notes])
    page, log = open_page(browser, write_page(store, tmp_path))
    results = type_query(page, "zebra")
    assert "<script>window.pwned = 1</script>" in results
    assert '<img src=x onerror="window.pwned = 2">' in results
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("#ins-results img").count() == 0
    assert "Escaping </script><!-- test" in type_query(page, "escaping")
    assert log.console_errors == [] and log.page_errors == [] and log.external_requests == []


def test_index_is_embedded_safely():
    html = environment().get_template("_search.html").render(
        search_index={"version": 1, "units": [], "lines": [[0, 1, "</script><!-- <script>"]], "forms": {},
                      "post": {}, "aliases": []})
    block = html.split('id="ins-search-index">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and json.loads(block)["lines"][0][2] == "</script><!-- <script>"
