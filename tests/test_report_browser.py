"""The report in real headless Chromium: self-contained, charts drawn, hostile text inert."""

from __future__ import annotations

import pytest

from browser import open_page
from insights.pipeline import ingest
from insights.report import write_reports
from test_report import HOSTILE

pytestmark = pytest.mark.chromium


def test_report_pages_render_without_errors_or_network(browser, sample_store, tmp_path, artifacts):
    write_reports(sample_store, tmp_path)
    person = sorted(p.name for p in tmp_path.glob("person-dave-o*.html"))[0]
    for name, width in [("index.html", 1200), ("month-2021-12.html", 1200), ("month-2021-07.html", 390),
                        ("theme-iframes.html", 1200), (person, 390)]:
        page, log = open_page(browser, tmp_path / name, width=width)
        assert log.console_errors == [] and log.page_errors == [], (name, log)
        assert log.external_requests == [], (name, log.external_requests)
        charts = page.locator("svg")
        assert charts.count() >= 1, name
        box = charts.first.bounding_box()
        assert box and box["width"] > 20 and box["height"] > 10, name
        # Readable on a phone: nothing wider than the screen outside the scrolling tables.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
        page.screenshot(path=str(artifacts / f"report-{name.replace('.html', '')}-{width}.png"), full_page=True)
        page.context.close()
    assert (artifacts / "report-month-2021-12-1200.png").stat().st_size > 10_000


def test_month_page_shows_themes_and_trend_charts(browser, sample_store, tmp_path):
    write_reports(sample_store, tmp_path)
    page, log = open_page(browser, tmp_path / "month-2021-09.html")
    body = page.inner_text("body")
    assert "event bus" in body and "iframes" in body and "paver" not in body.split("Most-voted")[0]
    assert page.locator("table svg.spark").count() >= 5
    page.click("text=event bus")
    assert page.url.endswith("theme-event-bus.html")
    page.context.close()


def test_hostile_notes_show_as_text_and_do_not_run(browser, store, tmp_path, artifacts):
    notes = tmp_path / "hostile.txt"
    notes.write_text(HOSTILE, encoding="utf-8")
    ingest(store, [notes])
    out = tmp_path / "out"
    write_reports(store, out)
    for name in ("index.html", "month-2021-12.html"):
        page, log = open_page(browser, out / name)
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__xss") == "undefined", name
        assert page.locator("img").count() == 0 and dialogs == []
        assert log.page_errors == [] and log.external_requests == []
        if name.startswith("month"):
            body = page.inner_text("body")
            assert "<script>window.__xss=3</script>" in body
            assert '<img src=x onerror="window.__xss=4"> paver & "quotes"' in body
            page.screenshot(path=str(artifacts / "report-xss.png"), full_page=True)
        page.context.close()
