"""Typed records that flow through the pipeline, each carrying its provenance.

>>> from datetime import date
>>> note = Note(text="Paver is a task runner", line=12, level=0, source="notes.txt")
>>> topic = Topic(title="What is paver?", line=11, source="notes.txt", notes=(note,))
>>> meeting = Meeting(date=date(2021, 12, 22), title="2021-12-22", source="notes.txt", line=10,
...                   topics=(topic,))
>>> sorted(meeting.lines())
[10, 11, 12]

A reader turns one file into a :class:`Document`: the lines that belong to the page
rather than to a meeting (``preamble``), then the meetings. Every non-blank line of the
file lands in exactly one place: a preamble note, a meeting header, a meeting note
(attendance and other lines before the first topic), a topic header or a topic note.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from typing import Iterator

__all__ = [
    "Note",
    "Topic",
    "Meeting",
    "Document",
    "Problem",
    "ActionItem",
    "Person",
    "make_id",
    "normalise_text",
]


_WORD = re.compile(r"\w+")
# Combining marks (accents once NFKD has split them off), removed in one pass.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


# ASCII letters, digits and ``_`` (what ``\w`` matches in ASCII) lower-cased; any other byte a space.
_ASCII_WORDS = bytes(b | 0x20 if 65 <= b <= 90 else b if (48 <= b <= 57 or 97 <= b <= 122 or b == 95) else 32
                     for b in range(256))


# Non-ASCII characters that are neither words nor become words once decomposed or folded.
# (A character class rather than ``str.translate``: translating a non-ASCII string looks every
# character up in the table, ten times slower on a title.)
_UNICODE_PUNCTUATION = re.compile("[\u00a0\u2002\u2003\u2009\u200b\u2010\u2011\u2012\u2013\u2014\u2015"
                                  "\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026\u00ab\u00bb\ufeff]")


def normalise_text(text: str) -> str:
    """Fold case, accents, punctuation and whitespace so that cosmetic edits compare equal.

    >>> normalise_text("  Spruce up our  Working-Group page! ")
    'spruce up our working group page'
    """
    if not text.isascii():
        # Typographic quotes, dashes and spaces separate words like any other punctuation:
        # as spaces they leave many titles ASCII, for the fast path.
        text = _UNICODE_PUNCTUATION.sub(" ", text)
    if text.isascii():
        # The same words as below, found by a byte table: regular expression matches cost
        # about 0.15 us a word, and titles and headings are normalised once each per ingest.
        return " ".join(text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split())
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(_WORD.findall(text.casefold()))


def make_id(*parts: object, length: int = 12) -> str:
    """A short, stable content hash of ``parts``.

    >>> make_id("notes.txt", "2021-12-22", "what is paver")
    'c4d45cad12f5'
    """
    digest = hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()
    return digest[:length]


def _direct_init(cls: type) -> type:
    """Give a frozen, slotted dataclass an ``__init__`` that fills its slots directly.

    The generated one calls ``object.__setattr__`` per field, which doubles the cost of the
    records readers create for every line and topic; the object stays just as frozen.

    >>> Note("Paver", 3) == Note(text="Paver", line=3, level=0, source="")
    True
    """
    names = [f.name for f in fields(cls)]
    assert all(f.default_factory is MISSING and f.init for f in fields(cls)), cls
    namespace = {f"_set_{n}": cls.__dict__[n].__set__ for n in names}
    namespace.update({f"_default_{f.name}": f.default for f in fields(cls) if f.default is not MISSING})
    params = ", ".join(f"{n}=_default_{n}" if f"_default_{n}" in namespace else n for n in names)
    body = "".join(f"\n    _set_{n}(self, {n})" for n in names)
    exec(f"def __init__(self, {params}):{body}", namespace)  # the way dataclasses builds it
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    return cls


@_direct_init
@dataclass(frozen=True, slots=True)
class Note:
    """One source line of free text, with its list nesting level (0 = not nested)."""

    text: str
    line: int
    level: int = 0
    source: str = ""


@_direct_init
@dataclass(frozen=True, slots=True)
class Topic:
    """A discussion topic: the header line as parsed, and the notes under it.

    ``title`` is the text after votes, intent tag and proposer are stripped; ``tag`` is the
    raw intent tag as written (``quest/ideation``), ``proposer_text`` the raw proposer text
    (``Ned, Usama``), ``votes`` the number of votes (``++`` = 2, ``(5) *****`` = 5).
    ``id`` is stable across edits elsewhere in the file.
    """

    title: str
    line: int
    source: str
    tag: str | None = None
    proposer_text: str | None = None
    votes: int = 0
    notes: tuple[Note, ...] = ()
    id: str = ""
    level: int = 0


@_direct_init
@dataclass(frozen=True, slots=True)
class Meeting:
    """One dated meeting. ``notes`` are lines before the first topic (attendance, links)."""

    date: date
    title: str
    source: str
    line: int
    topics: tuple[Topic, ...] = ()
    notes: tuple[Note, ...] = ()
    id: str = ""

    def lines(self) -> Iterator[int]:
        """Every source line this meeting accounts for, header included."""
        yield self.line
        for note in self.notes:
            yield note.line
        for topic in self.topics:
            yield topic.line
            for note in topic.notes:
                yield note.line

    @property
    def month(self) -> str:
        return self.date.strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input, named by file and line (0 when it is the whole file).

    >>> print(Problem("notes.txt", 7, "W102", "impossible date '2021-13-45'"))
    notes.txt:7: W102 impossible date '2021-13-45'
    """

    source: str
    line: int
    code: str
    message: str
    fatal: bool = False

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.code} {self.message}"


@dataclass(frozen=True, slots=True)
class Document:
    """A whole parsed file: page preamble, meetings, and non-fatal problems found."""

    source: str
    format: str
    meetings: tuple[Meeting, ...] = ()
    preamble: tuple[Note, ...] = ()
    problems: tuple[Problem, ...] = ()
    encoding: str = "utf-8"

    def lines(self) -> Iterator[int]:
        """Every source line accounted for, in no particular order (with repeats if a bug)."""
        for note in self.preamble:
            yield note.line
        for meeting in self.meetings:
            yield from meeting.lines()

    @property
    def topics(self) -> Iterator[Topic]:
        for meeting in self.meetings:
            yield from meeting.topics


@dataclass(frozen=True, slots=True)
class Person:
    """A canonical person (or team) with the aliases that resolved to it."""

    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "person"  # person | team
    team: str | None = None
    jira_account_id: str | None = None
    jira_username: str | None = None


@dataclass(frozen=True, slots=True)
class ActionItem:
    """A promise made in a meeting, pointing back to its file and line.

    ``status`` is ``open``, ``in progress``, ``done`` or ``dropped``; ``rule`` names the
    extraction rule that fired and ``confidence`` is its calibrated precision.
    ``fingerprint`` is stable under whitespace and punctuation edits.
    """

    text: str
    meeting_date: date
    source: str
    line: int
    owner: str | None = None
    due: date | None = None
    status: str = "open"
    topic_id: str | None = None
    rule: str = ""
    confidence: float = 1.0
    id: str = ""
    fingerprint: str = ""
    meeting_title: str = ""
    topic_title: str = ""
    context: tuple[str, ...] = field(default=())

    @staticmethod
    def make_fingerprint(text: str, meeting_date: date, source: str) -> str:
        """Fingerprint from normalised text, meeting date and source.

        >>> a = ActionItem.make_fingerprint("Spruce up  the page.", date(2021, 7, 28), "a.txt")
        >>> a == ActionItem.make_fingerprint("spruce up the page", date(2021, 7, 28), "a.txt")
        True
        """
        return make_id(normalise_text(text), meeting_date.isoformat(), source, length=16)
