"""The store's schema over time: migrations of existing databases and the note-id runs."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from conftest import SAMPLE
from insights.errors import InsightsError
from insights.model import Document, Meeting, Note, Topic
from insights.pipeline import ingest
from insights.store import Store, _migrations, _split_sql

SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")


def _old_database(path: Path, records: Path, up_to: int) -> None:
    """A database at schema ``up_to`` holding the records of ``records`` as that schema stored them."""
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at TEXT NOT NULL)")
    for version, name, sql in _migrations():
        if version <= up_to:
            for statement in _split_sql(sql):
                old.execute(statement)
            old.execute("INSERT INTO schema_migrations VALUES (?, ?, '2021-12-22T00:00:00+00:00')", (version, name))
    new = sqlite3.connect(records)
    old.execute("BEGIN")
    for row in new.execute("SELECT id, path, source, sha256, size, format, encoding, ingested_at FROM files"):
        old.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
    for row in new.execute("SELECT * FROM meetings"):
        old.execute("INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?)", row)
    for row in new.execute("SELECT id, meeting_id, ordinal, title, tag, proposer_text, votes, line, level "
                           "FROM topics"):
        old.execute("INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
    # The old schema let SQLite number the notes, file by file in source order.
    for row in new.execute("SELECT file_id, meeting_id, topic_id, kind, text, line, level FROM notes ORDER BY id"):
        old.execute("INSERT INTO notes (file_id, meeting_id, topic_id, kind, text, line, level) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", row)
    old.execute("COMMIT")
    old.close()
    new.close()


@pytest.mark.parametrize("legacy_indexes", [False, True])
def test_a_database_from_before_note_runs_is_migrated_and_reads_the_same(tmp_path, legacy_indexes):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(SAMPLE_TEXT, encoding="utf-8")
    (folder / "b.txt").write_text(SAMPLE_TEXT.replace("2021-", "2020-"), encoding="utf-8")
    with Store(tmp_path / "new.db") as new:
        ingest(new, [folder])
        expected = list(new.iter_meetings_tree())
        counts = [m["notes"] for m in new.meetings()]
    _old_database(tmp_path / "old.db", tmp_path / "new.db", up_to=6)
    if legacy_indexes:  # the shape of the earliest databases: full indexes on file and meeting
        with sqlite3.connect(tmp_path / "old.db") as conn:
            conn.executescript("DROP INDEX notes_loose_file; DROP INDEX notes_loose_meeting; "
                               "CREATE INDEX notes_file ON notes(file_id); CREATE INDEX notes_meeting ON notes(meeting_id);")

    with Store(tmp_path / "old.db") as store:
        assert store.schema_version() >= 7
        indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {i for i in indexes if i.startswith("notes_")} == {"notes_loose_meeting"}
        assert list(store.iter_meetings_tree()) == expected
        assert [m["notes"] for m in store.meetings()] == counts
        # A file edited after the migration is replaced whole, its old notes included.
        (folder / "a.txt").write_text(SAMPLE_TEXT.replace("Paver", "Make"), encoding="utf-8")
        summary = ingest(store, [folder])
        assert summary.files_replaced == 1 and summary.files_skipped == 1
        texts = [r[0] for r in store.conn.execute(
            "SELECT n.text FROM notes n JOIN files f ON f.id = n.file_id WHERE f.path LIKE '%a.txt'")]
        assert texts and not any("Paver" in t for t in texts)
        assert store.conn.execute("SELECT count(*) FROM notes WHERE file_id NOT IN (SELECT id FROM files)"
                                  ).fetchone()[0] == 0


def test_note_runs_cover_exactly_their_notes_through_replacements_and_prunes(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    texts = {name: SAMPLE_TEXT.replace("2021-", year) for name, year in
             (("a.txt", "2021-"), ("b.txt", "2020-"), ("c.txt", "2019-"))}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    with Store(tmp_path / "r.db") as store:
        conn = store.conn

        def check() -> None:
            # Every note of a topic lies in the topic's run, and every run is dense and its own.
            outside = conn.execute("SELECT count(*) FROM notes n JOIN topics t ON t.id = n.topic_id "
                                   "WHERE n.id NOT BETWEEN t.notes_first AND t.notes_last").fetchone()[0]
            strangers = conn.execute("SELECT count(*) FROM topics t JOIN notes n "
                                     "ON n.id BETWEEN t.notes_first AND t.notes_last "
                                     "WHERE n.topic_id IS NOT t.id").fetchone()[0]
            empty = conn.execute("SELECT count(*) FROM topics t WHERE t.notes_first IS NULL AND EXISTS "
                                 "(SELECT 1 FROM notes n WHERE n.topic_id = t.id)").fetchone()[0]
            file_outside = conn.execute("SELECT count(*) FROM notes n JOIN files f ON f.id = n.file_id "
                                        "WHERE n.id NOT BETWEEN f.notes_first AND f.notes_last").fetchone()[0]
            assert (outside, strangers, empty, file_outside) == (0, 0, 0, 0)

        ingest(store, [folder])
        check()
        before = {r[0]: r[1] for r in conn.execute("SELECT path, notes_first FROM files")}
        # Replace the first file (its run moves to the end), then drop the last one.
        (folder / "a.txt").write_text(texts["a.txt"] + "\n2021-12-29\n[inform] (Ned) One more\nA note\n",
                                      encoding="utf-8")
        ingest(store, [folder])
        check()
        after = {r[0]: r[1] for r in conn.execute("SELECT path, notes_first FROM files")}
        moved = [p for p in after if p.endswith("a.txt")][0]
        assert after[moved] > max(before.values())
        (folder / "c.txt").unlink()
        ingest(store, [folder], prune=True)
        check()
        assert store.counts()["files"] == 2
        assert conn.execute("SELECT count(*) FROM notes WHERE file_id NOT IN (SELECT id FROM files)").fetchone()[0] == 0
        shown = store.notes(topic_id=conn.execute("SELECT id FROM topics WHERE title = 'One more'").fetchone()[0])
        assert [n["text"] for n in shown] == ["A note"]


def test_reads_through_a_topic_use_its_run_of_note_ids(sample_store):
    """The planner reads a topic's notes as a rowid range, never by scanning all notes."""
    from insights.store import TOPIC_NOTES

    queries = [
        (f"SELECT n.text FROM topics t JOIN notes n ON {TOPIC_NOTES} WHERE t.id = ?", ("x",)),
        (f"SELECT n.text FROM meetings m JOIN topics t ON t.meeting_id = m.id JOIN notes n ON {TOPIC_NOTES} "
         "WHERE m.date BETWEEN ? AND ?", ("2021-12-00", "2021-12-99")),
        (f"SELECT t.id, (SELECT count(*) FROM notes n WHERE {TOPIC_NOTES}) FROM topics t", ()),
    ]
    for sql, params in queries:
        plan = [row[3] for row in sample_store.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        notes = [step for step in plan if step.split()[1:2] == ["n"]]
        assert notes and all("INTEGER PRIMARY KEY (rowid>? AND rowid<?)" in step for step in notes), plan


@pytest.mark.parametrize("count", [0, 1, 31, 32, 33, 64, 97])
def test_records_are_stored_whole_across_multi_row_inserts(tmp_path, count):
    # Rows are written 32 to a statement: counts around that size must all come back, in order.
    notes = tuple(Note(f"note {i}", 10 + i, i % 3, "m.txt") for i in range(count))
    topics = tuple(Topic(f"topic {i}", 1000 + i, "m.txt", "inform", f"P{i}", i, notes if i == 1 else (),
                         f"t{i:03d}", 0) for i in range(count))
    meeting = Meeting(date(2024, 5, 1), "2024-05-01", "m.txt", 1, topics, notes, "m1")
    document = Document("m.txt", "text", (meeting,), notes[:2])
    with Store(tmp_path / "m.db") as store:
        store.replace_document("/m.txt", "0" * 64, 1, document)
        stored = store.conn.execute("SELECT id, kind, text, line, level, topic_id FROM notes ORDER BY id").fetchall()
        expected = ([("preamble", n.text, n.line, n.level, None) for n in notes[:2]]
                    + [("meeting", n.text, n.line, n.level, None) for n in notes]
                    + ([("topic", n.text, n.line, n.level, "t001") for n in notes] if count > 1 else []))
        assert [tuple(r[1:]) for r in stored] == expected
        assert [r[0] for r in stored] == list(range(1, len(expected) + 1))
        rows = store.conn.execute("SELECT id, title, proposer_text, votes, line, ordinal FROM topics "
                                  "ORDER BY ordinal").fetchall()
        assert [tuple(r) for r in rows] == [(t.id, t.title, t.proposer_text, t.votes, t.line, i)
                                            for i, t in enumerate(topics)]


def test_a_failing_row_inside_a_multi_row_insert_leaves_nothing_of_its_file(tmp_path):
    # Rows go in with INSERT OR FAIL, which keeps the rows a failing statement wrote before the
    # bad one; the file's savepoint must take them back, and the other files of the batch stay.
    def document(name: str, ids: list[str]) -> Document:
        notes = (Note("a note", 3, 0, name),)
        topics = tuple(Topic(f"topic {i}", 10 + i, name, None, None, 0, notes, topic_id, 0)
                       for i, topic_id in enumerate(ids))
        meeting = Meeting(date(2024, 5, 1), "2024-05-01", name, 1, topics, (), f"m-{name}")
        return Document(name, "text", (meeting,), ())

    good = document("a.txt", [f"a{i:03d}" for i in range(40)])
    bad_ids = [f"b{i:03d}" for i in range(40)]
    bad_ids[20] = bad_ids[5]  # the first 32-row statement fails at its 21st row
    with Store(tmp_path / "m.db") as store:
        with store.transaction():
            store.replace_document("/a.txt", "0" * 64, 1, good)
            with pytest.raises(InsightsError, match="b.txt: a meeting or topic is stored already"):
                store.replace_document("/b.txt", "1" * 64, 1, document("b.txt", bad_ids))
        assert store.counts() == {"files": 1, "meetings": 1, "topics": 40, "notes": 40}
        assert {row[0] for row in store.conn.execute("SELECT meeting_id FROM topics")} == {"m-a.txt"}
        assert store.conn.execute("SELECT count(*) FROM notes WHERE file_id != 1").fetchone()[0] == 0


def test_the_meetings_tree_gives_back_every_file_as_parsed(tmp_path):
    """Meetings of several files and formats, interleaved by date, each with exactly its topics' notes."""
    from insights.readers import iter_files, read_file

    fixtures = Path(__file__).resolve().parent / "fixtures"
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(SAMPLE_TEXT, encoding="utf-8")
    # a topic without notes, then one with, then a meeting without topics
    (folder / "b.txt").write_text("2021-12-22\n[quest] (Ann) Empty?\n[inform] (Bo) Full\nOne\n  Two\n"
                                  "2021-07-28\nOnly a note\n", encoding="utf-8")
    paths = [folder, fixtures / "corpora" / "aswf-tac", fixtures / "confluence" / "arch-hours.html"]
    with Store(tmp_path / "t.db") as store:
        summary = ingest(store, paths)
        assert not summary.failed
        expected = []
        for path in iter_files(paths):
            document = read_file(path)
            for m in document.meetings:
                expected.append((m.date.isoformat(), m.source, m.line, m.title,
                                 [(n.text, n.line, n.level) for n in m.notes],
                                 [(t.id, t.title, t.tag, t.proposer_text, t.votes, t.line,
                                   [(n.text, n.line, n.level) for n in t.notes]) for t in m.topics]))
        expected.sort(key=lambda m: m[:3])
        tree = [(m["date"], m["source"], m["line"], m["title"],
                 [(n["text"], n["line"], n["level"]) for n in m["notes"]],
                 [(t["id"], t["title"], t["tag"], t["proposer_text"], t["votes"], t["line"],
                   [(n["text"], n["line"], n["level"]) for n in t["notes"]]) for t in m["topics"]])
                for m in store.iter_meetings_tree()]
    assert len(tree) >= 15 and any(not t[6] for m in tree for t in m[5]) and any(not m[5] for m in tree)
    assert tree == expected
