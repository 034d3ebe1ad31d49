"""The HTML report: pages written, themes in the right months, links, escaping, the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from conftest import SAMPLE
from insights.analyze import Taxonomy
from insights.cli import cli
from insights.pipeline import ingest
from insights.report import write_reports
from test_themes import EXPECTED_MONTHS

MONTHS = ["2021-07", "2021-09", "2021-10", "2021-11", "2021-12"]

HOSTILE = """2021-12-22
[quest] (<img src=x onerror="window.__xss=1">) What is paver? <script>window.__xss=2</script>
<script>window.__xss=3</script>
<img src=x onerror="window.__xss=4"> paver & "quotes"
</textarea><svg onload="window.__xss=5">
"""


def theme_table_rows(html: str) -> set[str]:
    """Theme names in a month page's theme table."""
    table = html.split("<h2>Themes</h2>", 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'href="theme-[^"]+\.html">([^<]+)</a>', table))


def test_whole_archive_report_has_index_month_theme_and_person_pages(sample_store, tmp_path):
    written = {p.name for p in write_reports(sample_store, tmp_path)}
    assert "index.html" in written
    assert {f"month-{m}.html" for m in MONTHS} <= written
    assert {"theme-devstack.html", "theme-paver.html", "theme-iframes.html", "theme-event-bus.html"} <= written
    # Proposers get a page, under their canonical name when the extraction stage resolved it.
    for prefix in ("person-dave-o", "person-david-j", "person-ned"):
        assert any(name.startswith(prefix) for name in written), prefix
    assert not any(name.startswith("month-2021-08") for name in written)


def test_seeded_themes_appear_in_their_months_and_no_others(sample_store, tmp_path):
    write_reports(sample_store, tmp_path)
    for month in MONTHS:
        found = theme_table_rows((tmp_path / f"month-{month}.html").read_text())
        for theme, months in EXPECTED_MONTHS.items():
            assert (theme in found) == (month in months), (theme, month)


def test_every_link_points_to_a_written_page_and_anchor(sample_store, tmp_path):
    write_reports(sample_store, tmp_path)
    anchors = {}
    for page in tmp_path.glob("*.html"):
        anchors[page.name] = set(re.findall(r'id="([^"]+)"', page.read_text()))
    for page in tmp_path.glob("*.html"):
        for href in re.findall(r'href="([^"]+)"', page.read_text()):
            name, _, anchor = href.partition("#")
            name = name or page.name
            assert name in anchors, (page.name, href)
            if anchor:
                assert anchor in anchors[name], (page.name, href)


def test_month_page_content(sample_store, tmp_path):
    write_reports(sample_store, tmp_path)
    html = (tmp_path / "month-2021-07.html").read_text()
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Iframes, Chrome 92, and what we’re going to do about it." in html
    assert "data/arch-hours-2021.txt:211" in html  # the topic's source line
    assert html.count("<svg") >= 3  # a trend per theme
    for heading in ["Themes", "New themes", "Most-voted topics", "Topics by intent", "Who proposed",
                    "Action items", "Opened this month", "Still open", "Resolved", "Meetings held"]:
        assert heading in text, heading
    assert re.search(r'<section class="meeting" id="m-[0-9a-f]+">', html)
    voted = html.split("Most-voted topics", 1)[1].split("</ol>", 1)[0]
    assert voted.index("Iframes") < voted.index("Implications")  # 5 votes before 4
    assert "discuss" in text and "@media print" in html and "viewport" in html


def test_hostile_note_text_is_escaped(store, tmp_path):
    notes = tmp_path / "hostile.txt"
    notes.write_text(HOSTILE, encoding="utf-8")
    ingest(store, [notes])
    hostile_taxonomy = Taxonomy.from_dict({"theme": [{"name": "<b>paver</b>", "aliases": ["paver"]}]})
    out = tmp_path / "out"
    write_reports(store, out, taxonomy=hostile_taxonomy)
    for page in out.glob("*.html"):
        html = page.read_text()
        assert "<script>window" not in html and "<img src=x" not in html and "<svg onload" not in html, page
        assert "<b>paver</b>" not in html
    month = (out / "month-2021-12.html").read_text()
    assert "&lt;script&gt;window.__xss=3&lt;/script&gt;" in month
    assert "&lt;img src=x onerror=&#34;window.__xss=4&#34;&gt; paver &amp; &#34;quotes&#34;" in month
    assert "&lt;b&gt;paver&lt;/b&gt;" in month


def test_report_command_whole_archive_and_one_month(sample_store, tmp_path):
    runner = CliRunner()
    out = tmp_path / "reports"
    result = runner.invoke(cli, ["--db", sample_store.path, "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").exists() and (out / "month-2021-12.html").exists()
    single = tmp_path / "single"
    result = runner.invoke(cli, ["--db", sample_store.path, "report", "--out", str(single), "--month", "2021-09"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in single.iterdir()] == ["month-2021-09.html"]
    assert result.output.strip().endswith("month-2021-09.html")
    result = runner.invoke(cli, ["--db", sample_store.path, "report", "--out", str(single), "--month", "2021-08"])
    assert result.exit_code == 1 and "no meetings in 2021-08" in result.output


def test_empty_store_report(store, tmp_path):
    assert [p.name for p in write_reports(store, tmp_path)] == ["index.html"]
    assert "No themes yet" in (tmp_path / "index.html").read_text()


def test_parallel_rendering_writes_the_same_pages(sample_store, tmp_path, monkeypatch):
    import insights.report as report

    serial = {p.name: p.read_text() for p in write_reports(sample_store, tmp_path / "serial")}
    monkeypatch.setattr(report, "PARALLEL_FROM", 1)
    written = write_reports(sample_store, tmp_path / "parallel")
    assert [p.name for p in written][0] == "index.html"
    assert {p.name: p.read_text() for p in written} == serial
