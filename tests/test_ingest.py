"""Ingest into the store through the CLI: incremental runs, bad input, interruption."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE
from insights.cli import cli
from insights.readers import source_name
from insights.pipeline import ingest
from insights.store import Store

SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")


def run(*args: str, db: Path, input: str | None = None):
    result = CliRunner().invoke(cli, ["--db", str(db), *args], input=input, catch_exceptions=False)
    return result


def dump(db: Path) -> list:
    """Every row of the record tables, to compare two states of a database."""
    conn = sqlite3.connect(db)
    rows = []
    for table in ("files", "meetings", "topics", "notes", "problems"):
        rows.append((table, conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()))
    conn.close()
    return rows


@pytest.fixture
def archive(tmp_path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "arch-hours-2021.txt").write_text(SAMPLE_TEXT, encoding="utf-8")
    (folder / "later.txt").write_text("2022-01-05\n[inform] (Ned) Paver is gone\nIt was removed\n",
                                      encoding="utf-8")
    return folder


def test_ingest_summary_and_counts(archive, tmp_path):
    db = tmp_path / "i.db"
    result = run("ingest", str(archive), "--json", db=db)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["files"] == {"seen": 2, "added": 2, "replaced": 0, "skipped": 0, "pruned": 0,
                                "failed": 0, "stubs": 0}
    assert summary["added"] == {"meetings": 8, "topics": 27, "notes": 241 + 1}
    with Store(db) as store:
        assert store.counts()["meetings"] == 8
        assert store.counts()["notes"] == summary["added"]["notes"]


def test_reingest_of_unchanged_input_changes_nothing(archive, tmp_path):
    db = tmp_path / "i.db"
    assert run("ingest", str(archive), db=db).exit_code == 0
    before = dump(db)
    again = run("ingest", str(archive), db=db)
    assert again.exit_code == 0
    assert "0 added, 0 replaced, 2 unchanged" in again.stdout
    assert dump(db) == before


def test_editing_one_meeting_reingests_only_that_file(archive, tmp_path):
    db = tmp_path / "i.db"
    run("ingest", str(archive), db=db)
    with Store(db) as store:
        sample_file = store.file(os.path.abspath(archive / "arch-hours-2021.txt"))
        old_topics = {t["id"] for t in store.topics()}
    (archive / "later.txt").write_text("2022-01-05\n[inform] (Ned) Paver is gone for good\n", encoding="utf-8")
    result = json.loads(run("ingest", str(archive), "--json", db=db).stdout)
    assert result["files"]["replaced"] == 1 and result["files"]["skipped"] == 1
    with Store(db) as store:
        assert store.file(os.path.abspath(archive / "arch-hours-2021.txt")) == sample_file
        titles = [t["title"] for t in store.topics(month="2022-01")]
        assert titles == ["Paver is gone for good"]
        sample_topics = {t["id"] for t in store.topics() if t["meeting_date"] < "2022"}
        assert sample_topics == {i for i in old_topics if i in sample_topics} and len(sample_topics) == 26


def test_prune_forgets_files_that_disappeared(archive, tmp_path):
    db = tmp_path / "i.db"
    run("ingest", str(archive), db=db)
    (archive / "later.txt").unlink()
    kept = run("ingest", str(archive), db=db)
    assert "pruned" not in kept.stdout
    with Store(db) as store:
        assert store.counts()["files"] == 2
    pruned = json.loads(run("ingest", str(archive), "--prune", "--json", db=db).stdout)
    assert pruned["files"]["pruned"] == 1
    with Store(db) as store:
        assert store.counts()["files"] == 1 and store.counts()["meetings"] == 7


def test_db_from_environment(archive, tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("INSIGHTS_DB", str(db))
    result = CliRunner().invoke(cli, ["ingest", str(archive)])
    assert result.exit_code == 0
    assert db.exists()


# -- bad input -----------------------------------------------------------------------------
def write_bad_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    files = {
        "empty": folder / "empty.txt",
        "binary": folder / "binary.txt",
        "cp1252": folder / "cp1252.txt",
        "nodate": folder / "nodate.txt",
        "impossible": folder / "impossible.txt",
        "duplicate": folder / "duplicate.txt",
        "longline": folder / "longline.txt",
        "unreadable": folder / "unreadable.txt",
    }
    files["empty"].write_bytes(b"  \n\n")
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    files["cp1252"].write_bytes("2021-12-22\n[quest] (Régis) Café “quotes”\nnaïve\n".encode("cp1252"))
    files["nodate"].write_text("Just some text\nwith no date at all\n", encoding="utf-8")
    files["impossible"].write_text("Intro\n2021-13-45\n[quest] (A) x\n", encoding="utf-8")
    files["duplicate"].write_text("2021-12-22\n[quest] (A) one\n2021-12-22\n[quest] (B) two\n", encoding="utf-8")
    files["longline"].write_text("2021-12-22\n[quest] (A) long\n" + "x" * (10 * 1024 * 1024) + "\n",
                                 encoding="utf-8")
    files["unreadable"].symlink_to(folder / "missing-target.txt")
    return files


def test_bad_inputs_give_clear_messages_naming_file_and_line(tmp_path):
    files = write_bad_inputs(tmp_path / "bad")
    db = tmp_path / "bad.db"
    result = run("ingest", str(tmp_path / "bad"), db=db)
    assert result.exit_code == 0, "some files could be ingested, so the run succeeds"
    err = result.stderr
    assert "Traceback" not in err + result.stdout
    src = {k: source_name(v) for k, v in files.items()}
    expected = [
        f"error: {src['empty']}: E001 empty file",
        f"error: {src['binary']}: E002 binary file",
        f"error: {src['nodate']}: E004 no dated meeting found",
        f"error: {src['impossible']}:2: E004 no dated meeting found",
        f"error: {src['unreadable']}: E003 cannot read file",
        f"warning: {src['cp1252']}:2: W101 not valid UTF-8",
        f"warning: {src['duplicate']}:3: W103 second section dated 2021-12-22 (first at line 1)",
        f"warning: {src['longline']}:3: W104 very long line (10,485,760 characters)",
    ]
    for message in expected:
        assert message in err, f"missing {message!r} in:\n{err}"
    assert "3 added" in result.stdout and "5 failed" in result.stdout
    with Store(db) as store:
        stored = {Path(f.path).name for f in store.files()}
        assert stored == {"cp1252.txt", "duplicate.txt", "longline.txt"}
        assert store.topics(date="2021-12-22")
        assert any(t["proposer_text"] == "Régis" and t["title"] == "Café “quotes”" for t in store.topics())
        long_note = store.conn.execute("SELECT length(text) FROM notes ORDER BY length(text) DESC").fetchone()[0]
        assert long_note == 10 * 1024 * 1024


def test_nothing_ingested_exits_non_zero(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = run("ingest", str(tmp_path / "empty.txt"), db=tmp_path / "x.db")
    assert result.exit_code == 1
    assert "E001 empty file" in result.stderr
    missing = run("ingest", str(tmp_path / "nope.txt"), db=tmp_path / "x.db")
    assert missing.exit_code == 1 and "E003 cannot read file: no such file or folder" in missing.stderr


def test_file_without_read_permission(tmp_path):
    """A file the user may not read; as root the run drops to user ``nobody`` so the mode counts."""
    import pwd
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="insights-perm-"))
    folder.chmod(0o777)
    secret = folder / "secret.txt"
    secret.write_text("2021-12-22\n[quest] (A) x\n")
    secret.chmod(0)
    nobody = pwd.getpwnam("nobody").pw_uid if os.geteuid() == 0 else -1
    # The interpreter may live where `nobody` cannot reach: the store is opened and every
    # module loaded first, then privileges drop.
    program = f"""
import os, sys, textwrap, importlib.readers, click._textwrap, insights.cli
from insights.store import Store
Store("x.db").close()
if {nobody} >= 0:
    for name in os.listdir("."):
        os.chown(name, {nobody}, {nobody})
    os.setgid({nobody}); os.setuid({nobody})
insights.cli.cli.main(args=["--db", "x.db", "ingest", "secret.txt"], prog_name="insights")
"""
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=folder)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: secret.txt: E003 cannot read file: Permission denied")
    assert "Traceback" not in result.stderr


def test_a_folder_named_like_a_notes_file_is_walked_not_read(tmp_path):
    odd = tmp_path / "looks-like-notes.txt"
    odd.mkdir()
    (tmp_path / "real.txt").write_text("2021-12-23\n[quest] (B) y\n")
    result = run("ingest", "--json", str(tmp_path / "real.txt"), str(odd), db=tmp_path / "y.db")
    assert result.exit_code == 0 and "Traceback" not in result.output
    summary = json.loads(result.stdout)
    assert summary["files"]["seen"] == 1 and summary["files"]["added"] == 1 and summary["files"]["failed"] == 0


def test_unknown_format_and_bad_database_are_one_line_errors(tmp_path):
    result = run("meetings", db=tmp_path / "no-such-folder" / "x.db")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot open database") and "Traceback" not in result.stderr
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_bytes(b"this is not sqlite" * 100)
    result = run("meetings", db=not_a_db)
    assert result.exit_code == 1 and "cannot use database" in result.stderr


def test_a_damaged_database_is_a_one_line_error_naming_it(tmp_path):
    db = tmp_path / "damaged.db"
    assert run("ingest", "-q", str(SAMPLE), db=db).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE notes")
    edited = tmp_path / "edited.txt"
    edited.write_text(SAMPLE_TEXT.replace("Paver", "Paver, edited"), encoding="utf-8")
    for command in (("export", "--json"), ("show", "2021-12-22"), ("ingest", "-q", str(edited))):
        result = run(*command, db=db)
        assert result.exit_code == 1, command
        assert result.stderr.startswith(f"Error: database {db}: no such table: notes (it is damaged or was not made")
        assert "Traceback" not in result.stderr


def test_a_database_another_writer_holds_is_a_one_line_error_saying_so(tmp_path):
    db = tmp_path / "held.db"
    assert run("ingest", "-q", str(SAMPLE), db=db).exit_code == 0
    edited = tmp_path / "edited.txt"
    edited.write_text(SAMPLE_TEXT.replace("Paver", "Paver, edited"), encoding="utf-8")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # held past the store's busy timeout (10 s)
    try:
        result = run("ingest", "-q", str(edited), db=db)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: database {db}: database is locked (another process is writing to it")
    assert "Traceback" not in result.stderr
    assert run("ingest", "-q", str(edited), db=db).exit_code == 0  # once the writer is gone


def test_interrupted_ingest_leaves_no_half_written_file(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(400):
        (folder / f"copy-{index:03d}.txt").write_text(SAMPLE_TEXT, encoding="utf-8")
    db = tmp_path / "kill.db"
    process = subprocess.Popen([sys.executable, "-m", "insights.cli", "--db", str(db), "ingest", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    stored = 0
    while time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            conn = sqlite3.connect(db, timeout=1)
            stored = conn.execute("SELECT count(*) FROM files").fetchone()[0]
            conn.close()
        except sqlite3.OperationalError:
            continue
        if stored >= 5:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 5 <= stored < 400, "the run was stopped part-way"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per_file = conn.execute(
        "SELECT f.id, (SELECT count(*) FROM meetings m WHERE m.file_id = f.id), "
        "(SELECT count(*) FROM notes n WHERE n.file_id = f.id) FROM files f").fetchall()
    conn.close()
    assert per_file and all(meetings == 7 and notes == 241 for _, meetings, notes in per_file)
    with Store(db) as store:
        summary = ingest(store, [folder])
        assert summary.files_added == 400 - len(per_file) and summary.files_skipped == len(per_file)
        assert store.counts()["meetings"] == 400 * 7


# -- listing commands ----------------------------------------------------------------------
def test_listing_commands_share_output_formats(sample_store, tmp_path):
    db = sample_store.path
    meetings = json.loads(run("meetings", "--json", db=db).stdout)
    assert [m["date"] for m in meetings][:2] == ["2021-12-22", "2021-12-01"]
    assert meetings[-1] == {**meetings[-1], "date": "2021-07-28", "topics": 3, "line": 210}
    csv_out = run("topics", "--month", "2021-07", "--csv", db=db).stdout.splitlines()
    assert csv_out[0] == "meeting_date,votes,tag,proposer_text,title,source,line,id"
    assert len(csv_out) == 4 and csv_out[1].startswith("2021-07-28,5,discuss,Dave O,")
    table = run("topics", "--month", "2021-09", db=db).stdout.splitlines()
    assert table[0].split() == ["meeting_date", "votes", "tag", "proposer_text", "title", "source", "line", "id"]
    assert len(table) == 2 + 3
    bad = run("topics", "--month", "2021-13", db=db)
    assert bad.exit_code == 2 and "write it as YYYY-MM" in bad.stderr


def test_show_prints_a_meeting_with_provenance(sample_store):
    result = run("show", "2021-07-28", db=sample_store.path)
    assert result.exit_code == 0
    assert "2021-07-28  2021-07-28  (" in result.stdout and "arch-hours-2021.txt:210)" in result.stdout
    assert "+5 [discuss] (Dave O) Iframes, Chrome 92" in result.stdout
    assert "- See TNL-8559" in result.stdout
    missing = run("show", "2020-01-01", db=sample_store.path)
    assert missing.exit_code == 1 and "no meeting on 2020-01-01" in missing.stderr


def test_export_follows_the_json_contract(sample_store):
    data = json.loads(run("export", "--json", db=sample_store.path).stdout)
    assert [m["date"] for m in data["meetings"]] == sorted(m["date"] for m in data["meetings"])
    meeting = data["meetings"][0]
    assert set(meeting) >= {"date", "title", "source", "topics"}
    topic = meeting["topics"][0]
    assert set(topic) >= {"id", "title", "tag", "proposer_text", "votes", "line", "notes"}
    assert (topic["title"], topic["tag"], topic["proposer_text"], topic["votes"], topic["line"]) == (
        "Iframes, Chrome 92, and what we’re going to do about it.", "discuss", "Dave O", 5, 211)
    assert topic["notes"][0] == {"text": "Interim solution for half a year, then will permanently break",
                                 "line": 212, "level": 0}
    total = sum(len(t["notes"]) for m in data["meetings"] for t in m["topics"])
    assert total == 241 - 31, "every note but the 31 preamble lines belongs to a topic"


def test_every_command_has_help_text():
    def walk(group, prefix=()):
        for name, command in group.commands.items():
            yield prefix + (name,), command
            if hasattr(command, "commands"):
                yield from walk(command, prefix + (name,))

    for path, command in walk(cli):
        assert command.help and command.help.strip(), f"`insights {' '.join(path)}` has no help"
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_replacing_and_pruning_files_leaves_no_orphan_rows(tmp_path):
    """Every table keyed by file, meeting or topic loses a file's rows with the file."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(SAMPLE_TEXT, encoding="utf-8")
    # b.txt repeats a date, so it leaves a warning (W103) in the problems table too.
    (folder / "b.txt").write_text(SAMPLE_TEXT.replace("Paver", "Make") + "\n2021-12-22\nAgain\n", encoding="utf-8")
    with Store(tmp_path / "o.db") as store:
        ingest(store, [folder])
        assert [p["code"] for p in store.problems()] == ["W103"]
        (folder / "a.txt").write_text(re.sub("iframe", "frame", SAMPLE_TEXT, flags=re.IGNORECASE), encoding="utf-8")
        ingest(store, [folder])
        (folder / "b.txt").unlink()
        ingest(store, [folder], prune=True)
        conn = store.conn
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        checked = 0
        for table in tables:
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            for column, parent in (("file_id", "files"), ("meeting_id", "meetings"), ("topic_id", "topics")):
                if column in columns and table not in (parent, "topic_themes", "topic_theme_state"):
                    orphans = conn.execute(
                        f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL "
                        f"AND {column} NOT IN (SELECT id FROM {parent})").fetchone()[0]
                    assert orphans == 0, f"{table}.{column} keeps {orphans} rows of a removed {parent[:-1]}"
                    checked += 1
        assert checked >= 10
        assert store.counts()["files"] == 1 and store.counts()["meetings"] == 7
        assert "iframe" not in " ".join(r[0] for r in conn.execute("SELECT text FROM notes")).lower()


def test_progress_reports_every_file_with_its_position(archive, tmp_path):
    seen = []
    with Store(tmp_path / "p.db") as store:
        ingest(store, [archive], progress=lambda index, total, source: seen.append((index, total, source)))
    assert [(i, t) for i, t, _ in seen] == [(1, 2), (2, 2)]
    assert [Path(s).name for _, _, s in seen] == ["arch-hours-2021.txt", "later.txt"]


def _ingest_on_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``insights ingest`` with stderr on a pseudo-terminal; returns exit code and what it drew."""
    import pty

    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "insights.cli", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        drawn += chunk
    os.close(main)
    return process.wait(timeout=60), drawn.decode("utf-8")


def test_ingest_draws_progress_on_a_terminal_and_nowhere_else(archive, tmp_path):
    code, drawn = _ingest_on_terminal(["--db", str(tmp_path / "t.db"), "ingest", str(archive)], tmp_path)
    assert code == 0
    # One line redrawn in place: file 1 of 2, then file 2 of 2 and the line is finished.
    assert "\r[1/2] " in drawn and "\r[2/2] " in drawn and drawn.index("[1/2]") < drawn.index("[2/2]")
    assert re.search(r"\[2/2\] [^\r\n]*later\.txt *\r?\n", drawn)
    code, drawn = _ingest_on_terminal(["--db", str(tmp_path / "q.db"), "ingest", "-q", str(archive)], tmp_path)
    assert code == 0 and drawn == ""
    piped = subprocess.run([sys.executable, "-m", "insights.cli", "--db", str(tmp_path / "p.db"), "ingest",
                            str(archive)], cwd=tmp_path, capture_output=True, text=True)
    assert piped.returncode == 0 and "[1/2]" not in piped.stderr and "added 8 meetings" in piped.stdout


def test_source_names_are_relative_inside_the_working_folder_only(tmp_path, monkeypatch):
    work, sibling = tmp_path / "notes", tmp_path / "notes2"
    (work / "2021").mkdir(parents=True)
    sibling.mkdir()
    monkeypatch.chdir(work)
    assert source_name(work / "2021" / "a.md") == "2021/a.md"
    assert source_name("2021/../2021/a.md") == "2021/a.md"
    assert source_name(sibling / "a.md") == str(sibling / "a.md")  # shares a prefix, is not inside
    assert source_name(tmp_path / "a.md") == str(tmp_path / "a.md")
    monkeypatch.chdir("/")
    assert source_name(sibling / "a.md") == str(sibling / "a.md").lstrip("/")
