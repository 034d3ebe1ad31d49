"""`insights jira sync`: Done in Jira resolves the action item; nothing closed is reopened."""

from __future__ import annotations

import jira as jira_lib
from click.testing import CliRunner

from insights.actions import resolve_action
from insights.cli import cli
from insights.store import Store
from jira_emulator import ITEMS, PAT, configure, jira_server, seed_items  # noqa: F401 - fixture
from insights.jira.ledger import fingerprint_label


def run(db_path, *args):
    result = CliRunner().invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def statuses(db_path) -> dict[str, tuple]:
    with Store(db_path) as store:
        return {r["fingerprint"]: (r["status"], r["resolved_how"]) for r in
                store.conn.execute("SELECT fingerprint, status, resolved_how FROM action_items_view")}


def test_sync_closes_items_done_in_jira_and_never_reopens(tmp_path, monkeypatch, jira_server):
    db_path = tmp_path / "insights.db"
    with Store(db_path) as store:
        ids = seed_items(store, ITEMS)
    configure(tmp_path, monkeypatch, jira_server)
    assert run(db_path, "jira", "push").exit_code == 0
    key = {fp: jira_server.issues_with_label(fingerprint_label(fp))[0]["key"] for fp in ids}

    # people work in Jira with the real client: one Done, one Won't Do, one In Progress
    client = jira_lib.JIRA(jira_server.url, token_auth=PAT, max_retries=0, logging=False)
    client.transition_issue(key[ids[0]], "Done")
    client.transition_issue(key[ids[1]], "31", fields={"resolution": {"name": "Won't Do"}})
    client.transition_issue(key[ids[2]], "In Progress")
    # and one item was settled by hand first; Jira Done must not overwrite that
    with Store(db_path) as store:
        resolve_action(store, ids[3], status="dropped", note="not needed after all")
    client.transition_issue(key[ids[3]], "Done")

    result = run(db_path, "jira", "sync")
    assert result.exit_code == 0, result.output
    assert "synced 4 issue(s); 2 action item(s) resolved" in result.output
    assert statuses(db_path) == {ids[0]: ("done", "jira"), ids[1]: ("dropped", "jira"),
                                 ids[2]: ("open", None), ids[3]: ("dropped", "manual")}
    with Store(db_path) as store:
        note = store.conn.execute("SELECT note FROM action_status WHERE fingerprint = ?", (ids[0],)).fetchone()[0]
        row = store.conn.execute("SELECT jira_status, jira_status_category, last_synced_at FROM jira_issues "
                                 "WHERE fingerprint = ?", (ids[2],)).fetchone()
    assert note == f"{key[ids[0]]} is Done (Done)"
    assert row["jira_status"] == "In Progress" and row["jira_status_category"] == "indeterminate"
    assert row["last_synced_at"]

    # reopened in Jira: the item stays done (decisions are never silently undone)
    client.transition_issue(key[ids[0]], "To Do")
    assert run(db_path, "jira", "sync").exit_code == 0
    assert statuses(db_path)[ids[0]] == ("done", "jira")
    # resolved items are not pushed again
    assert "pushed: 0 created" in run(db_path, "jira", "push").output
    client.close()


def test_sync_reports_deleted_issues_and_goes_on(tmp_path, monkeypatch, jira_server):
    db_path = tmp_path / "insights.db"
    with Store(db_path) as store:
        ids = seed_items(store, ITEMS[:2])
    configure(tmp_path, monkeypatch, jira_server)
    assert run(db_path, "jira", "push").exit_code == 0
    gone = jira_server.issues_with_label(fingerprint_label(ids[0]))[0]["key"]
    del jira_server.issues[gone]
    result = run(db_path, "jira", "sync", "--json")
    assert result.exit_code == 0
    assert "unreadable: reading " + gone in result.output and "Issue does not exist" in result.output
