"""Hostile queries never raise anything but a clear QueryError and never reach SQL as SQL."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.search import QueryError, search, timeline
from insights.search.query import parse

# An FTS5 expression built only from double-quoted strings, operators, parentheses and '*'.
_SAFE_FTS = re.compile(r'^(?:\s*(?:\(|\)|AND|OR|NOT|\*|"(?:[^"]|"")*"))*\s*$')

HOSTILE = [
    '"', '""', '"""', "*", "**", "NEAR(", "NEAR(a b, 3)", "') OR 1=1 --", "'; DROP TABLE notes; --",
    "a:b", "title:paver", "{title}: paver", "^paver", "paver^", "(paver", "paver)", "-", "--", "- -paver",
    "OR", "AND", "NOT", "OR OR paver", "paver OR", "NOT paver", "paver NOT", "+paver", "paver + tutor",
    "x" * 10_240, "paver " * 2000, "événement", "ＩＦＲＡＭＥ", "设备 栈", "مرحبا", "🚌 event 🚌 bus", "e\u0301vent",
    "\x00paver", "pa\x00ver", "\u202eparev", "%_%", "\\", "paver\\\"", "'\"'\"'", "NEAR/3", "*paver", "pav*er",
    "\"event bus\"*", "\"\"*", "-\"event bus\"", "null", "\ud7ff", "paver\n\ntutor\t*",
]


class Recording:
    """A connection stand-in that records every statement and its parameters."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn, self.statements = conn, []

    def execute(self, sql, params=()):
        self.statements.append((sql, params))
        return self._conn.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def attempt(store, text: str, **filters):
    """Search; a QueryError is an answer, anything else fails the test."""
    try:
        return search(store, text, **filters)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries(sample_store, text):
    attempt(sample_store, text)
    try:
        timeline(sample_store, text)
    except QueryError:
        pass


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_filters(sample_store, text):
    for name in ("person", "theme", "intent", "since", "until"):
        attempt(sample_store, "devstack", **{name: text})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
       | st.lists(st.sampled_from(['"', "*", "(", ")", "-", "OR", "AND", "NOT", "NEAR", ":", "^", "paver", "event",
                                   "bus", "'", "--", ";", " ", "{", "}", "+"]), max_size=12).map("".join))
def test_any_text_is_answered_or_refused_clearly(sample_store, text):
    attempt(sample_store, text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parsed_queries_are_only_quoted_strings_and_operators(text):
    try:
        fts = parse(text).to_fts()
    except QueryError:
        return
    assert _SAFE_FTS.match(fts), fts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_user_text_is_only_ever_a_bound_parameter(sample_store, text):
    marked = "qzx" + text + "qzx"
    recording = Recording(sample_store.conn)
    sample_store.conn = recording
    try:
        answered = attempt(sample_store, marked, person="qzx" + text) is not None
    finally:
        sample_store.conn = recording._conn
    assert recording.statements or not answered
    for sql, _ in recording.statements:
        assert "qzx" not in sql.casefold()


def test_a_ten_kilobyte_query_is_refused_with_a_message(sample_store):
    with pytest.raises(QueryError, match="too long"):
        search(sample_store, "event bus " * 1024)
