"""No token ever appears in output, logs, warnings or the database, whatever goes wrong."""

from __future__ import annotations

import base64
import logging
import warnings

import jira as jira_lib
import pytest
from click.testing import CliRunner
from jira.exceptions import JIRAError

from insights.cli import cli
from insights.store import Store
from jira_emulator import API_TOKEN, EMAIL, ITEMS, PAT, JiraEmulator, configure, seed_items


def test_the_client_own_errors_carry_the_token():
    """Why nothing from the library's errors is printed: they hold the request as sent,
    Authorization header included, and their ``str()`` dumps headers and bodies."""
    emulator = JiraEmulator("Server").start()
    try:
        client = jira_lib.JIRA(emulator.url, token_auth=PAT, max_retries=0, logging=False)
        with pytest.raises(JIRAError) as caught:
            client.create_issue(fields={"project": {"key": "NOPE"}, "issuetype": {"name": "Task"}, "summary": "x"},
                                prefetch=False)
        assert PAT in caught.value.response.request.headers["Authorization"]
        assert "response headers" in str(caught.value)
        client.close()
    finally:
        emulator.stop()


@pytest.mark.parametrize("deployment", ["Server", "Cloud"])
def test_no_token_in_any_output_or_log(tmp_path, monkeypatch, caplog, capfd, deployment):
    emulator = JiraEmulator(deployment).start()
    caplog.set_level(logging.DEBUG)
    captured: list[str] = []
    try:
        db_path = tmp_path / "insights.db"
        with Store(db_path) as store:
            seed_items(store, ITEMS + [{"text": "Ask the unknown user", "date": "2021-12-22", "owner": "Nobody Known"}])
        configure(tmp_path, monkeypatch, emulator, auth="pat" if deployment == "Server" else "basic")

        def run(*args):
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                result = CliRunner().invoke(cli, ["--db", str(db_path), *args])
            captured.append(result.output)
            captured.extend(str(w.message) for w in seen)
            if result.exception and not isinstance(result.exception, SystemExit):
                captured.append(repr(result.exception))
            return result

        run("jira", "push", "--dry-run")
        emulator.fail("POST", r"/issue$", 400, skip=1, errors={"summary": "bad"})
        emulator.rate_limit("POST", r"/issue$", retry_after=1, skip=2)
        emulator.drop("POST", r"/issue$", skip=3)
        emulator.fail("GET", r"/search", 503)
        run("jira", "push")
        emulator.clear_faults()
        emulator.valid_tokens.clear()  # revoked: 401 everywhere
        run("jira", "push")
        run("jira", "sync")
        emulator.valid_tokens.update({API_TOKEN, PAT})
        emulator.fail("GET", r"/issue/", 500, times=99)
        run("jira", "sync")
        emulator.clear_faults()
        run("jira", "push")
        run("jira", "sync")
        run("jira", "export-csv", "-")
        monkeypatch.setenv("JIRA_SERVER", "http://127.0.0.1:9")  # nothing listens there
        run("jira", "push")
    finally:
        emulator.stop()
    out, err = capfd.readouterr()
    captured += [out, err, caplog.text]
    captured += [f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
    captured.append((tmp_path / "insights.db").read_bytes().decode("latin-1"))
    captured.append((tmp_path / "insights.toml").read_text())
    everything = "\n".join(captured)
    assert "pushed:" in everything and "rejected the credentials" in everything  # the runs did happen
    basic = base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()
    for secret in (API_TOKEN, PAT, basic, "NEVER-PRINT"):
        assert secret not in everything
