"""`insights jira export-csv`: what Jira's CSV importer needs, and no duplicates afterwards."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from insights.cli import cli
from insights.jira.ledger import Ledger, fingerprint_label
from insights.store import Store
from jira_emulator import ITEMS, configure, jira_server, seed_items  # noqa: F401 - fixture


def run(db_path, *args):
    result = CliRunner().invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def import_like_jira(emulator, path) -> int:
    """Jira's importer: columns mapped by header, repeated Labels columns are one field."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        count = 0
        for row in reader:
            values: dict[str, list[str]] = {}
            for name, value in zip(header, row):
                values.setdefault(name, []).append(value)
            fields = {"project": {"key": values["Project Key"][0]}, "issuetype": {"name": values["Issue Type"][0]},
                      "summary": values["Summary"][0], "description": values["Description"][0],
                      "labels": [v for v in values["Labels"] if v], "duedate": values["Due Date"][0] or None}
            if values["Assignee"][0]:
                fields["assignee"] = {"name": values["Assignee"][0]}
            emulator.create(fields)
            count += 1
    return count


def test_export_csv_columns_and_rows(tmp_path, monkeypatch):
    db_path = tmp_path / "insights.db"
    with Store(db_path) as store:
        ids = seed_items(store, ITEMS)
    configure(tmp_path, monkeypatch, None)
    result = run(db_path, "jira", "export-csv", "out.csv")
    assert result.exit_code == 0 and "wrote 4 issue(s) to out.csv" in result.output
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"Summary,Issue Type,Project Key,Description,Assignee,Labels,Labels,Due Date\r\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert [r["Summary"] for r in rows] == [i["text"] for i in ITEMS]
    first = rows[0]
    assert first["Issue Type"] == "Task" and first["Project Key"] == "ARCH" and first["Assignee"] == "ada"
    assert first["Due Date"] == "2021-12-15"
    assert "Meeting: 2021-11-24" in first["Description"] and "\n" in first["Description"]
    assert rows[1]["Project Key"] == "BOM"
    labels = list(csv.reader(io.StringIO(raw.decode("utf-8"))))[1][5:7]
    assert labels == ["insights", fingerprint_label(ids[0])]
    # stdout works too, and shows the same rows
    assert run(db_path, "jira", "export-csv", "-").output.count("insights-") >= 4


def test_push_after_csv_import_adopts_instead_of_duplicating(tmp_path, monkeypatch, jira_server):
    db_path = tmp_path / "insights.db"
    with Store(db_path) as store:
        ids = seed_items(store, ITEMS)
    configure(tmp_path, monkeypatch, jira_server)
    assert run(db_path, "jira", "export-csv", "out.csv").exit_code == 0
    assert import_like_jira(jira_server, tmp_path / "out.csv") == 4
    assert jira_server.issues_with_label(fingerprint_label(ids[0]))[0]["fields"]["assignee"]["name"] == "ada"
    result = run(db_path, "jira", "push")
    assert result.exit_code == 0 and "pushed: 0 created, 4 found in Jira already" in result.output
    assert len(jira_server.issues) == 4 and not jira_server.posts(r"/issue$")
    with Store(db_path) as store:
        assert {r["how"] for r in Ledger(store).rows()} == {"found"}
