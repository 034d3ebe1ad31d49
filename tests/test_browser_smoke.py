from pathlib import Path

from browser import open_page


def test_report_index_opens_without_errors_or_network(browser, sample_store, tmp_path, artifacts):
    from insights.report import write_reports

    write_reports(sample_store, tmp_path)
    page, log = open_page(browser, tmp_path / "index.html")
    assert "2021-07-28" in page.inner_text("body")
    assert log.console_errors == [] and log.page_errors == [] and log.external_requests == []
    page.screenshot(path=str(artifacts / "report-index.png"), full_page=True)
    assert (artifacts / "report-index.png").stat().st_size > 1000
