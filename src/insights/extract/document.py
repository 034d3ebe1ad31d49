"""Extraction from one parsed file: fast line rules first, spaCy only on the notes that need it.

>>> from insights.readers.text import read
>>> doc = read("2021-07-28\\n(discuss) [Dave O] Iframes\\nNext steps\\nDavidJ will explore XPs.\\n", "a.txt")
>>> found = extract_document(doc)
>>> found.intents[next(doc.topics).id], [(a.owner_text, a.rule) for a in found.actions]
(['discuss'], [('DavidJ', 'section')])

The order of work is what keeps it fast on large archives: structure (legend, sections,
speakers, attendance, tagged items, markers) is read with regular expressions over every
note, and only notes whose words suggest a person acting or deciding (a capitalised
name before ``will`` / ``to`` / ``said``, ``if you``, ``agreed to`` ...) are sent to
spaCy with :meth:`~spacy.language.Language.pipe`, carrying their ids as tuples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Iterator

from ..readers.dates import find_date
from ..model import Document, Meeting, Note, Topic
from . import actions as rules
from .intents import VOCABULARY, legend, normalise_intents, title_intent
from .lexicon import is_verb
from .people import Directory, kind_of, looks_like_name, split_names

__all__ = ["extract_document", "Extraction", "Mention", "Item", "Finding"]


@dataclass
class Mention:
    """A name, team, channel, ticket or URL seen at a line, with the role it played there."""

    kind: str  # person | team | channel | ticket | url
    role: str  # proposer | speaker | owner | attendee | facilitator | text
    surface: str
    line: int
    meeting: Meeting | None = None
    topic: Topic | None = None


@dataclass
class Item:
    """An action item before storage (owner as written; canonical names come later)."""

    text: str
    line: int
    rule: str
    meeting: Meeting
    topic: Topic | None
    owner_text: str | None = None
    due: date | None = None
    status: str = "open"

    @property
    def confidence(self) -> float:
        return rules.CONFIDENCE.get(self.rule, 0.5)


@dataclass
class Finding:
    """A decision or open question."""

    kind: str  # decision | question
    text: str
    line: int
    rule: str
    meeting: Meeting | None
    topic: Topic | None
    rationale: str | None = None


@dataclass
class Extraction:
    intents: dict[str, list[str]] = field(default_factory=dict)  # topic id -> normalised intents
    unknown_intents: dict[str, list[str]] = field(default_factory=dict)  # topic id -> raw parts
    proposers: dict[str, list[str]] = field(default_factory=dict)  # topic id -> names as written
    mentions: list[Mention] = field(default_factory=list)
    actions: list[Item] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    vocabulary: tuple[str, ...] = VOCABULARY
    nlp_notes: int = 0  # notes sent to spaCy
    nlp_words: int = 0


_URLS = re.compile(r"https?://[^\s<>()\[\]\"'`]+|www\.[^\s<>()\[\]\"'`]+")
_CHANNELS = re.compile(r"(?<![\w&/#])#[a-z][\w.-]*[\w]")
_TEAMS = re.compile(r"(?<![\w#/-])(?:[A-Z][a-z]+-[A-Z]{2,}|[A-Z]{1,3}&[A-Z]{1,3})(?![\w-])")
_TICKETS = re.compile(r"(?<![\w/-])[A-Z][A-Z0-9]{1,9}-\d{1,6}(?![\w-])")
_ATTENDANCE = re.compile(
    r"^(?:present|attendees?|attendance|participants?|in attendance|people|who)\s*:\s*(?P<names>\S.*)$",
    re.IGNORECASE)
_ATTEND_HEADING = re.compile(r"attend|present|roll|member|representative|apolog|particip|voting|invitee",
                             re.IGNORECASE)
_ROLE_TAG = re.compile(r"\[\s*(facilitator|documenter|host|chair|notes|note[- ]?taker|scribe|timekeeper)\s*\]",
                       re.IGNORECASE)
_BRACKET_SPEAKER = re.compile(r"^(?:\[(?P<b>[^\[\]]{1,40})\]|\((?P<p>[A-Za-z][^()]{0,30})\))\s*:?\s+(?P<rest>\S.*)$")
_LABEL_SPEAKER = re.compile(r"^(?P<name>[A-Z\u00c0-\u00de][\w\u00c0-\u024f’'.-]*(?:\s+[A-Z\u00c0-\u00de][\w\u00c0-\u024f’'.-]*){0,2})"
                            r"\s*:\s+(?P<rest>\S.*)$")
_CAP_CONTEXT = re.compile(
    r"(?<![\w#@])(?P<w>[A-Z][\w&’'.-]*|[a-z]+[A-Z]\w*)\s+(?:will|to|'ll|has|have|is going|are going|offered|agreed|"
    r"volunteered|promised|said|says|mentioned|suggested|asked|noted|discussed|presented|thinks|explained|"
    r"proposed|shared|confirmed|and|is (?:working|looking|leading|driving|handling|investigating|exploring))\b|(?P<list>[A-Z]\w*,\s+[A-Z]\w*)")
# matched against the lower-cased note: case-insensitive patterns are several times slower
_PHRASES = re.compile(
    r"\b(?:if you|please|reach out|let (?:us|me) know|feel free|decided|agreed (?:to|on)|ahead with|go with|"
    r"(?:written|presented|led|proposed|raised|hosted) by)\b")
_WITH_NAME = re.compile(r"\b(?:discuss\w*|talk\w*|spoke|speak|met|meet|sync\w*|chat\w*|check\w*) (?:\w+ )?with [A-Z]")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=\S)")
_NAMED_ACTION = re.compile(r"^\[(?P<n>[^\[\]]{1,40})\]\s*\[(?:action|ai|todo)\]\s*:?\s*(?P<rest>\S.*)$",
                           re.IGNORECASE)
_SPEAKER_COMMITS = re.compile(r"^(?:i\s+|we\s+)?(?:will|'ll|to)\s+(?:also\s+)?(?P<verb>[a-z]+)\b", re.IGNORECASE)
_DUE = re.compile(r"\b(?:by|due|before|until|deadline)\b[:\s]+(?P<rest>.{6,40})", re.IGNORECASE)
_DONE = re.compile(r"(?:\bdone\b|\bcompleted?\b|✅|✔)\s*[.)]?\s*$|^\s*(?:done|completed?)\s*[:\-]", re.IGNORECASE)
_PRONOUNS = frozenset("i we you they he she it this that these those there here who what which all everyone "
                      "someone anyone people folks team".split())


def _status_from_text(text: str) -> str:
    if _DONE.search(text):
        return "done"
    if re.search(r"\bin[- ]progress\b|\bongoing\b", text, re.IGNORECASE):
        return "in progress"
    return "open"


def _due_from_text(text: str) -> date | None:
    match = _DUE.search(text)
    return find_date(match.group("rest")) if match else None


def _names(text: str, *, trusted: bool) -> list[str]:
    text = _ROLE_TAG.sub("", text)
    return [n for n in split_names(text) if looks_like_name(n, trusted=trusted)]


class _Walker:
    """Reads one document's notes in order, keeping the section a note falls in."""

    def __init__(self, document: Document, directory: Directory, known: set[str]):
        self.document = document
        self.out = Extraction()
        self.teams = directory.teams
        self.known = known  # lower-case names known to be people or teams
        self.candidates: list[tuple[str, tuple]] = []

    # -- helpers -------------------------------------------------------------------------
    def mention(self, surface: str, role: str, line: int, meeting, topic, *, kind: str | None = None) -> None:
        surface = surface.strip().strip("@").strip()
        if not surface:
            return
        kind = kind or kind_of(surface, self.teams)
        self.out.mentions.append(Mention(kind, role, surface, line, meeting, topic))
        if kind in ("person", "team"):
            self.known.add(surface.lower())

    def owners(self, names: str, line: int, meeting, topic) -> str:
        for name in split_names(names):
            self.mention(name, "owner", line, meeting, topic)
        return names.strip()

    def item(self, text: str, note: Note, rule: str, meeting, topic, owner: str | None = None,
             due: date | None = None, status: str | None = None) -> None:
        text = text.strip()
        if not text:
            return
        if owner:
            owner = self.owners(owner, note.line, meeting, topic)
        self.out.actions.append(Item(text, note.line, rule, meeting, topic, owner or None,
                                     due or _due_from_text(text), status or _status_from_text(text)))

    def owner_of(self, text: str) -> tuple[str | None, str]:
        lead = rules.leading_owner(text, self.known)
        if lead:
            return lead[0], text
        trail = rules.trailing_owner(text, self.known)
        return trail, text

    # -- the walk ------------------------------------------------------------------------
    def run(self) -> Extraction:
        document = self.document
        self.out.vocabulary = tuple(dict.fromkeys(legend(n.text for n in document.preamble) + VOCABULARY))
        for note in document.preamble:
            self.kinds(note, None, None)
        for meeting in document.meetings:
            self.notes(meeting.notes, meeting, None, attendance_default=True)
            for topic in meeting.topics:
                self.topic(topic, meeting)
        return self.out

    def topic(self, topic: Topic, meeting: Meeting) -> None:
        intents, unknown = normalise_intents(topic.tag, self.out.vocabulary)
        if not intents and not unknown:
            declared = title_intent(topic.title, self.out.vocabulary)
            intents = [declared] if declared else []
        self.out.intents[topic.id] = intents
        if unknown:
            self.out.unknown_intents[topic.id] = unknown
        proposers = []
        for name in split_names(topic.proposer_text or ""):
            proposers.append(name)
            self.mention(name, "proposer", topic.line, meeting, topic)
        self.out.proposers[topic.id] = proposers
        section = rules.is_section_heading(topic.title)
        if section is None and _ATTEND_HEADING.search(topic.title) and len(topic.title) < 60:
            section = "attendance"
        self.notes(topic.notes, meeting, topic, section=section)

    def kinds(self, note: Note, meeting, topic) -> None:
        text = note.text
        if "http" in text or "www." in text:
            for url in _URLS.findall(text):
                self.mention(url.rstrip(".,;:"), "text", note.line, meeting, topic, kind="url")
        if "#" in text:
            for channel in _CHANNELS.findall(text):
                self.mention(channel, "text", note.line, meeting, topic, kind="channel")
        if "-" in text:
            for ticket in _TICKETS.findall(text):
                self.mention(ticket, "text", note.line, meeting, topic, kind="ticket")
        if "-" in text or "&" in text:
            for team in _TEAMS.findall(text):
                self.mention(team, "text", note.line, meeting, topic, kind="team")

    def notes(self, notes: Iterable[Note], meeting, topic, *, section: str | None = None,
              attendance_default: bool = False) -> None:
        # a topic that is itself a section ("Action Items (AIs)") holds items at every level
        section_level = -1 if section else None
        item_level: int | None = None
        previous_decision: Finding | None = None
        for note in notes:
            self.kinds(note, meeting, topic)
            text = rules.clean(note.text)
            if not text:
                continue
            heading = rules.is_section_heading(note.text)
            if heading:
                section, section_level, item_level = heading, note.level, None
                continue
            if note.text.lstrip().startswith("#") and section_level is not None and section_level >= 0:
                section = section_level = None  # another Markdown heading ends the section
            elif section_level is not None and section_level >= 0 and note.level <= section_level:
                if note.level < section_level or rules.is_heading_like(note.text) or rules.is_question(text):
                    section = section_level = None
            if section == "attendance":
                self.attendance_line(note, text, meeting, in_roll=True)
                continue
            if attendance_default and _ATTEND_HEADING.search(text) and rules.is_heading_like(note.text):
                section, section_level = "attendance", note.level  # "## Attendees" among meeting notes
                continue
            if _ATTENDANCE.match(text) or (attendance_default and self.attendance_line(note, text, meeting)):
                if not attendance_default:
                    self.attendance_line(note, text, meeting)
                continue
            if self.tagged(note, meeting, topic):
                continue
            decision = rules.decision_marker(note.text)
            if decision:
                rule, body = decision
                if rule == "rationale" and previous_decision is not None:
                    previous_decision.rationale = body
                else:
                    previous_decision = Finding("decision", body, note.line, rule, meeting, topic)
                    self.out.findings.append(previous_decision)
                    self.inline_action(note, text, meeting, topic)
                continue
            if section == "decisions":
                if note.level > (item_level if item_level is not None else note.level) or rules.is_question(text):
                    continue
                item_level = note.level if item_level is None else item_level
                previous_decision = Finding("decision", text, note.line, "section", meeting, topic)
                self.out.findings.append(previous_decision)
                continue
            if self.marked(note, text, meeting, topic):
                continue
            if section == "actions":
                if item_level is not None and note.level > item_level:
                    continue  # details of the item above
                # a question ends an inline list of items, but under an "Action Items" heading
                # every top-level bullet is an item, questions included
                if (section_level != -1 and rules.is_question(text)) or _link_only(text) \
                        or rules.is_heading_like(note.text):
                    continue
                item_level = note.level
                owner, body = self.owner_of(text)
                self.item(body, note, "section", meeting, topic, owner)
                continue
            if self.speaker(note, text, meeting, topic):
                continue
            if rules.is_question(text):
                self.out.findings.append(Finding("question", text, note.line, "question", meeting, topic))
                continue
            if _candidate(text, self.known):
                # only the sentences that hold the cue go to spaCy, not a whole paragraph
                sentences = _SENTENCE.split(text) if len(text) > 200 else [text]
                for sentence in sentences:
                    if sentence is text or _candidate(sentence, self.known):
                        self.candidates.append((sentence, (note, meeting, topic)))

    def attendance_line(self, note: Note, text: str, meeting, *, in_roll: bool = False) -> bool:
        match = _ATTENDANCE.match(text)
        if match:
            for part in re.split(r"\s*(?:,|;|\band\b)\s*", match.group("names")):
                tag = _ROLE_TAG.search(part)
                role = "facilitator" if tag and tag.group(1).lower() in ("facilitator", "host", "chair") else "attendee"
                name = _ROLE_TAG.sub("", part).strip(" *[]()@.")
                if looks_like_name(name, trusted=True) and len(name.split()) <= 4:
                    self.mention(name, role, note.line, meeting, None)
            return True
        box = rules.checkbox(note.text)
        if box and (in_roll or _roll_call_entry(box[1])):
            checked, rest = box
            name = re.split(r"\s*(?:,|\s[-–—]\s|\()\s*", rest.strip("*_ "), maxsplit=1)[0].strip()
            if checked and _PERSON_WORDS.match(name):
                self.mention(name, "attendee", note.line, meeting, None)
            return True
        if in_roll:
            name = re.split(r"\s*(?:,|\s[-–—]\s|\()\s*", text, maxsplit=1)[0].strip()
            if looks_like_name(name) and 2 <= len(name.split()) <= 4:
                self.mention(name, "attendee", note.line, meeting, None)
            return True
        return False

    def tagged(self, note: Note, meeting, topic) -> bool:
        if _NAMED_ACTION.match(rules.clean(note.text)):
            return False  # "[Name][ACTION] ...": a marker with its owner in front
        found = rules.parse_tagged(note.text)
        for entry in found:
            owner = entry.assignee
            if not owner:
                lead = rules.leading_owner(entry.text, self.known)
                owner = lead[0] if lead else rules.trailing_owner(entry.text, self.known)
            self.item(entry.text, note, "tagged", meeting, topic, owner, entry.due, entry.status)
        return bool(found)

    def marked(self, note: Note, text: str, meeting, topic) -> bool:
        box = rules.checkbox(note.text)
        if box is not None:
            checked, rest = box
            if _roll_call_entry(rest):
                return False
            owner = None
            lead = re.match(r"^\[(?P<n>[^\[\]]{1,40})\]\s*(?P<rest>\S.*)$", rest)
            if lead and looks_like_name(lead.group("n"), trusted=True):
                owner, rest = lead.group("n"), lead.group("rest")
            else:
                owner = self.owner_of(rest)[0]
            self.item(rest, note, "task", meeting, topic, owner, status="done" if checked else None)
            return True
        # [Name][ACTION] text
        named = _NAMED_ACTION.match(text)
        if named:
            self.item(named.group("rest"), note, "marker", meeting, topic, named.group("n"))
            return True
        found = rules.marker(note.text)
        if found:
            _, rest = found
            owner, body = self.owner_of(rest)
            self.item(body, note, "marker", meeting, topic, owner)
            return True
        return False

    def inline_action(self, note: Note, text: str, meeting, topic) -> None:
        match = re.search(r"\[(?:action|ai|todo)\]\s*:?\s*(?P<rest>\S.*)$", text, re.IGNORECASE)
        if match and match.start() > 0:
            owner, body = self.owner_of(match.group("rest"))
            self.item(body, note, "marker", meeting, topic, owner)

    def speaker(self, note: Note, text: str, meeting, topic) -> bool:
        match = _BRACKET_SPEAKER.match(text)
        if match:
            name = (match.group("b") or match.group("p") or "").strip()
            from .intents import normalise_intents as _intents

            if _intents(name, self.out.vocabulary)[0] or name.lower() in {"x", " ", "action", "ai", "todo"}:
                return False
            for part in split_names(name):
                if looks_like_name(part, trusted=True) and len(part.split()) <= 3:
                    self.mention(part, "speaker", note.line, meeting, topic)
            return False
        match = _LABEL_SPEAKER.match(text)
        if match:
            name = match.group("name")
            if name.lower() in self.known or looks_like_name(name):
                rest = match.group("rest")
                if not _URLS.match(rest):
                    self.mention(name, "speaker", note.line, meeting, topic)
                    # "Daniel: will reach out to ...": the speaker commits
                    commit = _SPEAKER_COMMITS.match(rest)
                    if commit and is_verb(commit.group("verb")):
                        self.item(rest, note, "commitment", meeting, topic, name)
                        return True
        return False


def _link_only(text: str) -> bool:
    stripped = _URLS.sub("", text).strip(" :-()[]")
    return not stripped or (len(stripped.split()) <= 2 and bool(_URLS.search(text)))


_PERSON_WORDS = re.compile(r"^[A-Z\u00c0-\u00de][\w\u00c0-\u024f’'.-]*(?:\s+(?:[A-Z\u00c0-\u00de][\w\u00c0-\u024f’'.-]*|de|van|von|da|del)){1,3}$")


def _roll_call_entry(rest: str) -> bool:
    """``Larry Gritz, Sony Pictures`` / ``Andy Jones - Netflix``: a name then an organisation.

    Capitalised words alone decide, as first names are often everyday words (Mark, Bill).
    """
    rest = rest.strip("*_ ")
    head = re.split(r"\s*(?:,|\s[-–—]\s|\()\s*", rest, maxsplit=1)
    name = head[0].strip()
    return bool(_PERSON_WORDS.match(name)) and (len(head) > 1 or len(rest.split()) <= 4)


def _candidate(text: str, known: set[str]) -> bool:
    """Cheap test: could spaCy find a person acting, a call to action or a decision here?"""
    if _PHRASES.search(text.lower()) or (" with " in text and _WITH_NAME.search(text)):
        return True
    from .lexicon import is_common_word

    for match in _CAP_CONTEXT.finditer(text):
        word = match.group("w")
        if word is None:
            first, _, second = match.group("list").partition(",")
            if first.lower() in known or second.strip().lower() in known:
                return True
            continue
        if word.lower() in known or (word.lower() not in _PRONOUNS and not is_common_word(word)):
            return True
    return False


def extract_document(document: Document, *, nlp=None, directory: Directory | None = None,
                     known: set[str] | None = None) -> Extraction:
    """Intents, mentions, action items, decisions and questions of one document.

    ``nlp`` defaults to the shared blank pipeline (the ``[nlp] model`` of settings when set);
    ``known`` carries names learnt from earlier files of the same run.
    """
    directory = directory or Directory()
    known = known if known is not None else set()
    for person in directory.persons:
        known.update(a.lower() for a in (person.name, *person.aliases))
    walker = _Walker(document, directory, known)
    out = walker.run()
    if walker.candidates:
        if nlp is None:
            from .. import settings as settings_module
            from .pipeline import shared_pipeline

            nlp = shared_pipeline(settings_module.current().nlp_model)
        _run_nlp(nlp, walker, directory)
    return out


def _run_nlp(nlp, walker: _Walker, directory: Directory) -> None:
    out = walker.out
    people = nlp.get_pipe("insights_people")
    people.add_names({m.surface: "TEAM" if m.kind == "team" else "PERSON" for m in out.mentions
                      if m.kind in ("person", "team")})
    people.add_names({a: "TEAM" if p.kind == "team" else "PERSON" for p in directory.persons
                      for a in (p.name, *p.aliases)})
    out.nlp_notes = len(walker.candidates)
    for doc, (note, meeting, topic) in nlp.pipe(walker.candidates, as_tuples=True, batch_size=256):
        out.nlp_words += len(doc)
        for span in doc.spans["people"]:
            walker.mention(span.text, "text", note.line, meeting, topic,
                           kind="team" if span.label_ == "TEAM" else None)
        for span in doc.spans["actions"]:
            if span.label_ == "commitment":
                owner = next((p.text for p in doc.spans["people"] if p.start == span.start), None)
                walker.item(span.text, note, "commitment", meeting, topic, owner)
            else:
                walker.item(doc.text, note, "call", meeting, topic)
        for span in doc.spans["decisions"]:
            if not doc.spans["actions"]:
                out.findings.append(Finding("decision", doc.text, note.line, "phrase", meeting, topic))


def iter_topics(document: Document) -> Iterator[tuple[Meeting, Topic]]:
    for meeting in document.meetings:
        for topic in meeting.topics:
            yield meeting, topic
