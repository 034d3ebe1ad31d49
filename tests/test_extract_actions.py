"""Action items: tagged forms, markers, sections, commitments, calls; decisions; the sample's owners."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from insights import settings
from insights.extract import extract_document
from insights.extract.actions import call_to_action, clean, decision_marker, marker, parse_tagged
from insights.readers.text import read

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads((ROOT / "benchmarks" / "gold" / "extraction-sample.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def no_people_file():
    settings.use(settings.Settings(people_file=""))
    yield
    settings.use(None)


@pytest.mark.parametrize("line", [
    "- [action] Create Q3 report [assignee] André [due] 3 September 2024 [status] done",
    "- [**action**] Create Q3 report [**assignee**] André [**due**] 3 September 2024 [**status**] done",
    "* \\[action] Create Q3 report \\[assignee] André \\[due] 3 September 2024 \\[status] done",
    "&#xNAN;**\\[Action]** Create Q3 report [assignee] André [due] 2024-09-03 [status] Done",
])
def test_tagged_forms_plain_bold_escaped(line):
    (item,) = parse_tagged(line)
    assert (item.text, item.assignee, item.due, item.status) == ("Create Q3 report", "André", date(2024, 9, 3),
                                                                 "done")


def test_tagged_without_fields_and_two_on_a_line():
    items = parse_tagged("[Decision] Yes. \\[ACTION] Sucre will chase it [action] Vani to post [status] in progress")
    assert [(i.text, i.status) for i in items] == [("Sucre will chase it", "open"), ("Vani to post", "in progress")]


def test_clean_drops_markup():
    assert clean("* **Daniel**: Reach out \\") == "Daniel: Reach out"


def test_markers():
    assert marker("ACTION: Work with project TSCs") == ("marker", "Work with project TSCs")
    assert marker("AI: Larry to start GSoC") == ("marker", "Larry to start GSoC")
    assert marker("TODO: add link to document") == ("marker", "add link to document")
    assert marker("AI Platform?") is None
    assert marker("Action Items (AIs)") is None


def test_decisions_and_calls():
    assert decision_marker("Decision: ship it")[1] == "ship it"
    assert decision_marker("Move ahead with this approach.")[0] == "phrase"
    assert call_to_action("Reach out to #arch-bom if you have a use case")
    assert not call_to_action("We may need to create custom APIs")


def _items(text: str):
    document = read(text, "t.txt")
    return [(a.text, a.owner_text, a.rule, a.status) for a in extract_document(document).actions]


def test_commitment_sentences():
    items = _items("2021-12-01\n[inform] (Adam B) Permissions\n"
                   "Also, Matt Hughes has offered to test out these setup docs on registrar.\n"
                   "May still be hard for GoCD to deploy off of private forks.\n"
                   "Jinder said Feanil looked into this.\n")
    assert items == [("Matt Hughes has offered to test out these setup docs on registrar.", "Matt Hughes",
                      "commitment", "open")]


def test_section_items_take_owners_and_end_at_a_label():
    items = _items("2021-07-28\n(discuss) [Dave O] Iframes\nNext steps\n"
                   "DavidJ will continue to explore a structured interface for XPs.\n"
                   "T&L will implement a short-gap solution.\nPossible approaches\nMessage passing approach\n")
    assert [(t[1], t[2]) for t in items] == [("DavidJ", "section"), ("T&L", "section")]


def test_confluence_tasks_and_named_markers():
    items = _items("2021-07-28\n[discuss] (Ned) Tasks\n[x] [Ned] Publish the notes\n[ ] Book a room\n"
                   "- [ ] [Jeremy] Draft the ADR\n- [Diana][ACTION] Update the wiki\n")
    assert items == [("Publish the notes", "Ned", "task", "done"), ("Book a room", None, "task", "open"),
                     ("Draft the ADR", "Jeremy", "task", "open"), ("Update the wiki", "Diana", "marker", "open")]


def test_roll_call_checkboxes_are_attendees_not_tasks():
    from insights.readers import read_text

    document = read_text("# TAC Meeting - July 28, 2021\n## Attendees\n* [x] Larry Gritz, Sony Pictures Imageworks\n"
                         "* [ ] Bill Ballew - DreamWorks\n* Present: Clement [facilitator], Kateri [documenter], Ayo\n"
                         "## Agenda\n* Budget (Emily)\n  * Q4 is short\n", "2021-07-28.md")
    found = extract_document(document)
    assert found.actions == []
    roles = {(m.surface, m.role) for m in found.mentions}
    assert {("Larry Gritz", "attendee"), ("Clement", "facilitator"), ("Kateri", "attendee"),
            ("Ayo", "attendee")} <= roles
    assert not any(m.surface.startswith("Bill") for m in found.mentions)  # [ ] = not present


def test_sample_action_items_and_owners(sample_store):
    from insights.actions import list_actions

    found = {a.line: a for a in list_actions(sample_store)}
    assert set(found) == {a["line"] for a in GOLD["action_items"]}
    owners = {line: a.owner for line, a in found.items()}
    assert owners[230] == owners[267] == "David Joy"      # DavidJ / David Joy
    assert owners[264] == "Ned Batchelder"
    assert owners[266] == "Nimisha Asthagiri"
    assert owners[231] == owners[235] == "TNL"              # T&L and TNL are one team
    assert owners[69] == "Matt Hughes"
    assert owners[54] is None and found[54].rule == "call"
    assert found[230].rule == "section" and found[69].rule == "commitment"
    assert [a.line for a in list_actions(sample_store, owner="djoy")] == [230, 267]


def test_sample_owners_with_the_people_file(store):
    from insights.actions import list_actions
    from insights.pipeline import ingest

    settings.use(settings.Settings(people_file=str(ROOT / "data" / "people.toml")))
    ingest(store, [ROOT / "data" / "arch-hours-2021.txt"])
    owners = {a.line: a.owner for a in list_actions(store)}
    assert owners[231] == owners[235] == "Teaching & Learning"
    assert owners[230] == "David Joy"


def test_ids_are_fingerprints_with_a_suffix_for_repeats(store, tmp_path):
    from insights.pipeline import ingest

    notes = tmp_path / "repeat.txt"
    notes.write_text("2021-07-28\n[discuss] (Ned) Repeat\nACTION: Ship it\nACTION: ship it!\n", encoding="utf-8")
    ingest(store, [notes])
    ids = sorted(row[0] for row in store.conn.execute("SELECT id FROM action_items"))
    assert len(ids) == 2 and ids[1] == ids[0] + "-2"


def test_decisions_of_the_sample(sample_store):
    from insights.extract.reports import findings_rows

    assert [(d["line"], d["text"]) for d in findings_rows(sample_store)] == [(273, "Move ahead with this approach.")]


def test_reingest_replaces_rows(store, tmp_path):
    from insights.pipeline import ingest

    notes = tmp_path / "n.txt"
    notes.write_text("2021-07-28\n[discuss] (Ned) X\nACTION: one\n", encoding="utf-8")
    ingest(store, [notes])
    notes.write_text("2021-07-28\n[discuss] (Ned) X\nACTION: two\nACTION: three\n", encoding="utf-8")
    ingest(store, [notes])
    assert sorted(r[0] for r in store.conn.execute("SELECT text FROM action_items")) == ["three", "two"]
