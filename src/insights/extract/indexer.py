"""Keeps the extraction tables current: runs inside each file's ingest transaction.

>>> from insights.store import Store
>>> from insights.readers.text import read
>>> store = Store(":memory:")
>>> _ = store.replace_document("/a.txt", "0", 1, read("2021-07-28\\n[quest] (Ada) Why?\\nAda will check.\\n", "a.txt"))
>>> [(p.name, p.kind) for p in people(store)]
[('Ada', 'person')]
>>> [tuple(r) for r in store.conn.execute("SELECT owner, rule FROM action_items")]
[('Ada', 'commitment')]

Canonical persons depend on every file (an alias seen in one file merges forms seen in
others), so they are not rebuilt per file: storing or removing a file marks them stale
and :func:`refresh_people` rebuilds them, and re-resolves action item owners, the next
time anything reads them.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter

from ..model import ActionItem, Document, Person
from ..store import INDEXERS
from .document import extract_document
from .people import Directory, resolve, split_names

__all__ = ["ExtractIndexer", "refresh_people", "people", "directory", "INDEXER"]

_directory_cache: dict[tuple, Directory] = {}


def _directory_signature() -> tuple:
    from .. import settings

    path = settings.current().people_path
    try:
        return (str(path), os.stat(path).st_mtime_ns) if path else ("", 0)
    except OSError:
        return (str(path), 0)


def directory() -> Directory:
    """The people file of the current settings (empty when there is none)."""
    from .. import settings

    signature = _directory_signature()
    if signature not in _directory_cache:
        path = settings.current().people_path
        _directory_cache.clear()
        _directory_cache[signature] = Directory.load(path) if signature[1] else Directory()
    return _directory_cache[signature]


class ExtractIndexer:
    """Writes intents, mentions, decisions, questions and action items for one file."""

    name = "extract"

    def __init__(self):
        self.known: set[str] = set()  # names learnt so far in this process, lower-case

    def stored(self, conn: sqlite3.Connection, file_id: int, document: Document) -> None:
        found = extract_document(document, directory=directory(), known=self.known)
        dates = {m.id: m.date.isoformat() for m in document.meetings}
        conn.executemany(
            "INSERT INTO topic_intents (topic_id, file_id, ordinal, intent, known) VALUES (?, ?, ?, ?, ?)",
            [(topic_id, file_id, i, intent, known)
             for topic_id in found.intents
             for i, (intent, known) in enumerate([(x, 1) for x in found.intents[topic_id]]
                                                 + [(x, 0) for x in found.unknown_intents.get(topic_id, [])])])
        conn.executemany(
            "INSERT INTO mentions (file_id, meeting_id, topic_id, meeting_date, kind, role, surface, source, line) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(file_id, m.meeting.id if m.meeting else None, m.topic.id if m.topic else None,
              dates.get(m.meeting.id) if m.meeting else None, m.kind, m.role, m.surface, document.source, m.line)
             for m in found.mentions])
        conn.executemany(
            "INSERT INTO findings (file_id, meeting_id, topic_id, meeting_date, kind, text, rationale, rule, source, "
            "line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(file_id, f.meeting.id if f.meeting else None, f.topic.id if f.topic else None,
              dates.get(f.meeting.id) if f.meeting else None, f.kind, f.text, f.rationale, f.rule, document.source,
              f.line) for f in found.findings])
        rows, seen = [], Counter()
        for item in found.actions:
            fingerprint = ActionItem.make_fingerprint(item.text, item.meeting.date, document.source)
            seen[fingerprint] += 1
            item_id = fingerprint if seen[fingerprint] == 1 else f"{fingerprint}-{seen[fingerprint]}"
            kind = "team" if item.owner_text and _is_team(item.owner_text) else "person"
            rows.append((item_id, fingerprint, file_id, item.meeting.id, item.topic.id if item.topic else None,
                         item.meeting.date.isoformat(), item.text, item.owner_text,
                         _canonical_owner(item.owner_text, kind), item.due.isoformat() if item.due else None,
                         item.status, item.rule, item.confidence, document.source, item.line, kind))
        conn.executemany(
            "INSERT INTO action_items (id, fingerprint, file_id, meeting_id, topic_id, meeting_date, text, owner_text, "
            "owner, due, source_status, rule, confidence, source, line, owner_kind) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("UPDATE people_state SET dirty = 1 WHERE id = 1")

    def removed(self, conn: sqlite3.Connection, file_id: int) -> None:
        for table in ("action_items", "findings", "mentions", "topic_intents"):
            conn.execute(f"DELETE FROM {table} WHERE file_id = ?", (file_id,))
        conn.execute("UPDATE people_state SET dirty = 1 WHERE id = 1")


def _is_team(owner_text: str) -> bool:
    from .people import kind_of

    names = split_names(owner_text)
    return bool(names) and all(kind_of(n, directory().teams) == "team" for n in names)


def _canonical_owner(owner_text: str | None, kind: str) -> str | None:
    """Owner names through the people file (automatic merges follow at the next refresh)."""
    if not owner_text:
        return None
    from .people import name_key, team_key

    table = directory().lookup()
    names = []
    for name in split_names(owner_text):
        person = table.get("team:" + team_key(name)) if kind == "team" else table.get(name_key(name))
        names.append(person.name if person else name)
    return ", ".join(dict.fromkeys(names)) or None


def refresh_people(store_or_conn, *, force: bool = False) -> bool:
    """Rebuild canonical persons and action item owners when mentions or the people file changed.

    Returns True when it rebuilt. Cheap: it reads distinct written forms, not every mention.
    """
    conn = getattr(store_or_conn, "conn", store_or_conn)
    state = conn.execute("SELECT dirty, directory FROM people_state WHERE id = 1").fetchone()
    signature = json.dumps(_directory_signature())
    if state and not state[0] and state[1] == signature and not force:
        return False
    listing = directory()
    forms = {(kind, surface): count for kind, surface, count in conn.execute(
        "SELECT kind, surface, count(*) FROM mentions WHERE kind IN ('person', 'team') GROUP BY kind, surface")}
    result = resolve(forms, listing)
    own_transaction = not conn.in_transaction
    if own_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM person_aliases")
        conn.execute("DELETE FROM persons")
        conn.execute("DELETE FROM person_ambiguities")
        conn.executemany("INSERT INTO persons (name, kind, team, jira_account_id, jira_username) VALUES (?, ?, ?, ?, ?)",
                         [(p.name, p.kind, p.team, p.jira_account_id, p.jira_username)
                          for p in _unique(result.persons)])
        aliases = {}
        for (kind, surface) in forms:
            name = result.name_of(surface, kind)
            if name:
                aliases[(kind, surface)] = name
        for person in result.persons:
            for alias in (person.name, *person.aliases):
                aliases.setdefault((person.kind, alias), person.name)
        conn.executemany("INSERT OR IGNORE INTO person_aliases (alias, kind, person) VALUES (?, ?, ?)",
                         [(alias, kind, name) for (kind, alias), name in aliases.items()])
        conn.executemany("INSERT OR REPLACE INTO person_ambiguities (alias, candidates) VALUES (?, ?)",
                         [(alias, json.dumps(list(names))) for alias, names in result.ambiguous])
        updates = []
        for item_id, owner_text, kind in conn.execute(
                "SELECT id, owner_text, owner_kind FROM action_items WHERE owner_text IS NOT NULL").fetchall():
            names = [result.name_of(n, kind or "person") or result.name_of(n, "team") or n
                     for n in split_names(owner_text)]
            updates.append((", ".join(dict.fromkeys(names)) or None, item_id))
        conn.executemany("UPDATE action_items SET owner = ? WHERE id = ?", updates)
        conn.execute("UPDATE people_state SET dirty = 0, directory = ? WHERE id = 1", (signature,))
    except BaseException:
        if own_transaction:
            conn.execute("ROLLBACK")
        raise
    if own_transaction:
        conn.execute("COMMIT")
    return True


def _unique(persons: list[Person]) -> list[Person]:
    seen, out = set(), []
    for person in persons:
        if person.name not in seen:
            seen.add(person.name)
            out.append(person)
    return out


def people(store) -> list[Person]:
    """Canonical persons and teams with their aliases, refreshed when stale."""
    refresh_people(store)
    conn = store.conn
    rows = conn.execute("SELECT name, kind, team, jira_account_id, jira_username FROM persons ORDER BY kind, name")
    aliases: dict[str, list[str]] = {}
    for alias, person in conn.execute("SELECT alias, person FROM person_aliases ORDER BY alias"):
        aliases.setdefault(person, []).append(alias)
    return [Person(r[0], tuple(a for a in aliases.get(r[0], []) if a != r[0]), r[1], r[2], r[3], r[4])
            for r in rows]


INDEXER = ExtractIndexer()
if not any(getattr(i, "name", None) == INDEXER.name for i in INDEXERS):
    INDEXERS.append(INDEXER)
