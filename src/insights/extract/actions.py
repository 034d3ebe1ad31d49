"""Fast line rules for action items, decisions and questions (no spaCy needed).

>>> parse_tagged(r"* \\[action] Sucre to share the doc \\[assignee] Sucren \\[due] 2023-11-23 \\[status] in progress")
[Tagged(text='Sucre to share the doc', assignee='Sucren', due=datetime.date(2023, 11, 23), status='in progress')]
>>> marker("ACTION: Work with project TSCs to transition over")
('marker', 'Work with project TSCs to transition over')
>>> is_section_heading("Action Items (AIs)"), is_section_heading("Next steps"), is_section_heading("Next step: ship")
('actions', 'actions', None)

Each rule has a name (stored with the item as ``rule``) and a confidence: the precision
the rule reached on the labelled evaluation sets (see ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from ..readers.dates import find_date

__all__ = ["clean", "parse_tagged", "Tagged", "marker", "is_section_heading", "status_of", "CONFIDENCE",
           "is_question", "decision_marker", "leading_owner", "trailing_owner", "is_heading_like",
           "checkbox", "call_to_action"]

#: Rule -> confidence (precision measured on the evaluation sets; see benchmarks/RESULTS.md).
CONFIDENCE = {
    "tagged": 0.99,
    "marker": 0.95,
    "task": 0.95,
    "section": 0.9,
    "commitment": 0.85,
    "call": 0.8,
}

_ESCAPES = [("\\[", "["), ("\\]", "]"), ("\\*", "*"), ("\\_", "_"), ("\\#", "#"), ("&#x20;", " "),
            ("&#xNAN;", ""), ("&#x26;", "&"), ("&amp;", "&"), ("&nbsp;", " "), ("\u00a0", " ")]
_BULLET = re.compile(r"^\s*(?:#{1,6}\s+|>\s*)?(?:(?:[-*+•]|\d{1,3}[.)])\s+)?")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)_(?=\S)|(?<=\S)_(?!\w)")


@functools.lru_cache(maxsize=16384)
def clean(text: str) -> str:
    """Text without Markdown list marks, emphasis, escapes and GitBook entities.

    >>> clean("&#xNAN;**\\\\[Action]** - Fly will try \\\\")
    '[Action] - Fly will try'
    """
    if "\\" in text or "&" in text or "\u00a0" in text:
        for old, new in _ESCAPES:
            text = text.replace(old, new)
    text = _BULLET.sub("", text, count=1)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub("", text)
    return text.strip().rstrip("\\").strip()


# -- tagged items: [action] ... [assignee] ... [due] ... [status] ... --------------------------
_TAG = re.compile(r"\[\s*(action(?:\s*item)?|assignee|assignees|owner|due|deadline|status)\s*\]\s*:?", re.IGNORECASE)
_TAGGED_HINT = re.compile(r"action\W{0,4}(?:item\W{0,4})?\]", re.IGNORECASE)


@dataclass(frozen=True)
class Tagged:
    text: str
    assignee: str | None
    due: date | None
    status: str


_STATUS = {
    "todo": "open", "to do": "open", "to-do": "open", "open": "open", "not started": "open", "new": "open",
    "pending": "open", "planned": "open",
    "done": "done", "complete": "done", "completed": "done", "closed": "done", "finished": "done",
    "resolved": "done",
    "in progress": "in progress", "in-progress": "in progress", "inprogress": "in progress", "ongoing": "in progress",
    "wip": "in progress", "started": "in progress", "doing": "in progress", "in review": "in progress",
    "dropped": "dropped", "cancelled": "dropped", "canceled": "dropped", "won't do": "dropped", "wont do": "dropped",
}


def status_of(text: str | None) -> str:
    """Status as written mapped to open / in progress / done / dropped (open when unknown).

    >>> status_of("Done."), status_of("in-progress"), status_of("todo")
    ('done', 'in progress', 'open')
    """
    if not text:
        return "open"
    key = " ".join(re.sub(r"[^\w' -]+", " ", text.lower()).split())
    if key in _STATUS:
        return _STATUS[key]
    for word, status in _STATUS.items():
        if key.startswith(word):
            return status
    return "open"


def parse_tagged(text: str) -> list[Tagged]:
    """Every ``[action]`` item on a line (plain, bold or backslash-escaped tags)."""
    if not _TAGGED_HINT.search(text):
        return []
    line = clean(text)
    tags = list(_TAG.finditer(line))
    items: list[Tagged] = []
    current: dict | None = None
    for index, tag in enumerate(tags):
        name = tag.group(1).lower()
        end = tags[index + 1].start() if index + 1 < len(tags) else len(line)
        value = line[tag.end():end].strip(" -–:;|")
        if name.startswith("action"):
            if current:
                items.append(_tagged(current))
            current = {"text": value}
        elif current is not None:
            key = {"assignees": "assignee", "owner": "assignee", "deadline": "due"}.get(name, name)
            current.setdefault(key, value)
    if current:
        items.append(_tagged(current))
    return [item for item in items if item.text]


def _tagged(fields: dict) -> Tagged:
    due_text = fields.get("due") or ""
    assignee = (fields.get("assignee") or "").strip() or None
    return Tagged(fields["text"].strip(), assignee, find_date(due_text) if due_text else None,
                  status_of(fields.get("status")))


# -- markers: ACTION: ..., AI: ..., TODO: ..., Action item: ... -----------------------------
_MARKER = re.compile(
    r"^\[?(?:(?i:action(?:\s*items?)?|todo|to-do|follow[- ]?up)|AI)\]?\s*(?:[:\-–]|(?<=\])\s)\s*(?P<rest>\S.*)$")


def marker(text: str) -> tuple[str, str] | None:
    """``("marker", rest)`` for a line opening with an action marker that has text after it.

    >>> marker("AI Platform?") is None, marker("Action item: get back to Emily")[1]
    (True, 'get back to Emily')
    """
    line = clean(text)
    match = _MARKER.match(line)
    if not match:
        return None
    rest = match.group("rest").strip()
    if not rest or re.match(r"^\(?AIs?\)?:?$", rest):
        return None
    return "marker", rest


_SECTION = re.compile(
    r"^(?:(?P<actions>action\s*items?|actions?|ais|next\s*steps?|follow[- ]?ups?|to-?dos?|tasks|takeaways)"
    r"|(?P<decisions>decisions?(?:\s*items?|\s*made|\s*log)?|agreements?))"
    r"\s*(?:\(\s*AIs?\s*\)|\(s\))?\s*:?$",
    re.IGNORECASE,
)


def is_section_heading(text: str) -> str | None:
    """``actions`` or ``decisions`` when a line (or topic title) opens such a section."""
    line = clean(text).strip("#* ").strip()
    if len(line) > 40:
        return None
    match = _SECTION.match(line)
    if not match:
        return None
    return "actions" if match.group("actions") else "decisions"


_HEADING_LIKE = re.compile(r"^[A-Z][\w’'&/-]*(?:\s+[\w’'&/-]+){0,3}:?$")


def is_heading_like(text: str) -> bool:
    """A short label line without a verb phrase (``Possible approaches``, ``Known Issues``)."""
    line = clean(text)
    if line.startswith("#"):
        return True
    return bool(_HEADING_LIKE.match(line)) and not line.endswith((".", "?", "!"))


def is_question(text: str) -> bool:
    """A line asking something: ends with ``?`` or opens with ``Question:`` / ``Q:`` / ``Open question``."""
    line = clean(text)
    return line.endswith("?") or bool(re.match(r"^(?:open\s+)?(?:questions?|q)\b[^:]{0,30}:|^decision point\s*:",
                                               line, re.IGNORECASE))


_DECISION = re.compile(r"^\[?(?i:decision|decided|agreed|resolution|resolved|rationale)\]?\s*(?:[:\-–]|(?<=\])\s)\s*(?P<rest>\S.*)$")
_DECISION_PHRASE = re.compile(
    r"^(?:(?:we|the group|the team|the tac|all)\s+)?(?:(?:have\s+)?(?:decided|agreed)\s+(?:to|on|that)\b"
    r"|(?:let'?s\s+)?(?:move|go|proceed)\s+ahead\s+with\b|(?:we'll|we will)\s+go\s+with\b)", re.IGNORECASE)


def decision_marker(text: str) -> tuple[str, str] | None:
    """``(rule, text)`` for a line that records a decision.

    >>> decision_marker("Move ahead with this approach.")
    ('phrase', 'Move ahead with this approach.')
    >>> decision_marker("- [rationale] cheaper to run")
    ('rationale', 'cheaper to run')
    """
    line = clean(text)
    match = _DECISION.match(line)
    if match:
        rule = "rationale" if line.lower().lstrip("[").startswith("rationale") else "marker"
        return rule, match.group("rest").strip()
    if _DECISION_PHRASE.match(line):
        return "phrase", line
    return None


# -- owners written around an item ---------------------------------------------------------
_NAME = r"[A-Z\u00c0-\u00de][\w\u00c0-\u024f’'.&-]*"
_NAME_LIST = rf"{_NAME}(?:\s+{_NAME}){{0,2}}(?:\s*(?:,|&|\band\b|/)\s*{_NAME}(?:\s+{_NAME}){{0,2}}){{0,5}}"
_LABEL_OWNER = re.compile(rf"^(?P<names>{_NAME_LIST}|[a-z][\w.-]{{1,20}})\s*:\s+(?P<rest>\S.*)$")
_TEAM_LEAD = re.compile(r"^(?P<names>(?:[A-Z][\w&-]*\s+){1,3}(?:team|group|wg|guild|committee|council|squad))\s+"
                        r"(?P<rest>(?:will|to|shall)\s+(?P<verb>[a-z]+).*)$", re.IGNORECASE)
_TRAIL_OWNER = re.compile(rf"(?:\s[-–—]\s*|\s\[|\s\()(?P<names>{_NAME_LIST}|@?[a-z][\w.-]{{1,20}})[\])]?\s*\.?$")


def leading_owner(line: str, known=frozenset()) -> tuple[str, str] | None:
    """``(names, rest)`` when an item opens with who owns it.

    ``Daniel: Reach out to ...``, ``Emily, Daniel: Broad survey``, ``Ned Batchelder Add this ...``.

    >>> leading_owner("Ned Batchelder Add this to the sheet")
    ('Ned Batchelder', 'Add this to the sheet')
    >>> leading_owner("Publicize wider (maybe in slack)") is None
    True
    """
    from .lexicon import is_verb
    from .people import looks_like_name, split_names

    match = _LABEL_OWNER.match(line)
    if match:
        names = split_names(match.group("names"))
        # the first must be a name; the others may be groups ("Daniel, Emily, Project chairs")
        if names and (looks_like_name(names[0]) or names[0].lower() in known) and all(
                looks_like_name(n) or n.lower() in known or n[:1].isupper() for n in names[1:]):
            return match.group("names"), match.group("rest")
    match = _TEAM_LEAD.match(line)
    if match and is_verb(match.group("verb")):
        return match.group("names"), line[match.start("rest"):]
    words = line.split()
    for size in (3, 2, 1):
        if len(words) <= size + 1:
            continue
        names = " ".join(words[:size])
        if not re.fullmatch(rf"{_NAME}(?:\s+{_NAME})*", names):
            continue
        rest = " ".join(words[size:])
        linked = rest
        rest = re.sub(r"^\([^)]{0,40}\)\s*", "", rest)
        rest = re.sub(r"^[-–—:]\s*", "", rest)
        rest = re.sub(r"^(?:will|to|shall)\s+(?=[a-z])", "", rest)
        verb = re.match(r"[A-Za-z]+", rest)
        if not verb or not is_verb(verb.group()) or verb.group().lower() in {"is", "are", "was", "has", "be"}:
            continue
        if rest == linked:
            # "Ned Batchelder Add this": a bare verb must open a new sentence, and one unknown
            # word before it is as likely a title ("Google Class enrolment") as a name
            if not verb.group()[0].isupper() or (size == 1 and names.lower() not in known):
                continue
        if looks_like_name(names) or names.lower() in known:
            return names, rest
    return None


def trailing_owner(line: str, known=frozenset()) -> str | None:
    """Names written after an item: ``... [Ned]``, ``... (Daniel, John)``, ``... - Tevo``.

    >>> trailing_owner("Add this to the Doc Hackathon Ideas sheet [Ned]")
    'Ned'
    """
    from .people import looks_like_name, split_names

    match = _TRAIL_OWNER.search(line)
    if not match:
        return None
    names = match.group("names").lstrip("@")
    parts = split_names(names)
    if parts and all(looks_like_name(n) or n.lower() in known for n in parts):
        return names
    return None


_CHECKBOX = re.compile(r"^\[(?P<box>[ xX✓])\]\s+(?P<rest>\S.*)$")


def checkbox(text: str) -> tuple[bool, str] | None:
    """``(checked, rest)`` for a task or roll-call line (``[x] ...``, ``- [ ] ...``)."""
    match = _CHECKBOX.match(clean(text))
    if not match:
        return None
    return match.group("box") != " ", match.group("rest").strip()


_CALL_START = re.compile(
    r"^(?:please\s+)?(?:reach\s+out|contact|ping|let\s+(?:us|me|them|\w+)\s+know|sign\s+up|fill\s+(?:in|out)|"
    r"feel\s+free\s+to|don'?t\s+forget\s+to|remember\s+to|make\s+sure\s+to|reply|respond|vote|register|rsvp|"
    r"send\s+(?:us|me)|join\s+(?:us|the|#))\b", re.IGNORECASE)
_IF_YOU = re.compile(r"\bif\s+you\b", re.IGNORECASE)


def call_to_action(text: str) -> bool:
    """A line asking the readers to act: ``Reach out to #arch-bom if you have a use case``.

    >>> call_to_action("If you find a good guide, consider adding to the wiki")
    True
    >>> call_to_action("If you want users you can now do so through app-permissions")
    False
    """
    from .lexicon import is_verb

    line = clean(text)
    if _CALL_START.match(line):
        return True
    if line.lower().startswith("please ") and is_verb(line.split()[1].strip(",")):
        return True
    if not _IF_YOU.search(line):
        return False
    first = line.split()[0].strip(",").lower()
    if first not in {"if", "also"} and is_verb(first) and first not in {"do", "can", "will", "may", "would"}:
        return True
    # "If you ..., <verb> ..." — the main clause after the first comma is an imperative
    head, _, tail = line.partition(",")
    if _IF_YOU.search(head) and tail.strip():
        word = tail.split()[0].lower()
        return is_verb(word) and word not in {"you", "we", "it", "they", "there", "do", "can", "will", "may", "would",
                                              "be", "is", "are", "have"}
    return False
