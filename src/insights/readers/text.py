"""Reader for a Confluence page exported as plain text (one long page, dated sections).

>>> doc = read("Purpose of the page\\n2021-07-28\\n(5) ***** (discuss) [Dave O] Iframes\\nSee TNL-8559\\n", "p.txt")
>>> topic = next(doc.topics)
>>> topic.title, topic.tag, topic.proposer_text, topic.votes, [n.line for n in topic.notes]
('Iframes', 'discuss', 'Dave O', 5, [4])

Layout understood:

* everything before the first date line is page preamble (purpose, intent legend);
* a line holding only a date (``2021-12-22``) opens a meeting;
* a topic line is ``[votes] [intent] [proposer] title`` where votes are ``++`` / ``+ `` /
  ``(5) *****``, the intent is in ``[...]`` or ``(...)`` and the proposer in ``(...)`` or
  ``[...]``. A line opening with a bracketed name (``[Ned] Meta-question: ...``) is a topic
  proposed by that name, unless it answers the topic or speaker line just above it
  (``[djoy] Better seed data``), in which case it is a note;
* every other line is a note of the current topic (or of the meeting before any topic).
"""

from __future__ import annotations

import functools
import re

from ..errors import Codes, IngestError
from ..model import Document, Meeting, Note, Problem, Topic, make_id, normalise_text
from . import reader
from .dates import find_date

#: Words that make a bracketed tag an intent rather than a name.
INTENT_WORDS = frozenset(
    "inform information ideation ideate idea analysis analyse analyze quest question questions "
    "discuss discussion decision decide brainstorm proposal propose update announcement fyi "
    "feedback review demo".split()
)

_VOTES = re.compile(r"^\s*(?:\((?P<count>\d{1,3})\)\s*)?(?P<marks>[+*]+)?\s*")
# A bracketed group, allowing one level of nested brackets: [quick question (hopefully)]
_GROUP = re.compile(r"(?P<open>[\[(])(?P<body>[^\[\]()]*(?:[\[(][^\[\]()]*[\])][^\[\]()]*)*)(?P<close>[\])])\s*")
_LEAD = re.compile(r"^[\s:\-–—]+")
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}\s*$")
# The same as the first line of a page or after a line break: what makes a page look like
# this format. (Searching for the line break is several times faster than a MULTILINE ``^``.)
_FIRST_DATE_LINE = re.compile(r"[ \t]*(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}[ \t\r]*(?=\n|\Z)")
_NEXT_DATE_LINE = re.compile(r"\n" + _FIRST_DATE_LINE.pattern)
_NAME = re.compile(r"^[A-Za-z][\w.'’\- ]{0,40}(?:\s*(?:,|&|and)\s*[A-Za-z][\w.'’\- ]{0,40})*$")
_PREFIX_LIMIT = 400
_TOPIC_OPENERS = frozenset("[(+*")
# First characters of lines that may be more than a note: a topic opens with a bracket or a
# vote, a speaker with a bracket (or has a colon near its start), a date line with 19 or 20.
_SPECIAL = _TOPIC_OPENERS | frozenset("12")
LONG_LINE = 100_000


def _detect(text: str) -> int:
    """How sure we are that ``text`` is this format: a line holding only a date says so.

    >>> _detect("Purpose\\n2021-12-22\\n[quest] (Ann) Why?"), _detect("2021-12-22\\r\\nx"), _detect("On 2021-12-22")
    (20, 20, 0)
    """
    return 20 if _FIRST_DATE_LINE.match(text) or _NEXT_DATE_LINE.search(text, 0, 200_000) else 0


@functools.lru_cache(maxsize=4096)  # tags and names repeat across a page
def is_intent_tag(body: str) -> bool:
    """True when a bracketed text reads as an intent tag (``quest/ideation``, ``quick question``)."""
    words = re.split(r"[^a-z]+", body.lower())
    return any(word in INTENT_WORDS for word in words)


@functools.lru_cache(maxsize=4096)
def _is_name(body: str) -> bool:
    body = body.strip()
    return bool(body) and len(body.split()) <= 6 and bool(_NAME.match(body)) and not is_intent_tag(body)


def parse_topic_line(line: str) -> tuple[str | None, str | None, int, str, bool] | None:
    """Split a topic line into ``(tag, proposer_text, votes, title, name_only)``; None for a note.

    ``name_only`` is True when the line opens with a bracketed name, no intent tag and no
    votes, so whether it is a topic depends on the line above.

    >>> parse_topic_line("++[analysis] (Dave O): Extracting a core")
    ('analysis', 'Dave O', 2, 'Extracting a core', False)
    >>> parse_topic_line("[quick question (hopefully)]: Is anyone familiar with QTI?")
    ('quick question (hopefully)', None, 0, 'Is anyone familiar with QTI?', False)
    >>> parse_topic_line("****** Documentation") is None
    True
    """
    head = line[:_PREFIX_LIMIT]
    votes_match = _VOTES.match(head)
    votes = 0
    if votes_match.group("count"):
        votes = int(votes_match.group("count"))
    elif votes_match.group("marks"):
        votes = len(votes_match.group("marks"))
    first = _GROUP.match(head, votes_match.end())
    if not first:
        return None
    body = first.group("body").strip()
    tag = proposer = None
    pos = first.end()
    if is_intent_tag(body):
        tag = body
        second = _GROUP.match(head, pos)
        if second and _is_name(second.group("body")):
            proposer, pos = second.group("body").strip(), second.end()
    elif first.group("open") == "[" and _is_name(body):
        proposer = body
    else:
        return None
    title = _LEAD.sub("", line[pos:]).strip()
    if not title:
        return None
    return tag, proposer, votes, title, tag is None and votes == 0


def starts_topic(parsed: tuple | None, previous: str) -> bool:
    """Whether a parsed topic line opens a topic, given the kind of the line above.

    A bare bracketed name (``[djoy] Better seed data``) right under a topic or another
    speaker answers it: it stays a note.
    """
    return parsed is not None and not (parsed[4] and previous in ("topic", "speaker"))


def no_meeting_error(source: str, problems: list[Problem]) -> IngestError:
    """E004 for a file with no dated meeting, naming the first impossible date when there is one."""
    bad = next((p for p in problems if p.code == "W102"), None)
    detail = f" ({bad.message})" if bad else ""
    return IngestError(Problem(source, bad.line if bad else 0, "E004", Codes.E004 + detail, fatal=True))


def split_lines(text: str) -> list[str]:
    """Lines as editors number them: only ``\\n``, ``\\r\\n`` and ``\\r`` end a line.

    >>> split_lines("a\\r\\nb\\x0cc\\rd")
    ['a', 'b\\x0cc', 'd']
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _level(raw: str) -> int:
    indent = len(raw) - len(raw.lstrip(" \t"))
    return len(raw[:indent].expandtabs(4)) // 2 if indent else 0


def build_meeting(source: str, day, title: str, line: int, occurrence: int, notes, topics) -> Meeting:
    """Assemble a meeting with ids that survive edits elsewhere in the file.

    ``topics`` holds ``(tag, proposer, votes, title, line, level, notes)`` tuples; a topic id
    hashes source, date, the date's occurrence in the file and the normalised title.
    """
    seen: dict[str, int] = {}
    built = []
    # Topic ids are make_id(source, date, occurrence, title, key, n): make_id joins its parts
    # with \x1f, so the parts every topic of the meeting shares are joined once, here.
    shared = f"{source}\x1f{day.isoformat()}\x1f{occurrence}\x1f{title}"
    for tag, proposer, votes, topic_title, topic_line, level, topic_notes in topics:
        key = normalise_text(topic_title)[:80]
        count = seen[key] = seen.get(key, 0) + 1
        topic_id = make_id(shared, key, count)
        built.append(Topic(topic_title, topic_line, source, tag, proposer, votes, tuple(topic_notes), topic_id, level))
    meeting_id = make_id(source, day.isoformat(), occurrence, title)
    return Meeting(day, title, source, line, tuple(built), tuple(notes), meeting_id)


class PageAssembler:
    """Builds a :class:`Document` from a page read in order, line by line or block by block.

    Readers decide what a line is (a date, its text, whether it parses as a topic line, whether
    it opens with a speaker); the assembler keeps the rules they share: what comes before the
    first date is preamble, a repeated date opens a second meeting (W103), a bare bracketed
    name under a topic or speaker answers it, and a page without a dated meeting fails (E004).

    >>> from datetime import date
    >>> page = PageAssembler("p.txt")
    >>> page.note(Note("Purpose", 1))
    >>> page.date(date(2021, 7, 28), "2021-07-28", 2)
    >>> page.note(Note("[quest] (Ann) Why?", 3), parse_topic_line("[quest] (Ann) Why?"))
    >>> page.note(Note("Because", 4))
    >>> doc = page.finish("text")
    >>> [n.text for n in doc.preamble], [(t.title, [n.text for n in t.notes]) for t in doc.topics]
    (['Purpose'], [('Why?', ['Because'])])
    """

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []
        self.preamble: list[Note] = []
        self.meetings: list[Meeting] = []
        self._head: tuple | None = None  # (date, title, line, occurrence) of the meeting being read
        self._notes: list[Note] = []
        self._topics: list[tuple] = []
        self._current: list[Note] = self.preamble  # where the next plain line goes
        self._first_line_of_date: dict = {}
        self._previous = "none"  # kind of the previous line: header | topic | speaker | note

    def problem(self, line: int, code: str, message: str) -> None:
        self.problems.append(Problem(self.source, line, code, message))

    def date(self, day, title: str, line: int) -> None:
        """A dated section header opens a meeting."""
        self._close()
        occurrence = 1
        if day in self._first_line_of_date:
            occurrence = sum(1 for m in self.meetings if m.date == day) + 1
            self.problem(line, "W103", Codes.W103.format(date=day.isoformat(), first=self._first_line_of_date[day]))
        else:
            self._first_line_of_date[day] = line
        self._head, self._notes, self._topics, self._previous = (day, title, line, occurrence), [], [], "header"
        self._current = self._notes

    def note(self, note: Note, parsed: tuple | None = None, speaker: bool = False) -> None:
        """Any other line: preamble, a topic header (``parsed`` from :func:`parse_topic_line`) or a note."""
        if parsed is not None and self._head is not None and starts_topic(parsed, self._previous):
            tag, proposer, votes, title, _ = parsed
            self._current = []
            self._topics.append((tag, proposer, votes, title, note.line, note.level, self._current))
            self._previous = "topic"
        else:
            self._previous = "speaker" if speaker else "note"
            self._current.append(note)

    def finish(self, format: str) -> Document:
        self._close()
        if not self.meetings:
            raise no_meeting_error(self.source, self.problems)
        return Document(self.source, format, tuple(self.meetings), tuple(self.preamble), tuple(self.problems))

    def _close(self) -> None:
        if self._head is not None:
            self.meetings.append(build_meeting(self.source, *self._head, self._notes, self._topics))
            self._head = None
            self._current = self.preamble


@reader("text", suffixes=(".txt",), detect=_detect)
def read(text: str, source: str) -> Document:
    """Parse a plain-text page into meetings, topics and notes (see module docstring)."""
    page = PageAssembler(source)
    for number, raw in enumerate(split_lines(text), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        first = stripped[0]
        level = _level(raw) if raw[0] in " \t" else 0
        if first not in _SPECIAL and stripped.find(":", 0, 40) < 0 and len(stripped) <= LONG_LINE:
            # Most lines: a note that can be neither a date, a topic nor a speaker.
            page.note(Note(stripped, number, level, source))
            continue
        if len(stripped) > LONG_LINE:
            page.problem(number, "W104", Codes.W104.format(length=len(stripped)))
        if first.isdigit() and len(stripped) <= 40 and _DATE_LINE.match(stripped):
            day = find_date(stripped)
            if day is None:
                page.problem(number, "W102", Codes.W102.format(text=stripped))
            else:
                page.date(day, stripped, number)
                continue
        note = Note(stripped, number, level, source)
        # Only a line opening with a bracket or a vote can be a topic.
        parsed = parse_topic_line(stripped) if first in _TOPIC_OPENERS else None
        speaker = (first in "[(" or stripped.find(":", 0, 40) >= 0) and speaker_line(stripped)
        page.note(note, parsed, speaker)
    return page.finish("text")


_SPEAKER = re.compile(r"^(?:\[[^\]\[]{1,40}\]|\([A-Za-z][^()]{0,30}\)|[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}:)\s")


def speaker_line(text: str) -> bool:
    """True for a line that opens with a speaker: ``[djoy] ...``, ``(nim) ...``, ``Robert: ...``."""
    return bool(_SPEAKER.match(text[:80]))

