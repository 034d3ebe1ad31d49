"""`insights jira push` against the emulator, through the real `jira` client, over HTTP."""

from __future__ import annotations

import re
import time

import pytest
from click.testing import CliRunner

from insights.cli import cli
from insights.jira.client import JiraClient
from insights.jira.config import jira_credentials, jira_settings
from insights.jira.ledger import Ledger, fingerprint_label
from insights.jira.people import People
from insights.jira.push import run_push
from insights.settings import load_settings
from insights.store import Store
from jira_emulator import ITEMS, configure, jira_cloud, jira_server, seed_items  # noqa: F401 - fixtures


DRY_RUN = """\
project  summary                                              assignee              labels                               due
-------  ---------------------------------------------------  --------------------  -----------------------------------  ----------
ARCH     Write up the ADR on removing paver                   Ada Lovelace (ada)    insights, insights-305b1bcdf9140d2d  2021-12-15
BOM      Reach out to #arch-bom with devstack data use cases  Grace Hopper (grace)  insights, insights-da6ea207357ff34a
ARCH     Spruce up our working-group page                     Ada Lovelace (ada)    insights, insights-410ea85b7d7254a0
ARCH     Collect prior art on feature toggles                                       insights, insights-e542836880e4c910
dry run: would create 4 issue(s) in Jira; 0 already pushed, 0 skipped; nothing was sent
"""


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "insights.db"
    with Store(path) as store:
        ids = seed_items(store, ITEMS)
    return path, ids


def dump(db_path) -> list[str]:
    """The database as SQL, less extraction's owner-cache bookkeeping (listing items may
    refresh that cache; it is not an action item, a status or a ledger row)."""
    with Store(db_path) as store:
        return [line for line in store.conn.iterdump() if not line.startswith('INSERT INTO "people_state"')]


def run(db_path, *args):
    result = CliRunner().invoke(cli, ["--db", str(db_path), *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def ledger_map(db_path) -> dict[str, str]:
    with Store(db_path) as store:
        return {r["fingerprint"]: r["issue_key"] for r in Ledger(store).rows("created")}


def jira_map(emulator, fingerprints) -> dict[str, list[str]]:
    return {fp: [i["key"] for i in emulator.issues_with_label(fingerprint_label(fp))] for fp in fingerprints}


def assert_exactly_once(emulator, db_path, fingerprints):
    """Every open item is in Jira exactly once, and the ledger says exactly that."""
    in_jira = jira_map(emulator, fingerprints)
    assert all(len(keys) == 1 for keys in in_jira.values()), in_jira
    assert ledger_map(db_path) == {fp: keys[0] for fp, keys in in_jira.items()}
    assert len(emulator.issues) == len(fingerprints)


def test_dry_run_prints_the_plan_and_touches_nothing(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    before = dump(db_path)
    result = run(db_path, "jira", "push", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output == DRY_RUN
    assert jira_server.requests == []
    assert dump(db_path) == before
    # the same again, as JSON, gives the same plan (stable)
    again = run(db_path, "jira", "push", "--dry-run", "--json")
    assert '"summary": "Write up the ADR on removing paver"' in again.output


def test_dry_run_needs_no_credentials(tmp_path, monkeypatch, db):
    db_path, _ = db
    configure(tmp_path, monkeypatch, None)
    result = run(db_path, "jira", "push", "--dry-run", "--limit", "1", "--csv")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "project,summary,assignee,labels,due"
    assert len(result.output.splitlines()) == 2


def test_two_pushes_create_each_ticket_once(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    first = run(db_path, "jira", "push")
    assert first.exit_code == 0, first.output
    assert "pushed: 4 created, 0 found in Jira already, 0 failed" in first.output
    assert_exactly_once(jira_server, db_path, ids)

    creates = len(jira_server.posts(r"/issue$"))
    second = run(db_path, "jira", "push")
    assert second.exit_code == 0
    assert "pushed: 0 created, 0 found in Jira already, 0 failed, 0 finished from an earlier run; 4 pushed before" \
        in second.output
    assert len(jira_server.posts(r"/issue$")) == creates
    assert_exactly_once(jira_server, db_path, ids)


def test_issue_content_project_assignee_and_link(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server, notes_url="https://wiki.example.com/arch#{date}-L{line}")
    assert run(db_path, "jira", "push").exit_code == 0
    paver = jira_server.issues_with_label(fingerprint_label(ids[0]))[0]
    fields = paver["fields"]
    assert paver["key"].startswith("ARCH-")
    assert fields["summary"] == "Write up the ADR on removing paver"
    assert fields["labels"] == ["insights", fingerprint_label(ids[0])]
    assert fields["duedate"] == "2021-12-15"
    assert fields["assignee"]["name"] == "ada"
    assert "Meeting: 2021-11-24" in fields["description"]
    assert "Topic: What is paver?" in fields["description"]
    assert "Paver is a task runner" in fields["description"] and "We did not build paver" in fields["description"]
    assert "Source: notes.txt, line" in fields["description"]
    [link] = paver["links"]
    assert link["data"]["globalId"] == f"insights:{ids[0]}"
    assert re.fullmatch(r"https://wiki\.example\.com/arch#2021-11-24-L\d+", link["data"]["object"]["url"])
    # owner's team maps to its project
    grace = jira_server.issues_with_label(fingerprint_label(ids[1]))[0]
    assert grace["key"].startswith("BOM-") and grace["fields"]["assignee"]["name"] == "grace"
    # no owner: unassigned and no comment
    nobody = jira_server.issues_with_label(fingerprint_label(ids[3]))[0]
    assert nobody["fields"]["assignee"] is None and nobody["comments"] == []


def test_project_option_overrides_the_team_mapping(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    assert run(db_path, "jira", "push", "--project", "BOM", "--owner", "Ada Lovelace").exit_code == 0
    assert sorted(i["key"] for i in jira_server.issues.values()) == ["BOM-1", "BOM-2"]


def test_unknown_project_fails_its_items_only(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    result = run(db_path, "jira", "push", "--project", "NOPE")
    assert result.exit_code == 1
    assert "project NOPE does not exist or this account cannot see it" in result.output
    assert jira_server.issues == {}


@pytest.mark.parametrize("deployment", ["Server", "Cloud"])
def test_assignee_problems_keep_the_ticket(tmp_path, monkeypatch, deployment, db):
    from jira_emulator import JiraEmulator

    emulator = JiraEmulator(deployment).start()
    try:
        db_path, _ = db
        configure(tmp_path, monkeypatch, emulator, auth="pat" if deployment == "Server" else "basic")
        with Store(db_path) as store:
            extra = seed_items(store, [
                {"text": "Ask the unknown user", "date": "2021-12-22", "owner": "Nobody Known"},
                {"text": "Ask the departed user", "date": "2021-12-22", "owner": "Former Colleague"},
                {"text": "Ask someone not in the people file", "date": "2021-12-22", "owner": "Zed Stranger"},
                {"text": "Ask the Server-only user", "date": "2021-12-22", "owner": "Linus Cloudless"},
            ])
        result = run(db_path, "jira", "push")
        assert result.exit_code == 0, result.output
        issues = {fp: emulator.issues_with_label(fingerprint_label(fp))[0] for fp in extra}
        unknown, departed, stranger, server_only = (issues[fp] for fp in extra)
        for issue in (unknown, departed, stranger):
            assert issue["fields"]["assignee"] is None
            [comment] = issue["comments"]
            assert "intended owner is" in comment["body"]
        assert "Nobody Known" in unknown["comments"][0]["body"]
        assert "does not exist" in unknown["comments"][0]["body"]
        assert "cannot be assigned" in departed["comments"][0]["body"]
        assert "Zed Stranger is not in people.toml" in stranger["comments"][0]["body"]
        if deployment == "Cloud":
            assert server_only["fields"]["assignee"] is None
            assert "no jira_account_id" in server_only["comments"][0]["body"]
            ada = emulator.issues_with_label(fingerprint_label(db[1][0]))[0]
            assert ada["fields"]["assignee"]["accountId"] == "557058:ada-0001"
            # the assignee endpoint was called on /rest/api/latest, as the client does
            assert any(r["path"].startswith("/rest/api/latest/issue/") and r["path"].endswith("/assignee")
                       for r in emulator.requests if r["method"] == "PUT")
        else:
            assert server_only["fields"]["assignee"] is None  # no such user on this site either
        # a rerun neither comments again nor creates again
        assert run(db_path, "jira", "push").exit_code == 0
        assert all(len(i["comments"]) == 1 for i in (unknown, departed, stranger))
        assert len(emulator.issues) == 8
    finally:
        emulator.stop()


# -- faults: every one ends with each open item in Jira exactly once after a rerun ------------------
def test_wrong_credentials_stop_cleanly_then_rerun(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.valid_tokens.discard("pat-51d2aa08-NEVER-PRINT")
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1
    assert "rejected the credentials (HTTP 401" in result.output and "set JIRA_PAT to valid values" in result.output
    assert jira_server.issues == {} and ledger_map(db_path) == {}
    jira_server.valid_tokens.add("pat-51d2aa08-NEVER-PRINT")
    assert run(db_path, "jira", "push").exit_code == 0
    assert_exactly_once(jira_server, db_path, ids)


def test_cloud_wrong_token_names_the_cloud_variables(tmp_path, monkeypatch, jira_cloud, db):
    db_path, _ = db
    configure(tmp_path, monkeypatch, jira_cloud, auth="basic")
    monkeypatch.setenv("JIRA_API_TOKEN", "expired-token")
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1
    assert "set JIRA_EMAIL and JIRA_API_TOKEN to valid values" in result.output


def test_credentials_revoked_mid_batch(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.fail("POST", r"/issue$", 401, skip=2, times=99)
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1 and "set JIRA_PAT" in result.output
    assert len(jira_server.issues) == 2
    assert ledger_map(db_path) == {fp: keys[0] for fp, keys in jira_map(jira_server, ids).items() if keys}
    jira_server.clear_faults()
    assert run(db_path, "jira", "push").exit_code == 0
    assert_exactly_once(jira_server, db_path, ids)


def test_field_errors_fail_one_item_and_the_rest_go_on(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.fail("POST", r"/issue$", 400, skip=1, errors={"customfield_10010": "Team is required."})
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1
    assert "customfield_10010: Team is required." in result.output
    assert "pushed: 3 created, 0 found in Jira already, 1 failed" in result.output
    assert len(ledger_map(db_path)) == 3
    result = run(db_path, "jira", "push")
    assert result.exit_code == 0 and "pushed: 1 created" in result.output
    assert_exactly_once(jira_server, db_path, ids)


def test_real_field_validation_from_a_project(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    result = run(db_path, "jira", "push", "--project", "SEC", "--limit", "1")
    assert result.exit_code == 1 and "components: Component/s is required." in result.output
    assert jira_server.issues == {} and ledger_map(db_path) == {}


def test_rate_limit_waits_for_retry_after(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.rate_limit("POST", r"/issue$", retry_after=1, skip=1)
    started = time.monotonic()
    result = run(db_path, "jira", "push")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1.0
    assert jira_server.early_retries == 0  # nothing was sent before Retry-After had passed
    assert "retry 1/3 in 1.00s" in result.output
    assert_exactly_once(jira_server, db_path, ids)


def test_retry_after_longer_than_max_wait_stops_and_rerun_finishes(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server, max_wait=0.5)
    jira_server.rate_limit("POST", r"/issue$", retry_after=30, skip=1)
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1
    assert "Jira asked to wait 30s (HTTP 429), more than max_wait=0s" in result.output or \
        "Jira asked to wait 30s (HTTP 429)" in result.output
    assert len(jira_server.issues) == 1 and len(ledger_map(db_path)) == 1
    jira_server.clear_faults()
    assert run(db_path, "jira", "push").exit_code == 0
    assert_exactly_once(jira_server, db_path, ids)


def test_503_once_is_retried_in_the_same_run(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.fail("POST", r"/issue$", 503, skip=1)
    jira_server.fail("GET", r"/search$", 503)
    assert run(db_path, "jira", "push").exit_code == 0
    assert_exactly_once(jira_server, db_path, ids)


def test_503_that_persists_stops_mid_batch_and_rerun_finishes(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.fail("POST", r"/issue$", 503, skip=2, times=99)
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1 and "gave up after 3 retries" in result.output
    with Store(db_path) as store:
        creating = Ledger(store).rows("creating")
    # the ledger claims exactly the two issues that exist, and marks the unknown one as such
    assert ledger_map(db_path) == {fp: keys[0] for fp, keys in jira_map(jira_server, ids).items() if keys}
    assert len(jira_server.issues) == 2 and [r["fingerprint"] for r in creating] == [ids[2]]
    jira_server.clear_faults()
    assert run(db_path, "jira", "push").exit_code == 0
    assert_exactly_once(jira_server, db_path, ids)


def test_connection_dropped_after_create_finds_the_issue(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.drop("POST", r"/issue$", skip=1)
    result = run(db_path, "jira", "push")
    assert result.exit_code == 0, result.output
    assert "pushed: 3 created, 1 found in Jira already" in result.output
    assert len(jira_server.posts(r"/issue$")) == 4  # the dropped create was not sent again
    assert_exactly_once(jira_server, db_path, ids)
    with Store(db_path) as store:
        assert Ledger(store).get(ids[1])["how"] == "found"
        assert Ledger(store).get(ids[1])["link_done"] == 1  # follow-ups still done


def test_timeout_after_create_finds_the_issue(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server, timeout=0.3)
    jira_server.delay("POST", r"/issue$", 1.0, skip=2)
    result = run(db_path, "jira", "push")
    assert result.exit_code == 0, result.output
    assert "timed out waiting for Jira" in result.output
    assert_exactly_once(jira_server, db_path, ids)


def test_drop_then_jira_unreachable_rerun_adopts_the_issue(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.drop("POST", r"/issue$", skip=1, then_down=True)  # after the drop, Jira is gone
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1 and "connection to Jira failed or was dropped" in result.output
    assert len(jira_server.issues) == 2
    with Store(db_path) as store:
        assert [r["fingerprint"] for r in Ledger(store).rows("creating")] == [ids[1]]
    jira_server.clear_faults()
    result = run(db_path, "jira", "push")
    assert result.exit_code == 0, result.output
    assert_exactly_once(jira_server, db_path, ids)


def test_follow_up_failure_is_finished_by_the_rerun(tmp_path, monkeypatch, jira_server, db):
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    jira_server.fail("POST", r"/remotelink$", 503, times=99)
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1
    assert len(jira_server.issues) == 1  # stopped before the next create
    jira_server.clear_faults()
    result = run(db_path, "jira", "push")
    assert result.exit_code == 0 and "1 finished from an earlier run" in result.output
    assert_exactly_once(jira_server, db_path, ids)
    assert all(len(i["links"]) == 1 for i in jira_server.issues.values())


def test_library_waits_are_deterministic(tmp_path, monkeypatch, jira_server, db):
    """Backoff doubles from retry_backoff with no jitter; Retry-After is used as given."""
    db_path, ids = db
    configure(tmp_path, monkeypatch, jira_server)
    config = jira_settings(load_settings())
    waits: list[float] = []
    jira_server.fail("GET", r"/search$", 503, times=2)
    jira_server.rate_limit("POST", r"/issue$", retry_after=1)
    with Store(db_path) as store:
        client = JiraClient(jira_credentials(config), config, sleep=lambda s: (waits.append(s), time.sleep(s))).connect()
        plan, result = run_push(store, client, config, People.load("people.toml"), limit=1)
        client.close()
    assert result.ok and len(result.created) == 1
    assert waits == [0.01, 0.02, 1.0]


def test_missing_settings_say_what_to_set(tmp_path, monkeypatch, db):
    db_path, _ = db
    configure(tmp_path, monkeypatch, None)
    result = run(db_path, "jira", "push")
    assert result.exit_code == 1 and "set JIRA_SERVER" in result.output
    monkeypatch.setenv("JIRA_SERVER", "http://127.0.0.1:9")
    result = run(db_path, "jira", "sync")
    assert result.exit_code == 1
    assert "set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) or JIRA_PAT" in result.output


def test_a_jira_setting_that_is_not_a_table_is_a_one_line_error(tmp_path, monkeypatch, db):
    db_path, _ = db
    monkeypatch.chdir(tmp_path)
    (tmp_path / "insights.toml").write_text('jira = "PROJ"\n', encoding="utf-8")
    result = run(db_path, "jira", "push", "--dry-run")
    assert result.exit_code == 1 and "insights.toml: [jira] must be a table of keys" in result.output
    assert "Traceback" not in result.output
