"""Readers, one per format, that turn a file into a :class:`~insights.model.Document`.

>>> doc = read_text("2021-12-22\\n[quest] (David J) What is paver?\\nA task runner\\n", "a.txt")
>>> doc.format, [t.title for t in doc.topics]
('text', ['What is paver?'])

A reader is a function ``read(text, source) -> Document`` registered by name with
:func:`reader`; :func:`sniff` picks one from the content (and file name) unless the
caller names a format.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import Codes, IngestError
from ..model import Document, Problem

__all__ = ["READERS", "reader", "sniff", "decode", "read_file", "read_text", "iter_files", "source_name"]

ReadFn = Callable[[str, str], Document]


class _Reader:
    def __init__(self, name: str, read: ReadFn, suffixes: tuple[str, ...], detect: Callable[[str], int]):
        self.name, self.read, self.suffixes, self.detect = name, read, suffixes, detect


READERS: dict[str, _Reader] = {}

#: Files in a notes folder that describe the folder rather than hold meetings.
NOT_NOTES = frozenset({"SOURCE.MD", "LICENSE.MD", "LICENSE.TXT", "ATTRIBUTION.MD", "NOTICE.TXT", "NOTICE.MD"})

#: File name endings picked up when a folder is ingested.
NOTE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".xml")


def reader(name: str, *, suffixes: tuple[str, ...] = (), detect: Callable[[str], int] = lambda text: 0):
    """Register ``read(text, source) -> Document`` under ``name``.

    ``detect(text)`` scores how sure the reader is that ``text`` is its format (0-100).
    """

    def register(read: ReadFn) -> ReadFn:
        READERS[name] = _Reader(name, read, suffixes, detect)
        return read

    return register


def sniff(text: str, path: str | os.PathLike[str] = "") -> str:
    """The name of the format ``text`` is most likely in; plain text when nothing claims it.

    >>> sniff("<ac:task-list><ac:task/></ac:task-list>")
    'xhtml'
    >>> sniff("# Meeting\\n\\n## Agenda\\n* one\\n", "2021-12-22.md")
    'markdown'
    """
    suffix = os.path.splitext(os.fspath(path))[1].lower() if path else ""
    best, best_score = "text", 0
    for entry in READERS.values():
        score = entry.detect(text) + (30 if suffix and suffix in entry.suffixes else 0)
        if score > best_score:
            best, best_score = entry.name, score
    return best


def decode(data: bytes, source: str) -> tuple[str, str, list[Problem]]:
    """Decode bytes as UTF-8, falling back to cp1252 (then latin-1) with a warning.

    Raises :class:`IngestError` for empty and binary input.
    """
    if not data or data.isspace():
        raise IngestError(Problem(source, 0, "E001", Codes.E001, fatal=True))
    nul = data.find(b"\x00", 0, 1 << 20)
    if nul >= 0:
        raise IngestError(Problem(source, 0, "E002", Codes.E002.format(offset=nul), fatal=True))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        problem = Problem(source, line, "W101", Codes.W101.format(line=line, encoding=encoding))
        return text, encoding, [problem]
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def source_name(path: str | os.PathLike[str]) -> str:
    """How a file is named in records: relative to the working folder when inside it."""
    # os.path rather than pathlib: the Path objects cost 10 us a file, a sixth of reading a small one.
    absolute = os.path.abspath(path)
    folder = os.path.join(os.getcwd(), "")
    return absolute[len(folder):] if absolute.startswith(folder) else absolute


def read_text(text: str, source: str, *, format: str | None = None, encoding: str = "utf-8") -> Document:
    """Parse already-decoded ``text``; ``format`` overrides sniffing."""
    _load_readers()
    name = format or sniff(text, source)
    if name not in READERS:
        choices = ", ".join(sorted(READERS))
        raise IngestError(Problem(source, 0, "E006", Codes.E006.format(name=name, choices=choices), fatal=True))
    # A parse allocates records by the thousand and no reference cycles, so the cyclic
    # collector's passes over them while it runs only cost time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = READERS[name].read(text, source)
    finally:
        if collecting:
            gc.enable()
    if encoding != "utf-8":
        document = Document(
            document.source, document.format, document.meetings, document.preamble, document.problems, encoding
        )
    return document


def read_file(path: str | os.PathLike[str], *, format: str | None = None, source: str | None = None,
              data: bytes | None = None) -> Document:
    """Read, decode and parse one file. Raises :class:`IngestError` naming file and line."""
    source = source or source_name(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            raise IngestError(Problem(source, 0, "E003", Codes.E003.format(reason=reason), fatal=True)) from None
    text, encoding, problems = decode(data, source)
    document = read_text(text, source, format=format, encoding=encoding)
    if problems:
        document = Document(document.source, document.format, document.meetings, document.preamble,
                            tuple(problems) + document.problems, encoding)
    return document


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named directly, and note files found below folders, in a stable order."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.suffix.lower() in NOTE_SUFFIXES
                     and (p.is_file() or p.is_symlink())
                     and not any(part.startswith(".") for part in p.relative_to(path).parts)
                     and p.name.upper() not in NOT_NOTES]
            yield from sorted(found)
        else:
            yield path


def _load_readers() -> None:
    if not READERS:
        from . import text  # noqa: F401  (registers itself)

        for optional in ("markdown", "html", "xhtml"):
            try:
                __import__(f"{__name__}.{optional}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{optional}":
                    raise


_load_readers()
