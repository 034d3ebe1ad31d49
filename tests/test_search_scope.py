"""The report's page search covers the most recent meetings and says so when it stops short."""

from insights.report import environment
from insights.search.client import build_index


def test_page_index_keeps_the_latest_meetings_only(sample_store):
    full = build_index(sample_store, max_meetings=None)
    latest = build_index(sample_store, max_meetings=3)
    assert (full["meetings"], full["meetings_total"], full["covered_from"]) == (7, 7, None)
    assert (latest["meetings"], latest["meetings_total"], latest["covered_from"]) == (3, 7, "2021-11-24")
    assert sorted({unit[0] for unit in latest["units"]}) == ["2021-11-24", "2021-12-01", "2021-12-22"]
    assert "paver" in " ".join(line[2] for line in latest["lines"]).lower()
    assert "iframe" not in " ".join(line[2] for line in latest["lines"]).lower()


def test_page_says_what_its_search_covers(sample_store):
    template = environment().get_template("_search.html")
    limited = template.render(search_index=build_index(sample_store, max_meetings=3))
    assert "Searches the latest 3 of 7 meetings" in limited and "(from 2021-11-24)" in limited
    whole = template.render(search_index=build_index(sample_store, max_meetings=None))
    assert "Searches the latest" not in whole


def test_report_setting_sets_how_many_meetings_the_page_search_covers(sample_store, tmp_path, monkeypatch):
    from conftest import ROOT
    from insights.report import write_reports

    config = tmp_path / "cfg"
    config.mkdir()
    base = (f'[people]\nfile = "{ROOT / "data" / "people.toml"}"\n'
            f'[themes]\ntaxonomy = "{ROOT / "data" / "themes.toml"}"\n')
    monkeypatch.chdir(config)
    (config / "insights.toml").write_text(base + "[report]\nsearch_meetings = 3\n", encoding="utf-8")
    write_reports(sample_store, tmp_path / "three")
    assert "Searches the latest 3 of 7 meetings" in (tmp_path / "three" / "index.html").read_text(encoding="utf-8")
    (config / "insights.toml").write_text(base + "[report]\nsearch_meetings = 0\n", encoding="utf-8")
    write_reports(sample_store, tmp_path / "all")
    page = (tmp_path / "all" / "index.html").read_text(encoding="utf-8")
    assert "Searches the latest" not in page and "ins-search-index" in page
