"""The full-text index: one FTS5 row per topic, kept current by ingest.

>>> from insights.store import Store
>>> from insights.readers import read_text
>>> store = Store(":memory:")
>>> doc = read_text("2021-09-01\\n[quest] (djoy) Event bus?\\nNote: #event-bus channel\\n", "a.txt")
>>> _ = store.replace_document("/a.txt", "x", 1, doc)
>>> store.conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH '\\"event bus\\"'").fetchone()[0]
1

A *unit* is what search ranks and returns: a topic (header line plus its notes), or the
notes a meeting has before its first topic. ``title`` holds the topic title, ``body`` the
notes one per line (``search_units.lines`` says which source line each is) and
``people`` the proposer as written. :class:`SearchIndexer` writes a file's units in the
file's ingest transaction; :func:`ensure_current` indexes files stored without it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from ..model import Document
from ..store import INDEXERS

__all__ = ["SearchIndexer", "Unit", "units_from_document", "units_from_store", "write_units", "ensure_current",
           "register", "normalise_intents", "clean"]

# Control characters never reach the index: \x02 and \x03 mark highlights in its output.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean(text: str | None) -> str:
    """One line of text without control characters.

    >>> clean("a\\x02b\\nc")
    'a b c'
    """
    return _CONTROL.sub(" ", text or "").strip()


def normalise_intents(tag: str | None) -> list[str]:
    """Intent words of a raw tag: the normalised intents plus the tag's own words.

    >>> normalise_intents("quick question (hopefully)")[:1]
    ['quest']
    """
    if not tag:
        return []
    words = re.findall(r"[a-z0-9]+", tag.casefold())
    try:
        from ..extract.intents import normalise_intents as extract_intents

        normalised = extract_intents(tag)[0]
    except ImportError:  # the extraction stage is optional
        normalised = []
    return list(dict.fromkeys([*normalised, *words]))


@dataclass(frozen=True)
class Unit:
    """One searchable topic (or a meeting's notes before its first topic)."""

    meeting_id: str
    topic_id: str | None
    meeting_date: str
    meeting_title: str
    source: str
    line: int
    title: str
    people: str
    intents: tuple[str, ...]
    lines: tuple[int, ...]
    body: tuple[str, ...]


def units_from_document(document: Document) -> list[Unit]:
    """The units of a parsed file, in file order."""
    units = []
    for meeting in document.meetings:
        date = meeting.date.isoformat()
        notes = sorted(meeting.notes, key=lambda n: n.line)
        if notes:
            units.append(Unit(meeting.id, None, date, meeting.title, meeting.source, meeting.line, "", "", (),
                              tuple(n.line for n in notes), tuple(clean(n.text) for n in notes)))
        for topic in meeting.topics:
            notes = sorted(topic.notes, key=lambda n: n.line)
            units.append(Unit(meeting.id, topic.id, date, meeting.title, meeting.source, topic.line,
                              clean(topic.title), clean(topic.proposer_text), tuple(normalise_intents(topic.tag)),
                              tuple(n.line for n in notes), tuple(clean(n.text) for n in notes)))
    return units


def units_from_store(conn: sqlite3.Connection, file_id: int) -> list[Unit]:
    """The same units, rebuilt from the records a file left in the store.

    Three reads a file: its meetings, their topics, and its run of note ids (migration 0007),
    whose notes are handed out by topic, or by meeting for a meeting's own notes.
    """
    meetings = conn.execute("SELECT id, date, title, source, line FROM meetings WHERE file_id = ? ORDER BY line",
                            (file_id,)).fetchall()
    topics: dict[str, list[tuple]] = {m[0]: [] for m in meetings}
    for row in conn.execute("SELECT t.meeting_id, t.id, t.title, t.tag, t.proposer_text, t.line FROM topics t "
                            "JOIN meetings m ON m.id = t.meeting_id WHERE m.file_id = ? ORDER BY t.ordinal",
                            (file_id,)):
        topics[row[0]].append(row[1:])
    by_topic: dict[str, list[tuple[int, str]]] = {}
    by_meeting: dict[str, list[tuple[int, str]]] = {}  # a meeting's own notes, before its first topic
    for topic_id, meeting_id, kind, text, line in conn.execute(
            "SELECT n.topic_id, n.meeting_id, n.kind, n.text, n.line FROM files f "
            "JOIN notes n ON n.id BETWEEN f.notes_first AND f.notes_last AND n.file_id = f.id "
            "WHERE f.id = ? ORDER BY n.id", (file_id,)):
        if topic_id is not None:
            by_topic.setdefault(topic_id, []).append((line, text))
        elif kind == "meeting":
            by_meeting.setdefault(meeting_id, []).append((line, text))
    units = []
    for m_id, date, m_title, source, m_line in meetings:
        own = sorted(by_meeting.get(m_id, ()), key=lambda n: n[0])
        if own:
            units.append(Unit(m_id, None, date, m_title, source, m_line, "", "", (),
                              tuple(n[0] for n in own), tuple(clean(n[1]) for n in own)))
        for t_id, title, tag, proposer, line in topics[m_id]:
            mine = sorted(by_topic.get(t_id, ()), key=lambda n: n[0])
            units.append(Unit(m_id, t_id, date, m_title, source, line, clean(title), clean(proposer),
                              tuple(normalise_intents(tag)), tuple(n[0] for n in mine),
                              tuple(clean(n[1]) for n in mine)))
    return units


def write_units(conn: sqlite3.Connection, file_id: int, units: list[Unit]) -> None:
    """Replace the index rows of ``file_id`` with ``units`` (call inside a transaction)."""
    remove_file(conn, file_id)
    for unit in units:
        unit_id = conn.execute(
            "INSERT INTO search_units (file_id, meeting_id, topic_id, meeting_date, meeting_title, source, line, "
            "lines, intents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (file_id, unit.meeting_id, unit.topic_id, unit.meeting_date, unit.meeting_title, unit.source, unit.line,
             json.dumps(list(unit.lines)), " " + " ".join(unit.intents) + " "),
        ).lastrowid
        conn.execute("INSERT INTO search_fts (rowid, title, body, people) VALUES (?, ?, ?, ?)",
                     (unit_id, unit.title, "\n".join(unit.body), unit.people))
    conn.execute("INSERT OR IGNORE INTO search_files (file_id) VALUES (?)", (file_id,))


def remove_file(conn: sqlite3.Connection, file_id: int) -> None:
    """Drop a file's index rows (the trigger on ``search_units`` drops their FTS rows)."""
    conn.execute("DELETE FROM search_units WHERE file_id = ?", (file_id,))
    conn.execute("DELETE FROM search_files WHERE file_id = ?", (file_id,))


class SearchIndexer:
    """The store hook: index a file's units when stored, drop them when removed."""

    name = "search"

    def stored(self, conn: sqlite3.Connection, file_id: int, document: Document) -> None:
        write_units(conn, file_id, units_from_document(document))

    def removed(self, conn: sqlite3.Connection, file_id: int) -> None:
        remove_file(conn, file_id)


def register() -> None:
    """Add the search indexer to the store's hooks (once)."""
    if not any(getattr(i, "name", None) == SearchIndexer.name for i in INDEXERS):
        INDEXERS.append(SearchIndexer())


def ensure_current(store) -> int:
    """Index files stored while the indexer was not registered; return how many.

    >>> from insights.store import Store
    >>> ensure_current(Store(":memory:"))
    0
    """
    conn = store.conn
    missing = [r[0] for r in conn.execute(
        "SELECT id FROM files WHERE id NOT IN (SELECT file_id FROM search_files)")]
    if not missing:
        return 0
    with store.transaction() as tx:
        for file_id in missing:
            write_units(tx, file_id, units_from_store(tx, file_id))
    return len(missing)
