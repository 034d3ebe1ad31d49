"""Ingest files into the store, incrementally: unchanged files are skipped by content hash.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "notes.txt").write_text("2021-12-22\\n[quest] (David J) What is paver?\\n")
>>> store = Store(":memory:")
>>> ingest(store, [folder]).meetings_added, ingest(store, [folder]).files_skipped
(1, 1)
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .errors import Codes, IngestError, InsightsError
from .readers import iter_files, read_file, source_name
from .model import Problem
from .store import Store
# Importing these registers their indexers, so every ingest keeps extraction and search current.
from . import extract as _extract  # noqa: F401,E402
from . import search as _search  # noqa: F401,E402

__all__ = ["ingest", "IngestSummary", "BATCH_BYTES"]

#: An ingest run commits after this many bytes of notes or this many seconds, whichever
#: comes first, so an interrupted run loses little and a large one commits rarely.
BATCH_BYTES = 8 * 1024 * 1024
BATCH_SECONDS = 0.5


@dataclass
class IngestSummary:
    """What one ingest run did, file by file and in records added."""

    files_seen: int = 0
    files_added: int = 0
    files_replaced: int = 0
    files_skipped: int = 0
    files_pruned: int = 0
    meetings_added: int = 0
    topics_added: int = 0
    notes_added: int = 0
    bytes_read: int = 0
    failed: list[Problem] = field(default_factory=list)
    stubs: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def files_stored(self) -> int:
        return self.files_added + self.files_replaced

    @property
    def nothing_ingested(self) -> bool:
        """True when files failed and none was stored or already current: the run is an error."""
        return bool(self.failed) and self.files_stored == 0 and self.files_skipped == 0

    def as_dict(self) -> dict:
        return {
            "files": {"seen": self.files_seen, "added": self.files_added, "replaced": self.files_replaced,
                      "skipped": self.files_skipped, "pruned": self.files_pruned,
                      "failed": len(self.failed), "stubs": len(self.stubs)},
            "added": {"meetings": self.meetings_added, "topics": self.topics_added, "notes": self.notes_added},
            "problems": [_problem_dict(p) for p in self.failed + self.stubs + self.warnings],
        }


def _problem_dict(problem: Problem) -> dict:
    return {"source": problem.source, "line": problem.line, "code": problem.code, "message": problem.message,
            "fatal": problem.fatal}


def ingest(store: Store, paths: Iterable[str | os.PathLike[str]], *, format: str | None = None,
           prune: bool = False, progress: Callable[[int, int, str], None] | None = None) -> IngestSummary:
    """Bring the store up to date with ``paths`` (files or folders).

    Each file is parsed first and then written as one savepoint inside a batch transaction,
    so an interrupted run leaves every file either fully stored or as it was. With ``prune``, stored files under
    the given folders that no longer exist are removed.
    """
    paths = [Path(p) for p in paths]
    summary = IngestSummary()
    files = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            summary.failed.append(Problem(source_name(path), 0, "E003", "cannot read file: no such file or folder",
                                          fatal=True))
            continue
        files.extend(iter_files([path]))
    # Each file is a savepoint, and SQLite keeps a savepoint's undo pages in a temporary file:
    # on disk that wrote about 250 MB through the kernel for a 37 MB archive. In memory it is
    # a copy of the pages a file touches, dropped when the file's savepoint is released.
    store.conn.execute("PRAGMA temp_store = MEMORY")
    try:
        _ingest_files(store, files, format, summary, progress)
    finally:
        store.conn.execute("PRAGMA temp_store = DEFAULT")
    if prune:
        summary.files_pruned = _prune(store, paths)
    return summary


def _ingest_files(store: Store, files: list[Path], format: str | None, summary: IngestSummary,
                  progress: Callable[[int, int, str], None] | None) -> None:
    position = 0
    while position < len(files):
        # Files are committed in batches (each file still a savepoint of its own): one commit
        # per file costs more than parsing it on a large archive.
        with store.transaction():
            started, first_byte = time.monotonic(), summary.bytes_read
            while position < len(files) and summary.bytes_read - first_byte < BATCH_BYTES \
                    and time.monotonic() - started < BATCH_SECONDS:
                path = files[position]
                position += 1
                summary.files_seen += 1
                source = source_name(path)
                if progress:
                    progress(position, len(files), source)
                _ingest_one(store, path, source, format, summary)


def _ingest_one(store: Store, path: Path, source: str, format: str | None, summary: IngestSummary) -> None:
    key = os.path.abspath(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        summary.failed.append(Problem(source, 0, "E003", f"cannot read file: {reason}", fatal=True))
        return
    summary.bytes_read += len(data)
    sha = hashlib.sha256(data).hexdigest()
    stored = store.file(key)
    if stored is not None and stored.sha256 == sha and (format is None or stored.format == format):
        summary.files_skipped += 1
        return
    try:
        document = read_file(path, format=format, source=source, data=data)
    except IngestError as exc:
        (summary.failed if exc.problem.fatal else summary.stubs).append(exc.problem)
        return
    try:
        store.replace_document(key, sha, len(data), document)
    except InsightsError as exc:
        summary.failed.append(Problem(source, 0, "E007", Codes.E007.format(reason=exc), fatal=True))
        return
    if stored is None:
        summary.files_added += 1
    else:
        summary.files_replaced += 1
    summary.warnings.extend(document.problems)
    summary.meetings_added += len(document.meetings)
    for meeting in document.meetings:
        summary.topics_added += len(meeting.topics)
        summary.notes_added += len(meeting.notes) + sum(len(t.notes) for t in meeting.topics)
    summary.notes_added += len(document.preamble)


def _prune(store: Store, paths: list[Path]) -> int:
    roots = [os.path.abspath(p) for p in paths]
    removed = 0
    for stored in store.files():
        inside = any(stored.path == root or stored.path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)
        if inside and not os.path.exists(stored.path):
            removed += store.remove_file(stored.path)
    return removed
