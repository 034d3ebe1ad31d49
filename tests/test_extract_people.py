"""People: kinds, alias merging (with ambiguity reported), and the sample's persons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from insights import settings
from insights.extract.people import Directory, kind_of, resolve, split_names
from insights.model import Person

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads((ROOT / "benchmarks" / "gold" / "extraction-sample.json").read_text(encoding="utf-8"))


@pytest.fixture
def no_people_file():
    settings.use(settings.Settings(people_file=""))
    yield
    settings.use(None)


@pytest.mark.parametrize("surface, kind", [
    ("TNL-8559", "ticket"), ("#arch-bom", "channel"), ("https://example.org/x", "url"),
    ("T&L", "team"), ("TNL", "team"), ("Arch-BOM", "team"), ("CI Working group", "team"),
    ("Ned Batchelder", "person"), ("djoy", "person"),
])
def test_kinds_are_never_people(surface, kind):
    assert kind_of(surface) == kind


def test_split_names():
    assert split_names("Ned, Usama") == ["Ned", "Usama"]
    assert split_names("Stephen, Vanessa, André") == ["Stephen", "Vanessa", "André"]
    assert split_names("Robert, ChrisP, and Feanil") == ["Robert", "ChrisP", "Feanil"]


def _forms(*surfaces: str) -> dict:
    return {("person", s): 1 for s in surfaces}


@pytest.mark.parametrize("surfaces, merged", [
    (("David J", "David Joy"), {"David J", "David Joy"}),        # first name + initial
    (("DavidJ", "David J"), {"DavidJ", "David J"}),              # joined form
    (("djoy", "David Joy"), {"djoy", "David Joy"}),              # handle: initial + last name
    (("david.joy", "David Joy"), {"david.joy", "David Joy"}),    # handle with a dot
    (("Nim", "Nimisha Asthagiri"), {"Nim", "Nimisha Asthagiri"}),  # short form of one first name
    (("ned", "Ned", "Ned Batchelder"), {"ned", "Ned", "Ned Batchelder"}),
    (("Régis", "Régis Behmo"), {"Régis", "Régis Behmo"}),
])
def test_automatic_merging(surfaces, merged):
    result = resolve(_forms(*surfaces))
    names = {result.name_of(s) for s in surfaces}
    assert len(names) == 1
    person = next(p for p in result.persons if p.name in names)
    assert {person.name, *person.aliases} == merged
    assert not result.ambiguous


def test_ambiguous_first_name_is_reported_not_merged():
    result = resolve(_forms("Adam", "Adam B", "AdamS"))
    assert result.name_of("Adam") == "Adam"
    assert result.ambiguous == [("Adam", ("Adam B", "AdamS"))]
    assert {p.name for p in result.persons} == {"Adam", "Adam B", "AdamS"}


def test_two_full_names_with_one_initial_stay_apart():
    result = resolve(_forms("David J", "David Joy", "David Jones"))
    assert result.name_of("David J") == "David J"
    assert result.ambiguous and result.ambiguous[0][0] == "David J"


def test_directory_names_win_and_teams_merge_by_key():
    directory = Directory((Person("Dave Ormsbee", ("Dave O",)),
                           Person("Teaching & Learning", ("T&L",), kind="team")))
    result = resolve({("person", "Dave O"): 3, ("team", "TNL"): 1, ("team", "T&L"): 1}, directory)
    assert result.name_of("Dave O") == "Dave Ormsbee"
    assert result.name_of("TNL", "team") == "Teaching & Learning"
    assert resolve({("team", "TNL"): 1, ("team", "T&L"): 1}).name_of("T&L", "team") == "TNL"


def _clusters(store, written):
    from insights.extract import people

    return {frozenset({p.name, *p.aliases} & written) for p in people(store) if p.kind == "person"}


def test_sample_people_without_the_people_file(no_people_file, store):
    from insights.extract import refresh_people
    from insights.pipeline import ingest

    ingest(store, [ROOT / "data" / "arch-hours-2021.txt"])
    refresh_people(store)
    written = {row[0] for row in store.conn.execute("SELECT surface FROM mentions")}
    expected = {frozenset(p["surfaces"]) for p in GOLD["people"] if p["kind"] == "person"}
    assert _clusters(store, written) == expected


def test_people_listing_counts_roles(no_people_file, sample_store):
    from insights.extract.reports import people_rows

    rows = {row["name"]: row for row in people_rows(sample_store)}
    david = rows["David Joy"]
    assert set(david["aliases"]) == {"David J", "DavidJ", "djoy"}
    assert (david["topics_proposed"], david["actions_owned"]) == (5, 2)
    assert (david["first_seen"], david["last_seen"]) == ("2021-07-28", "2021-12-22")
    assert rows["Adam"]["ambiguous_with"] == '["Adam B", "AdamS"]'
    assert rows["TNL"]["kind"] == "team"
    assert not any(name.startswith(("#", "http")) or name == "TNL-8559" for name in rows)
