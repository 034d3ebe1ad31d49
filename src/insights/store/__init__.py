"""The local SQLite store: numbered migrations, WAL, one transaction per file.

>>> store = Store(":memory:")
>>> store.schema_version() >= 1
True

Other stages keep their own tables current by registering an :class:`Indexer`: after a
file's records are written (inside the same transaction) each indexer's ``stored`` is
called, and before a file is removed its ``removed`` is called, so the store never holds
records without their index rows or the other way round.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator, Protocol

from ..errors import InsightsError
from ..model import Document

__all__ = ["Store", "Indexer", "INDEXERS", "default_db_path", "StoredFile", "TOPIC_NOTES"]

#: Join condition from a topic ``t`` to its notes ``n``: the topic's run of note ids bounds
#: the search and its key decides (see migration 0007). The unary ``+`` keeps the key out of
#: the query planner's reach: left to choose, it scans every note and looks each topic up by
#: key, or builds a temporary index on ``notes.topic_id``, instead of reading the run.
TOPIC_NOTES = "n.id BETWEEN t.notes_first AND t.notes_last AND +n.topic_id = +t.id"


def default_db_path() -> str:
    """``$INSIGHTS_DB`` when set, else ``./insights.db``."""
    return os.environ.get("INSIGHTS_DB") or "insights.db"


class Indexer(Protocol):
    """A stage that derives rows from a file's records (search index, extraction)."""

    name: str

    def stored(self, conn: sqlite3.Connection, file_id: int, document: Document) -> None: ...

    def removed(self, conn: sqlite3.Connection, file_id: int) -> None: ...


#: Indexers run for every stored or removed file, in order.
INDEXERS: list[Indexer] = []


@dataclass(frozen=True)
class StoredFile:
    id: int
    path: str
    source: str
    sha256: str
    size: int
    format: str


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("insights.store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name[:-4], entry.read_text(encoding="utf-8")))
    return sorted(found)


class Store:
    """A connection to the insights database, migrated on open.

    ``path`` is a file name or ``":memory:"``. Use as a context manager to close it.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = str(path if path is not None else default_db_path())
        if self.path != ":memory:":
            parent = Path(self.path).parent
            if not parent.exists():
                raise InsightsError(f"cannot open database {self.path}: folder {parent} does not exist")
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            # Every stage deletes its own rows by file (see `_remove` and the indexers), so the
            # REFERENCES clauses document the schema without being enforced: enforcing them makes
            # each deleted meeting scan every child table that has no index on its key.
            self.conn.execute("PRAGMA foreign_keys = OFF")
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA busy_timeout = 10000")
            self.conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: bulk ingest touches many index pages
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InsightsError(f"cannot use database {self.path}: {exc}") from None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return row[0] or 0

    def _migrate(self) -> None:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in self.conn.execute("SELECT version FROM schema_migrations")}
        for version, name, sql in _migrations():
            if version in applied:
                continue
            with self.transaction():
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _now()),
                )

    class _Transaction:
        """All or nothing; inside another transaction it is a savepoint, so a batch of files
        shares one commit while each file can still be rolled back on its own."""

        def __init__(self, conn: sqlite3.Connection):
            self.conn = conn
            self.nested = False

        def __enter__(self) -> sqlite3.Connection:
            self.nested = self.conn.in_transaction
            self.conn.execute("SAVEPOINT insights_file" if self.nested else "BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, exc_type, exc, tb) -> None:
            if self.nested:
                if exc_type is not None:
                    self.conn.execute("ROLLBACK TO insights_file")
                self.conn.execute("RELEASE insights_file")
            elif exc_type is None:
                self.conn.execute("COMMIT")
            else:
                self.conn.execute("ROLLBACK")

    def transaction(self) -> "Store._Transaction":
        """``with store.transaction() as conn:``: all or nothing (a savepoint when nested)."""
        return Store._Transaction(self.conn)

    # -- files -----------------------------------------------------------------------------
    def file(self, path: str) -> StoredFile | None:
        row = self.conn.execute(
            "SELECT id, path, source, sha256, size, format FROM files WHERE path = ?", (path,)
        ).fetchone()
        return StoredFile(*row) if row else None

    def files(self) -> list[StoredFile]:
        rows = self.conn.execute("SELECT id, path, source, sha256, size, format FROM files ORDER BY path")
        return [StoredFile(*row) for row in rows]

    def replace_document(self, path: str, sha256: str, size: int, document: Document) -> int:
        """Store ``document`` as the content of ``path``, replacing what was there, atomically."""
        with self.transaction() as conn:
            old = conn.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
            if old:
                self._remove(conn, old[0])
            file_id = conn.execute(
                "INSERT INTO files (path, source, sha256, size, format, encoding, ingested_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (path, document.source, sha256, size, document.format, document.encoding, _now()),
            ).lastrowid
            self._insert_records(conn, file_id, document)
            for indexer in INDEXERS:
                indexer.stored(conn, file_id, document)
        return file_id

    def remove_file(self, path: str) -> bool:
        """Forget a file and everything derived from it; False when it was not stored."""
        with self.transaction() as conn:
            old = conn.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
            if not old:
                return False
            self._remove(conn, old[0])
        return True

    def _remove(self, conn: sqlite3.Connection, file_id: int) -> None:
        for indexer in reversed(INDEXERS):
            indexer.removed(conn, file_id)
        conn.execute("DELETE FROM notes WHERE id BETWEEN (SELECT notes_first FROM files WHERE id = ?1) "
                     "AND (SELECT notes_last FROM files WHERE id = ?1) AND file_id = ?1", (file_id,))
        conn.execute("DELETE FROM topics WHERE meeting_id IN (SELECT id FROM meetings WHERE file_id = ?)", (file_id,))
        conn.execute("DELETE FROM meetings WHERE file_id = ?", (file_id,))
        conn.execute("DELETE FROM problems WHERE file_id = ?", (file_id,))
        conn.execute("DELETE FROM files WHERE id = ?", (file_id,))

    @staticmethod
    def _insert_records(conn: sqlite3.Connection, file_id: int, document: Document) -> None:
        # Notes are numbered in source order, so that each topic's notes (and the file's) are one
        # run of ids that the topic (and the file) records: see migration 0007. SQLite gives each
        # inserted row the largest id so far plus one, so the run starts at ``first``.
        first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM notes").fetchone()[0]
        meetings, topics = [], []
        values: list = []  # the notes' columns, row after row (see _insert_rows)
        width = len(_NOTE_COLUMNS)
        add = values.extend
        for note in document.preamble:
            add((file_id, None, None, "preamble", note.text, note.line, note.level))
        for meeting in document.meetings:
            m_id = meeting.id
            meetings.append((m_id, file_id, meeting.date.isoformat(), meeting.title, meeting.source, meeting.line))
            for note in meeting.notes:
                add((file_id, m_id, None, "meeting", note.text, note.line, note.level))
            for ordinal, topic in enumerate(meeting.topics):
                t_id, start = topic.id, first + len(values) // width
                for note in topic.notes:
                    add((file_id, m_id, t_id, "topic", note.text, note.line, note.level))
                end = first + len(values) // width - 1
                topics.extend((t_id, m_id, ordinal, topic.title, topic.tag, topic.proposer_text, topic.votes,
                               topic.line, topic.level, start if end >= start else None,
                               end if end >= start else None))
        last = first + len(values) // width - 1
        try:
            conn.executemany("INSERT INTO meetings (id, file_id, date, title, source, line) VALUES (?, ?, ?, ?, ?, ?)",
                             meetings)
            _insert_rows(conn, "topics (id, meeting_id, ordinal, title, tag, proposer_text, votes, line, level, "
                         "notes_first, notes_last)", 11, topics)
        except sqlite3.IntegrityError as exc:
            raise InsightsError(f"{document.source}: a meeting or topic is stored already from another file ({exc})")
        _insert_rows(conn, f"notes ({', '.join(_NOTE_COLUMNS)})", width, values)
        if last >= first:
            stored = conn.execute("SELECT max(id) FROM notes").fetchone()[0]
            if stored != last:  # only if another writer slipped in, which the transaction rules out
                raise InsightsError(f"{document.source}: notes were numbered {first}-{stored}, expected up to {last}")
            conn.execute("UPDATE files SET notes_first = ?, notes_last = ? WHERE id = ?", (first, last, file_id))
        conn.executemany(
            "INSERT INTO problems (file_id, line, code, message) VALUES (?, ?, ?, ?)",
            [(file_id, p.line, p.code, p.message) for p in document.problems],
        )

    # -- queries ---------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {
            table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("files", "meetings", "topics", "notes")
        }

    def meetings(self, *, month: str | None = None, date: str | None = None) -> list[dict]:
        """Meetings, newest first, with topic and note counts."""
        where, params = _date_filter(month, date)
        rows = self.conn.execute(
            f"""SELECT m.id, m.date, m.title, m.source, m.line,
                       (SELECT count(*) FROM topics t WHERE t.meeting_id = m.id) AS topics,
                       (SELECT count(*) FROM notes n WHERE n.meeting_id = m.id AND n.topic_id IS NULL)
                       + (SELECT count(*) FROM topics t JOIN notes n ON {TOPIC_NOTES}
                          WHERE t.meeting_id = m.id) AS notes
                FROM meetings m {where} ORDER BY m.date DESC, m.source, m.line""",
            params,
        )
        return [dict(row) for row in rows]

    def topics(self, *, month: str | None = None, date: str | None = None,
               meeting_id: str | None = None) -> list[dict]:
        """Topics in meeting order, with their meeting's date and source."""
        where, params = _date_filter(month, date)
        if meeting_id:
            where = (where + " AND" if where else "WHERE") + " m.id = ?"
            params.append(meeting_id)
        rows = self.conn.execute(
            f"""SELECT t.id, m.date AS meeting_date, m.id AS meeting_id, t.title, t.tag, t.proposer_text,
                       t.votes, m.source, t.line, t.level
                FROM topics t JOIN meetings m ON m.id = t.meeting_id {where}
                ORDER BY m.date DESC, m.source, m.line, t.ordinal""",
            params,
        )
        return [dict(row) for row in rows]

    def notes(self, *, topic_id: str | None = None, meeting_id: str | None = None) -> list[dict]:
        if topic_id:
            rows = self.conn.execute(
                f"SELECT n.text, n.line, n.level FROM topics t JOIN notes n ON {TOPIC_NOTES} WHERE t.id = ? "
                "ORDER BY n.line", (topic_id,))
        else:
            rows = self.conn.execute(
                "SELECT text, line, level FROM notes WHERE meeting_id = ? AND topic_id IS NULL AND kind = 'meeting' "
                "ORDER BY line",
                (meeting_id,))
        return [dict(row) for row in rows]

    def problems(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT f.source, p.line, p.code, p.message FROM problems p JOIN files f ON f.id = p.file_id "
            "ORDER BY f.source, p.line")
        return [dict(row) for row in rows]

    def iter_meetings_tree(self, *, month: str | None = None, date: str | None = None) -> Iterator[dict]:
        """Meetings oldest first, each with its topics and their notes (the export shape)."""
        where, params = _date_filter(month, date)
        meetings = self.conn.execute(
            f"SELECT m.id, m.date, m.title, m.source, m.line FROM meetings m {where} "
            "ORDER BY m.date, m.source, m.line", params).fetchall()
        for m_id, day, title, source, line in meetings:
            topics = self.conn.execute(
                "SELECT id, title, tag, proposer_text, votes, line, notes_first, notes_last FROM topics "
                "WHERE meeting_id = ? ORDER BY ordinal", (m_id,)).fetchall()
            # A meeting's topics hold consecutive runs of note ids (migration 0007): their notes
            # are read in one range and handed out by topic key.
            notes: dict[str, list[dict]] = {topic[0]: [] for topic in topics}
            runs = [(topic[6], topic[7]) for topic in topics if topic[6] is not None]
            if runs:
                for topic_id, text, note_line, level in self.conn.execute(
                        "SELECT topic_id, text, line, level FROM notes WHERE id BETWEEN ? AND ? ORDER BY id",
                        (min(first for first, _ in runs), max(last for _, last in runs))):
                    if topic_id in notes:
                        notes[topic_id].append({"text": text, "line": note_line, "level": level})
            yield {"id": m_id, "date": day, "title": title, "source": source, "line": line,
                   "notes": self.notes(meeting_id=m_id),
                   "topics": [{"id": t_id, "title": t_title, "tag": tag, "proposer_text": proposer, "votes": votes,
                               "line": t_line, "notes": notes[t_id]}
                              for t_id, t_title, tag, proposer, votes, t_line, _, _ in topics]}


def _date_filter(month: str | None, date: str | None) -> tuple[str, list]:
    if date:
        return "WHERE m.date = ?", [date]
    if month:
        return "WHERE substr(m.date, 1, 7) = ?", [month]
    return "", []


def _split_sql(sql: str) -> list[str]:
    """Statements of a migration file; a trigger body's inner ``;`` stays with its trigger."""
    statements, current = [], []
    for line in sql.splitlines():
        if line.strip().startswith("--") and not current:
            continue
        current.append(line)
        joined = "\n".join(current)
        if sqlite3.complete_statement(joined):
            if joined.strip():
                statements.append(joined)
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current))
    return statements


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


#: The columns of a note row as ``Store._insert_records`` lays them out (the id is SQLite's).
_NOTE_COLUMNS = ("file_id", "meeting_id", "topic_id", "kind", "text", "line", "level")
#: Rows per INSERT statement in :func:`_insert_rows`.
ROWS_PER_INSERT = 32


def _insert_rows(conn: sqlite3.Connection, table: str, width: int, values: list) -> None:
    """Insert rows given as one flat list of ``width`` columns each, many rows per statement.

    A statement per row pays for the statement itself (step, reset, the driver's loop) on
    every row; with 32 rows per ``VALUES`` list, notes are written about a fifth faster.

    ``OR FAIL``: a statement of many rows that may stop on a constraint would otherwise keep a
    statement journal, copying the pages it changes so as to undo just itself; SQLite trims
    that in-memory journal on every statement by walking it from the start, which grows with
    each page a file has changed so far. On failure the caller's transaction or the file's
    savepoint undoes the rows the statement did write.
    """
    row = "(" + ", ".join("?" * width) + ")"
    chunk = ROWS_PER_INSERT * width
    full = len(values) - len(values) % chunk
    if full:
        conn.executemany(f"INSERT OR FAIL INTO {table} VALUES " + ", ".join([row] * ROWS_PER_INSERT),
                         [values[start:start + chunk] for start in range(0, full, chunk)])
    if full < len(values):
        conn.executemany(f"INSERT INTO {table} VALUES {row}",
                         [values[start:start + width] for start in range(full, len(values), width)])
