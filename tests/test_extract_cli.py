"""CLI: people, intents (--unknown), decisions, actions with owners, and the JSON export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from insights import settings
from insights.cli import cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path):
    settings.use(settings.Settings(people_file=""))
    path = str(tmp_path / "i.db")
    notes = tmp_path / "notes.txt"
    notes.write_text("2021-07-28\n[quest/retro] (David J) Why?\nACTION ITEMS\nDavid Joy Spruce up the page\n"
                     "2021-08-04\n[inform] (djoy) News\nDecision: keep the page\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", path, "ingest", "-q", str(notes)])
    assert result.exit_code == 0, result.output
    yield path
    settings.use(None)


def run(db, *args):
    result = CliRunner().invoke(cli, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_people_json(db):
    rows = json.loads(run(db, "people", "--json"))
    assert [(r["name"], sorted(r["aliases"]), r["topics_proposed"], r["actions_owned"]) for r in rows] == [
        ("David Joy", ["David J", "djoy"], 2, 1)]


def test_intents_and_unknown(db):
    assert [(r["intent"], r["topics"]) for r in json.loads(run(db, "intents", "--json"))] == [("inform", 1),
                                                                                              ("quest", 1)]
    assert run(db, "intents", "--unknown", "--csv").splitlines() == ["intent,topics,first_seen,last_seen",
                                                                     "retro,1,2021-07-28,2021-07-28"]


def test_decisions_table(db):
    out = run(db, "decisions")
    assert "keep the page" in out and "2021-08-04" in out


def test_actions_by_alias(db):
    rows = json.loads(run(db, "actions", "--owner", "djoy", "--json"))
    assert [(r["owner"], r["text"]) for r in rows] == [("David Joy", "David Joy Spruce up the page")]


def test_export_contract(db):
    data = json.loads(run(db, "export"))
    topic = data["meetings"][0]["topics"][0]
    assert (topic["intents"], topic["proposers"]) == (["quest"], ["David Joy"])
    assert data["people"] == [{"name": "David Joy", "aliases": ["David J", "djoy"], "kind": "person"}]
    (item,) = data["action_items"]
    assert set(item) == {"id", "text", "owner", "due", "status", "meeting_date", "topic_id", "source", "line", "rule",
                         "confidence"}
    assert (item["owner"], item["rule"], item["line"], item["status"]) == ("David Joy", "section", 4, "open")


def test_commands_have_help():
    for name in ("people", "intents", "decisions"):
        assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0
