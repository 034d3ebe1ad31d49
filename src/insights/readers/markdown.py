"""Reader for meeting notes written in Markdown: a page per meeting, or many meetings per page.

>>> page = "# TAC Meeting - October 15, 2025\\n## Agenda\\n- Budget (Emily)\\n  - Q4 is short\\n"
>>> meeting = read(page, "2025-10-15.md").meetings[0]
>>> meeting.date, meeting.title, [n.text for n in meeting.notes]
(datetime.date(2025, 10, 15), 'TAC Meeting - October 15, 2025', ['## Agenda'])
>>> [(t.title, t.proposer_text, [(n.text, n.level) for n in t.notes]) for t in meeting.topics]
[('Budget', 'Emily', [('- Q4 is short', 1)])]

Dates, in order of trust:

* a heading holding a full date (``## Monday 7th October 2024``, ``# TAC Meeting - October
  15, 2025``); a heading that is only a day and month takes its year from the page's date
  range, front matter, file name or path;
* YAML front matter ``date:`` or ``title:`` (``title: "2025-10-15"``). A page with such a
  date and at most one dated heading is one meeting; when the two disagree the front matter
  wins (W108), as headings are typed by hand. ``description: Mon 7th Oct - Sun 13th Oct
  2024`` is a range: never a meeting date, but it supplies missing years and meetings
  outside it are reported (W109);
* the file name (``2021-12-22.md``), reported with W106 because nothing inside confirms it.

Layout understood:

* the dated headings of the shallowest level are *anchors*. An anchor with more than the
  date in it (``# TAC Meeting - October 15, 2025``) opens a meeting named by it. An anchor
  that is only a date (``## Monday 7th October 2024``) is a *day*: the shallowest headings
  under it (``### Strategy Guild``) each open a meeting on that day. It is still one
  meeting when those headings are section names (``### Agenda``, ``### Attendees``);
* a page without dated headings is one meeting whose header is its first line;
* inside a meeting, lines before the first section are meeting notes; attendance sections
  (``Attendees``, ``Apologies``, ``Present``, ``... Representatives``, or only check-box
  lines such as ``* [x] Larry Gritz, Sony``) are meeting notes, sub-headings included;
  any other heading opens a topic whose notes are the lines under it;
* in a meeting that has its page (or anchor) to itself, ``Agenda`` / ``Notes`` /
  ``Minutes`` sections list their topics as top-level bullets, deeper lines are notes of
  the bullet above, and ``* Mission statements (Daniel)`` names Daniel as proposer. In a
  page of many meetings each meeting is already split by topic headings, so there the
  headings are the topics and their bullets are notes;
* front matter, page titles, day headings and anything outside a meeting are preamble.

Every non-blank line is kept exactly once (code fences, tables, HTML and ``{% embed %}``
lines are notes like any other); a note's ``level`` is its list nesting depth. A page with
no content besides front matter and headings, or an undated month or year index page, is
a stub: :class:`IngestError` with a non-fatal W105, which callers count as skipped.
"""

from __future__ import annotations

import functools
import html
import os
import re
from bisect import bisect_left
from datetime import date

from ..errors import Codes, IngestError
from ..model import Document, Meeting, Note, Problem, normalise_text
from . import reader
from .dates import MONTHS, find_date, looks_like_date
from .text import LONG_LINE, build_meeting

__all__ = ["read", "clean_heading", "date_range", "split_bullet_topic"]

# A token is one non-blank line: (number, stripped text, heading level, list depth, mark).
# Heading level is 1-6 for headings, 0 for other lines and -1 for front matter; mark is
# 0 for plain lines, 1 for list items and 2 for check-box list items.
Token = tuple[int, str, int, int, int]

_WEEKDAYS = ("monday mon tuesday tue tues wednesday wed weds thursday thu thur thurs friday fri "
             "saturday sat sunday sun").split()
_DATE_WORDS = frozenset(MONTHS) | frozenset(_WEEKDAYS) | {"st", "nd", "rd", "th", "of", "the"}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?(?P<month>" + _MONTH_RE + r")\b\.?",
                        re.IGNORECASE)
_MONTH_DAY = re.compile(r"\b(?P<month>" + _MONTH_RE + r")\.?\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)",
                        re.IGNORECASE)
_ISO = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)")
_YEAR_AFTER = re.compile(r"\s*,?\s*(?P<year>(?:19|20)\d\d)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DIGIT = re.compile(r"\d")
_RANGE_SPLIT = re.compile(r"\s+(?:-|–|—|to|until|through)\s+", re.IGNORECASE)
# "October2023": a year glued to the month name hides the date from find_date.
_GLUED_YEAR = re.compile(r"([A-Za-z])((?:19|20)\d\d)(?!\d)")

# Bounded repeats keep the clean-up linear on pathological lines.
_TAG = re.compile(r"<[^<>]{0,500}>")
_LINK = re.compile(r"!?\[([^\[\]]{0,500})\]\([^()\s]{0,2000}\)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_NAME_SPLIT = re.compile(r"\s*(?:,|/|&|\band\b)\s*")
# An ATX heading as the first line or after a line break (faster to find than a MULTILINE ``^``).
_MD_HINT = re.compile(r"#{1,6}[ \t]+\S")
_MD_NEXT_HINT = re.compile(r"\n" + _MD_HINT.pattern)

ATTENDANCE_WORDS = frozenset(
    "attendees attendee attendance attending apologies apology regrets present participants participant "
    "absent absentees representatives invitees".split()
)
#: Section names whose top-level bullets are the topics (normalised).
LIST_SECTIONS = frozenset(["agenda", "agenda items", "notes", "meeting notes", "agenda notes", "agenda and notes",
                           "minutes", "meeting minutes", "discussion", "notes and discussion"])
#: Further section names that show a dated heading is one meeting rather than a day.
OTHER_SECTIONS = frozenset(["action items", "actions", "decisions", "decision items", "summary", "next meeting",
                            "next steps", "chat"])
# Words that make a parenthesised tail an organisation or a remark rather than proposers.
_NOT_NAMES = frozenset(
    "foundation inc ltd llc studios studio pictures animation entertainment software systems labs lab team "
    "group committee council working project projects release engineering update updates review discussion "
    "proposal presentation draft demo optional continued ongoing requested postponed deferred tentative "
    "the for of by see from with on in at to was is".split()
)
_CLEAN_LIMIT = 10_000
_BOXES = ("[ ]", "[x]", "[X]")
#: How far to look for the line closing a front matter block.
_MAX_FRONT_MATTER = 500


def _split_lines(text: str) -> list[str]:
    # Count lines as editors do (\n, \r\n, \r) so that problems point at the right line.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _front_matter_end(lines: list[str]) -> int:
    """Index of the line closing a YAML front matter block, or -1 when there is none."""
    if not lines or lines[0].strip() != "---":
        return -1
    for index in range(1, min(len(lines), _MAX_FRONT_MATTER)):
        stripped = lines[index].strip()
        if stripped in ("---", "..."):
            return index if index > 1 else -1
        # A thematic break followed by prose is not front matter: YAML lines hold a key,
        # a list item, a comment or a continuation.
        if stripped and ":" not in stripped and lines[index][0] not in " \t-#":
            return -1
    return -1


def _tokenize(text: str) -> list[Token]:
    """Classify every non-blank line: front matter, heading, list item or other text.

    >>> for token in _tokenize("# Day\\n- a\\n    - b\\n```\\n# not a heading\\n```\\n"):
    ...     print(token)
    (1, '# Day', 1, 0, 0)
    (2, '- a', 0, 0, 1)
    (3, '- b', 0, 1, 1)
    (4, '```', 0, 0, 0)
    (5, '# not a heading', 0, 0, 0)
    (6, '```', 0, 0, 0)
    """
    lines = _split_lines(text)
    tokens: list[Token] = []
    start = _front_matter_end(lines) + 1
    for index in range(start):
        stripped = lines[index].strip()
        if stripped:
            tokens.append((index + 1, stripped, -1, 0, 0))
    fence = ""  # the opening fence while inside a fenced code block
    comment = False
    stack: list[int] = []  # indents of the open list items
    append = tokens.append
    for number, raw in enumerate(lines[start:] if start else lines, start + 1):
        stripped = raw.strip()
        if not stripped:
            continue
        char = stripped[0]
        if raw[0] == char:
            indent = 0
        elif raw[0] == " " or raw[0] == "\t":
            lead = raw.find(char)  # everything before the first non-blank is blank
            indent = len(raw[:lead].expandtabs(4)) if raw.find("\t", 0, lead) >= 0 else lead
        else:
            indent = 0
        if fence or comment:
            # Inside code or an HTML comment nothing is a heading or a list item.
            if fence:
                closing = char == fence[0] and len(stripped) >= len(fence)
                if closing and stripped.count(fence[0]) == len(stripped):
                    fence = ""
            elif "-->" in stripped:
                comment = False
            append((number, stripped, 0, sum(1 for item in stack if item < indent), 0))
            continue
        size = len(stripped)
        if char == "#" and indent <= 3:
            level = 1
            while level < size and level < 7 and stripped[level] == "#":
                level += 1
            if level <= 6 and (level == size or stripped[level] == " " or stripped[level] == "\t"):
                stack.clear()
                append((number, stripped, level, 0, 0))
                continue
        mark = 0
        if char == "-" or char == "*" or char == "+":
            if size == 1 or stripped[1] == " " or stripped[1] == "\t":
                mark = 1
                body = 2  # where the item's text starts, blanks aside
                if size >= 3 and stripped[2] == char and char != "+" and size < 80:
                    compact = stripped.replace(" ", "").replace("\t", "")
                    if len(compact) >= 3 and compact.count(char) == len(compact):
                        mark = 0  # "* * *" is a thematic break, not a list item
        elif "0" <= char <= "9":
            end = 1
            while end < size and end < 10 and "0" <= stripped[end] <= "9":
                end += 1
            if end < size and stripped[end] in ".)" and (end + 1 == size or stripped[end + 1] in " \t"):
                mark = 1
                body = end + 2
        if mark:
            if stripped.startswith(_BOXES, body) or (
                    size > body and stripped[body].isspace() and stripped[body:].lstrip().startswith(_BOXES)):
                mark = 2
            if indent:
                while stack and stack[-1] >= indent:
                    stack.pop()
            else:
                stack.clear()
            depth = len(stack)
            stack.append(indent)
        else:
            if indent:
                depth = sum(1 for item in stack if item < indent)
            else:
                depth = 0
                if stack:
                    stack.clear()
            if char == "`" or char == "~":
                run = size - len(stripped.lstrip(char))
                # "```code```" is inline code, not a fence: a backtick fence's info has no backtick.
                if run >= 3 and not (char == "`" and "`" in stripped[run:]):
                    fence = stripped[:run]
            elif char == "<" and stripped.startswith("<!--") and "-->" not in stripped[4:]:
                comment = True
        append((number, stripped, 0, depth, mark))
    return tokens


def clean_heading(text: str) -> str:
    """Heading or bullet text without markup: ``#``, ``**``, tags, links, escapes, trailing ``:``.

    >>> clean_heading("### <mark style=\\"color:green;\\">Education Guild</mark>")
    'Education Guild'
    >>> clean_heading("# **ASWF TAC Meeting - November 18, 2020**")
    'ASWF TAC Meeting - November 18, 2020'
    >>> clean_heading("#### Dev Days Recap [#1174](https://github.com/x/y/issues/1174):&#x20;")
    'Dev Days Recap #1174'
    """
    if text[:1] == "#":
        text = text.lstrip("#")
    text = text.strip()
    if len(text) > _CLEAN_LIMIT:
        return " ".join(text.split())  # a huge line is kept as written: clean-up would only cost time
    if text.endswith("#"):
        bare = text.rstrip("#")
        if not bare or bare[-1] in " \t":
            text = bare  # closing sequence: "## Notes ##"
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub("", text)
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "**" in text or "__" in text:
        text = text.replace("**", "").replace("__", "")
    text = " ".join(text.split()).strip("*_ ")
    return text.rstrip(":").rstrip()


def _is_date_only(title: str) -> bool:
    """True when a heading is nothing but a date, so it names a day rather than a meeting.

    >>> _is_date_only("Monday, 5th June 2023"), _is_date_only("ASWF TAC Meeting - June 5, 2023")
    (True, False)
    """
    if len(title) > 80:
        return False
    return all(word in _DATE_WORDS for word in re.findall(r"[a-z]+", title.lower()))


def _day_month(text: str) -> tuple[int, int, int | None, int] | None:
    """(day, month, year or None, end) of the first day-and-month written in ``text``."""
    text = text[:300]
    best = None
    for pattern in (_DAY_MONTH, _MONTH_DAY, _ISO):
        match = pattern.search(text)
        if match and (best is None or match.start() < best.start()):
            best = match
    if best is None:
        return None
    month = best.group("month")
    month_number = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
    if best.re is _ISO:
        return int(best.group("day")), month_number, int(best.group("year")), best.end()
    after = _YEAR_AFTER.match(text, best.end())
    year = int(after.group("year")) if after else None
    return int(best.group("day")), month_number, year, after.end() if after else best.end()


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_range(text: str | None, fallback_year: int | None = None) -> tuple[date, date] | None:
    """The (first, last) day of a range such as a weekly page's description.

    >>> date_range("Mon 26th Dec 2022 - Sun 1st Jan 2023")
    (datetime.date(2022, 12, 26), datetime.date(2023, 1, 1))
    >>> date_range("Mon 28th Feb - Sun 6th Mar 2022")
    (datetime.date(2022, 2, 28), datetime.date(2022, 3, 6))
    >>> date_range("Jan 17, 2023") is None
    True
    """
    if not text:
        return None
    parts = _RANGE_SPLIT.split(text[:200], maxsplit=1)
    if len(parts) != 2:
        return None
    first, last = _day_month(parts[0]), _day_month(parts[1])
    if first is None or last is None:
        return None
    last_year = last[2] or first[2] or fallback_year
    if last_year is None:
        return None
    first_year = first[2] or (last_year if (first[1], first[0]) <= (last[1], last[0]) else last_year - 1)
    start, end = _make_date(first_year, first[1], first[0]), _make_date(last_year, last[1], last[0])
    if start is None or end is None or start > end:
        return None
    return start, end


class _Dating:
    """What the page says about dates besides its headings: range, years, front matter."""

    def __init__(self, front: dict[str, tuple[str, int]], source: str):
        years = [int(y) for y in _YEAR.findall(source)]
        self.path_year = years[-1] if years else None
        self.name_date = find_date(os.path.splitext(os.path.basename(source))[0])
        description = front.get("description", ("", 0))[0]
        self.range = date_range(description, self.path_year)
        self.front_date = None
        for key in ("date", "title"):
            if key in front:
                self.front_date = find_date(front[key][0])
                if self.front_date is not None:
                    break
        hints = [d.year for d in (self.front_date, self.name_date) if d is not None]
        self.year = hints[0] if hints else self.path_year

    def fit(self, day: date, page: "_Page", line: int) -> date:
        """``day`` checked against the page's range; a year typo is corrected (both with W109).

        On a weekly page for ``October 31, 2022 to November 6, 2022``, ``## Tuesday, November
        1st 2023`` is read as 2022-11-01: day and month fit the week, the year does not.
        """
        if self.range is None or self.range[0] <= day <= self.range[1]:
            return day
        first, last = self.range
        message = Codes.W109.format(date=day.isoformat(), first=first.isoformat(), last=last.isoformat())
        for year in sorted({first.year, last.year}):
            moved = _make_date(year, day.month, day.day)
            if moved is not None and first <= moved <= last:
                page.problems.append(Problem(page.source, line, "W109", f"{message}; read as {moved.isoformat()}"))
                return moved
        page.problems.append(Problem(page.source, line, "W109", message))
        return day

    def without_year(self, title: str) -> date | None:
        """Date of a day-only heading (``## Monday 7th October``) from the page's range or year."""
        found = _day_month(title)
        if found is None or found[2] is not None:
            return None
        day, month = found[0], found[1]
        if self.range is not None:
            candidates = [_make_date(year, month, day) for year in {self.range[0].year, self.range[1].year}]
            inside = [d for d in candidates if d is not None and self.range[0] <= d <= self.range[1]]
            if inside:
                return inside[0]
            return _make_date(self.range[1].year, month, day)
        return _make_date(self.year, month, day) if self.year else None


def _heading_date(title: str, dating: _Dating) -> date | None:
    """The date a heading names, if any (``Thursday 19th October2023`` included)."""
    head = title[:300]
    if _DIGIT.search(head) is None:
        return None
    found = find_date(head)
    if found is None and _GLUED_YEAR.search(head):
        found = find_date(_GLUED_YEAR.sub(r"\1 \2", head))
    if found is None and _is_date_only(head):
        found = dating.without_year(head)
    return found


@functools.lru_cache(maxsize=4096)  # section headings ("Agenda", "Attendees") repeat in every meeting
def _section_kind(title: str, lists: bool) -> str | None:
    """``attendance``, ``list`` (when ``lists``) or None for a topic heading.

    >>> [_section_kind(t, True) for t in ("Voting member attendance", "Agenda", "Narrative")]
    ['attendance', 'list', None]
    """
    words = normalise_text(title[:200]).split()
    if not words:
        return None
    if not ATTENDANCE_WORDS.isdisjoint(words) or " ".join(words[:2]) == "roll call":
        return "attendance"
    if lists and " ".join(words) in LIST_SECTIONS:
        return "list"
    return None


def _is_section_name(title: str) -> bool:
    if _section_kind(title, True) is not None:
        return True
    key = normalise_text(title[:200])
    return key in OTHER_SECTIONS or key.startswith(("action items", "decision items"))


def _looks_like_names(text: str) -> bool:
    """True for one to a few capitalised names: the proposers in ``Topic (Daniel, John)``.

    >>> _looks_like_names("Daniel, John"), _looks_like_names("Linux Foundation"), _looks_like_names("WIP")
    (True, False, False)
    """
    if not text or len(text) > 60:
        return False
    for part in _NAME_SPLIT.split(text):
        words = part.split()
        if not 1 <= len(words) <= 3:
            return False
        for word in words:
            bare = word.replace("-", "").replace("'", "").replace("’", "").replace(".", "")
            if (not bare.isalpha() or not word[0].isupper() or bare == bare.upper()
                    or bare.lower() in _NOT_NAMES):
                return False
    return True


def split_bullet_topic(text: str) -> tuple[str, str | None]:
    """Title and proposer of an agenda bullet: ``* Mission statements (Daniel)``.

    >>> split_bullet_topic("* Mission statements (Daniel)")
    ('Mission statements', 'Daniel')
    >>> split_bullet_topic("- ASWF Calendar invite resynching (Daniel, John)")
    ('ASWF Calendar invite resynching', 'Daniel, John')
    >>> split_bullet_topic("1. CI update (Linux Foundation)")
    ('CI update (Linux Foundation)', None)
    """
    if text[0] in "-*+":
        rest = text[1:].lstrip()
    else:
        end = 0
        while end < len(text) and "0" <= text[end] <= "9":
            end += 1
        rest = text[end + 1:].lstrip()
    if rest[:3] in ("[ ]", "[x]", "[X]"):
        rest = rest[3:].lstrip()
    title = clean_heading(rest)
    if title.endswith(")"):
        opening = title.rfind("(")
        names = title[opening + 1:-1].strip()
        if opening > 0 and _looks_like_names(names):
            shorter = title[:opening].rstrip(" -–—:,")
            if shorter:
                return shorter, names
    return title, None


def _checkbox_sections(tokens: list[Token], headings: list[int]) -> set[int]:
    """Positions of headings whose lines, up to the next heading, are all check-box items."""
    found: set[int] = set()
    ends = headings[1:] + [len(tokens)]
    for position, end in zip(headings, ends):
        if end > position + 1 and all(tokens[p][4] == 2 for p in range(position + 1, end)):
            found.add(position)
    return found


class _Page:
    """Parse state for one file: tokens, titles and dates of headings, records built."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.tokens = _tokenize(text)
        #: Positions of the headings, in order: the passes over a page's structure walk these
        #: rather than every line.
        self.headings = [position for position, token in enumerate(self.tokens) if token[2] > 0]
        self.problems: list[Problem] = []
        self.preamble: list[Note] = []
        self.meetings: list[Meeting] = []
        self.occurrences: dict[tuple[date, str], int] = {}
        self.titles: dict[int, str] = {}
        self.boxes = _checkbox_sections(self.tokens, self.headings)

    def note(self, position: int) -> Note:
        number, text, _, depth, _ = self.tokens[position]
        return Note(text, number, depth, self.source)

    def headings_between(self, start: int, end: int) -> list[int]:
        """Heading positions ``p`` with ``start <= p < end``."""
        return self.headings[bisect_left(self.headings, start):bisect_left(self.headings, end)]

    def title(self, position: int) -> str:
        if position not in self.titles:
            self.titles[position] = clean_heading(self.tokens[position][1])
        return self.titles[position]

    def meeting(self, day: date, header: int, body: range, base: int, lists: bool) -> None:
        """Build one meeting from its header line and the token positions of its body."""
        text = self.tokens[header][1]
        title = (split_bullet_topic(text)[0] if self.tokens[header][4] else self.title(header)) or day.isoformat()
        name = normalise_text(title[:200])
        count = self.occurrences[day, name] = self.occurrences.get((day, name), 0) + 1
        # Topic ids hash the date and this occurrence, not the meeting title, so the
        # occurrence names the meeting: two guilds meeting on one day both have a
        # "Narrative" topic, and their ids must differ without depending on meeting order.
        occurrence = f"{name}/{count}"
        notes, topics = self.body(body, base, lists)
        self.meetings.append(build_meeting(self.source, day, title, self.tokens[header][0], occurrence, notes, topics))

    def body(self, positions: range, base: int, lists: bool) -> tuple[list[Note], list[tuple]]:
        """Meeting notes and topics of a meeting whose header has heading level ``base``."""
        notes: list[Note] = []
        topics: list[tuple] = []
        current: list[Note] | None = None  # notes of the topic being read
        section: str | None = None
        section_level = 0
        listing = False  # top-level bullets open topics
        tokens, source = self.tokens, self.source
        for position in positions:
            number, text, head, depth, mark = tokens[position]
            if head > 0:
                title = self.title(position)
                if section is not None and head > section_level:
                    if section == "attendance":
                        notes.append(self.note(position))
                        continue
                    listing = False  # a sub-heading of an agenda section is itself the topic
                else:
                    section, listing = None, False
                    kind = _section_kind(title, lists) if title else None
                    if kind is None and position in self.boxes:
                        kind = "attendance"
                    if kind is not None:
                        section, section_level, listing, current = kind, head, kind == "list", None
                        notes.append(self.note(position))
                        continue
                if not title:
                    (notes if current is None else current).append(self.note(position))
                    continue
                topics.append((None, None, 0, title, number, max(0, head - base - 1), []))
                current = topics[-1][6]
                continue
            if listing and mark and depth == 0 and section == "list":
                title, proposer = split_bullet_topic(text)
                if title:
                    topics.append((None, proposer, 0, title, number, 0, []))
                    current = topics[-1][6]
                    continue
            note = Note(text, number, depth, source)
            if current is None or section == "attendance":
                notes.append(note)
            else:
                current.append(note)
        return notes, topics


def _detect(text: str) -> int:
    """How sure the text is Markdown: ATX headings, then YAML front matter."""
    score = 40 if _MD_HINT.match(text) or _MD_NEXT_HINT.search(text, 0, 200_000) else 0
    if text.startswith("---") and _front_matter_end(_split_lines(text[:20_000])) > 0:
        score += 20
    return score


@reader("markdown", suffixes=(".md", ".markdown"), detect=_detect)
def read(text: str, source: str) -> Document:
    """Parse a Markdown page into meetings, topics and notes (see module docstring)."""
    page = _Page(text, source)
    tokens = page.tokens
    if len(text) > LONG_LINE:  # only a page this long can hold a line this long
        for number, stripped, _, _, _ in tokens:
            if len(stripped) > LONG_LINE:
                page.problems.append(Problem(source, number, "W104", Codes.W104.format(length=len(stripped))))
    front: dict[str, tuple[str, int]] = {}
    body_start = 0
    for number, stripped, head, _, _ in tokens:
        if head != -1:
            break
        body_start += 1
        key, colon, value = stripped.partition(":")
        if colon and key.strip().replace("_", "").replace("-", "").isalnum():
            front.setdefault(key.strip().lower(), (value.strip().strip("\"'"), number))
    if len(tokens) - body_start == len(page.headings):  # nothing but front matter and headings
        raise IngestError(Problem(source, 0, "W105", Codes.W105, fatal=False))
    dating = _Dating(front, source)
    for position in range(body_start):
        page.preamble.append(page.note(position))

    dated: dict[int, date] = {}
    for position in page.headings:
        title = page.title(position)
        found = _heading_date(title, dating)
        if found is not None:
            dated[position] = found
        elif looks_like_date(title):
            page.problems.append(Problem(source, tokens[position][0], "W102", Codes.W102.format(text=title)))
    top = min((tokens[p][2] for p in dated), default=0)
    anchors = [p for p in sorted(dated) if tokens[p][2] == top]
    kinds = _anchor_kinds(page, anchors, top)

    if dating.front_date is not None and (not anchors or (len(anchors) == 1 and kinds[0] == "meeting")):
        # One dated meeting per page: its heading is the header when it is the page title;
        # a dated heading further down ("### Next meeting: March 24") is only a topic.
        page_title = next(p for p in range(body_start, len(tokens)) if tokens[p][2] != 0) if anchors else None
        if anchors and anchors[0] == page_title:
            if dated[page_title] != dating.front_date:
                page.problems.append(Problem(source, tokens[page_title][0], "W108", Codes.W108.format(
                    heading=dated[page_title].isoformat(), front=dating.front_date.isoformat())))
            dated[page_title] = dating.front_date
            _read_anchors(page, anchors, kinds, dated, top, body_start)
        else:
            _read_single(page, dating.front_date, body_start)
    elif anchors:
        for position in anchors:
            dated[position] = dating.fit(dated[position], page, tokens[position][0])
        _read_anchors(page, anchors, kinds, dated, top, body_start)
    elif dating.name_date is not None:
        page.problems.append(Problem(source, 0, "W106", Codes.W106.format(text=os.path.basename(source))))
        _read_single(page, dating.name_date, body_start)

    if not page.meetings:
        _no_meeting(page, body_start)
    return Document(source, "markdown", tuple(page.meetings), tuple(page.preamble), tuple(page.problems))


def _anchor_kinds(page: _Page, anchors: list[int], top: int) -> list[str]:
    """For each anchor: ``meeting`` (it names one meeting) or ``day`` (its sub-headings do)."""
    tokens = page.tokens
    kinds: list[str | None] = []
    for index, anchor in enumerate(anchors):
        if not _is_date_only(page.title(anchor)):
            kinds.append("meeting")
            continue
        end = anchors[index + 1] if index + 1 < len(anchors) else len(tokens)
        subs = []
        for position in page.headings_between(anchor + 1, end):
            head = tokens[position][2]
            if head < top:
                break
            if head > top:
                subs.append(position)
        if not subs:
            kinds.append(None)
            continue
        level = min(tokens[p][2] for p in subs)
        named = any(_is_section_name(page.title(p)) for p in subs if tokens[p][2] == level)
        kinds.append("meeting" if named else "day")
    # A day heading with nothing under it follows the page's other days.
    fallback = "day" if "day" in kinds else "meeting"
    return [kind or fallback for kind in kinds]


def _read_single(page: _Page, day: date, body_start: int) -> None:
    """The whole page is one meeting; its first line after any front matter is the header."""
    header = body_start
    head = page.tokens[header][2]
    page.meeting(day, header, range(header + 1, len(page.tokens)), max(head, 0), lists=True)


def _read_anchors(page: _Page, anchors: list[int], kinds: list[str], dated: dict[int, date], top: int,
                  body_start: int) -> None:
    tokens = page.tokens
    for position in range(body_start, anchors[0]):
        page.preamble.append(page.note(position))
    first_of_date: dict[date, int] = {}
    for index, anchor in enumerate(anchors):
        end = anchors[index + 1] if index + 1 < len(anchors) else len(tokens)
        # A heading shallower than the anchors ends the anchor's section: the rest is page text.
        close = next((p for p in page.headings_between(anchor + 1, end) if tokens[p][2] < top), end)
        day = dated[anchor]
        if kinds[index] == "meeting":
            if day in first_of_date:
                page.problems.append(Problem(page.source, tokens[anchor][0], "W103", Codes.W103.format(
                    date=day.isoformat(), first=first_of_date[day])))
            else:
                first_of_date[day] = tokens[anchor][0]
            page.meeting(day, anchor, range(anchor + 1, close), top, lists=True)
        else:
            _read_day(page, day, anchor, close, top)
        for position in range(close, end):
            page.preamble.append(page.note(position))


def _read_day(page: _Page, day: date, anchor: int, close: int, top: int) -> None:
    """A day heading: each of its shallowest sub-headings opens a meeting on that day."""
    tokens = page.tokens
    page.preamble.append(page.note(anchor))
    subs = [p for p in page.headings_between(anchor + 1, close) if tokens[p][2] > top]
    level = min((tokens[p][2] for p in subs), default=0)
    headers = [p for p in subs if tokens[p][2] <= level and page.title(p)]
    # Lines before the first meeting on the day are page text.
    for position in range(anchor + 1, headers[0] if headers else close):
        page.preamble.append(page.note(position))
    for header, end in zip(headers, headers[1:] + [close]):
        page.meeting(day, header, range(header + 1, end), tokens[header][2], lists=False)


def _no_meeting(page: _Page, body_start: int) -> None:
    """Raise the right error for a page that holds no dated meeting."""
    source, tokens = page.source, page.tokens
    title_position = next((p for p in range(body_start, len(tokens)) if tokens[p][2] > 0), None)
    if title_position is not None:
        words = re.findall(r"[a-z]+|\d+", page.title(title_position).lower())
        # "# May 2022" or "# 2023": an index page for a month or a year, not meeting notes.
        if words and any(_YEAR.fullmatch(w) for w in words) and all(w in MONTHS or _YEAR.fullmatch(w) for w in words):
            raise IngestError(Problem(source, 0, "W105", f"{Codes.W105} (index page {page.title(title_position)!r})",
                                      fatal=False))
    bad = next((p for p in page.problems if p.code == "W102"), None)
    detail = f" ({bad.message})" if bad else ""
    raise IngestError(Problem(source, bad.line if bad else 0, "E004", Codes.E004 + detail, fatal=True))
