"""spaCy components that find people, commitments, calls to action and decisions in a note.

>>> from insights.extract.pipeline import build_pipeline
>>> nlp = build_pipeline()
>>> nlp.get_pipe("insights_people").add_names({"DavidJ": "PERSON", "T&L": "TEAM"})
>>> doc = nlp("DavidJ will continue to explore creating a structured interface for XPs.")
>>> [(s.text, s.label_) for s in doc.spans["people"]], [(s.label_, s.text[:12]) for s in doc.spans["actions"]]
([('DavidJ', 'PERSON')], [('commitment', 'DavidJ will ')])

Each component is registered as a spaCy factory and writes a span group:

* ``insights_people`` -> ``doc.spans["people"]`` (``PERSON`` / ``TEAM``) and
  ``doc.spans["kinds"]`` (``TICKET`` / ``CHANNEL`` / ``URL``): known names through a
  :class:`~spacy.matcher.PhraseMatcher` that grows as the archive names people, and
  unknown names only in a context that says "person" (``X said``, ``X will``, ``written by
  X``, a list next to a known name). Entities of a trained pipeline, when one runs first,
  are proposals checked the same way.
* ``insights_actions`` -> ``doc.spans["actions"]``: commitments (a person or team span
  followed by ``will`` / ``to`` + verb / ``has offered to`` ...; the span starts at the
  owner) and calls to action (``Reach out to #x if you ...``).
* ``insights_decisions`` -> ``doc.spans["decisions"]`` (``we decided to``, ``move ahead with``).

Verbs are recognised by lemma (the lookup lemmatizer from spacy-lookups-data), so
``offered`` / ``offers`` / ``offering`` are one rule.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .actions import call_to_action
from .lexicon import forms, is_common_word, is_verb, lemma
from .people import kind_of, looks_like_name

__all__ = ["PeopleRecognizer", "ActionFinder", "DecisionFinder"]

_KIND_HINT = re.compile(r"#|://|www\.|[A-Z]-?\d")
_DECISION_HINT = re.compile(r"decid|agree|ahead|go with", re.IGNORECASE)
_SPEECH = frozenset("say mention suggest ask note explain propose think discuss present share agree offer volunteer "
                    "confirm report raise promise reply respond comment clarify point add answer".split())
_BY_VERBS = frozenset("write present lead propose raise create host report own facilitate author suggest "
                      "build run organise organize chair".split())
_WITH_VERBS = frozenset("discuss talk speak meet sync chat check work follow pair connect coordinate".split())
_COMMIT_VERBS = frozenset("offer agree volunteer promise commit plan".split())
_MODALS = frozenset({"will", "'ll", "shall"})
_AUX = frozenset({"is", "are", "has", "have", "had", "was", "were"})
_BUSY = frozenset("work look lead drive own handle investigate explore drive coordinate".split())
#: Words after which a name starts a clause, so "X will ..." is X's commitment.
_CLAUSE_OPENERS = frozenset({",", ";", ":", "-", "–", "—", "(", "and", "then", "so", "also", "but", "now", "next",
                             "•", "*", ">"})


def _words(doc: Doc) -> tuple[list[str], str]:
    """Token texts and the text, computed once per Doc (each ``doc.text`` walks every token)."""
    cached = doc.user_data.get("insights_words")
    if cached is None:
        words = [t.text for t in doc]
        cached = doc.user_data["insights_words"] = (words, doc.text)
    return cached


def _name_like(text: str) -> bool:
    if not text[:1].isalpha() or not text[:1].isupper() or len(text) > 30:
        return False
    return not is_common_word(text) or (any(c.isupper() for c in text[1:]) and text[1:].lower() != text[1:])


@Language.factory("insights_people", default_config={"names": {}})
def make_people(nlp: Language, name: str, names: dict) -> "PeopleRecognizer":
    return PeopleRecognizer(nlp, names)


class PeopleRecognizer:
    """Known names by phrase matching; unknown names by the context around them."""

    def __init__(self, nlp: Language, names: dict | None = None):
        self.nlp = nlp
        self.with_ner = "ner" in nlp.pipe_names
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.known: dict[str, str] = {}
        self.kinds = Matcher(nlp.vocab)
        self.kinds.add("URL", [[{"LIKE_URL": True}]])
        self.kinds.add("CHANNEL", [[{"ORTH": "#"}, {"TEXT": {"REGEX": r"^[a-z][\w.]*$"}},
                                    {"ORTH": "-", "OP": "?"}, {"IS_ALPHA": True, "OP": "?"}],
                                   [{"TEXT": {"REGEX": r"^#[a-z][\w.-]*$"}}]], greedy="LONGEST")
        self.kinds.add("TICKET", [[{"TEXT": {"REGEX": r"^[A-Z][A-Z0-9]{1,9}-\d+$"}}],
                                  [{"TEXT": {"REGEX": r"^[A-Z][A-Z0-9]{1,9}$"}}, {"ORTH": "-"},
                                   {"TEXT": {"REGEX": r"^\d+$"}}]])
        self.add_names(names or {})

    def add_names(self, names: dict[str, str]) -> None:
        """Teach the recognizer names (``{"DavidJ": "PERSON", "T&L": "TEAM"}``)."""
        fresh = {surface: label for surface, label in names.items()
                 if surface and surface.lower() not in self.known and len(surface) > 1}
        for surface, label in fresh.items():
            self.known[surface.lower()] = label
        by_label: dict[str, list] = {}
        for surface, label in fresh.items():
            by_label.setdefault(label, []).append(self.nlp.make_doc(surface))
        for label, docs in by_label.items():
            self.phrases.add(label, docs)

    def __call__(self, doc: Doc) -> Doc:
        words, text = _words(doc)
        spans = [Span(doc, start, end, label=self.nlp.vocab.strings[match_id])
                 for match_id, start, end in self.phrases(doc)]
        if self.with_ner:  # entities of a trained pipeline, when one runs first
            spans.extend(Span(doc, ent.start, ent.end, label="PERSON") for ent in doc.ents
                         if ent.label_ == "PERSON" and looks_like_name(ent.text))
        spans.extend(self._in_context(doc, words, spans))
        # the token matcher is the slow part; most notes hold no URL, channel or ticket
        kinds = [Span(doc, start, end, label=self.nlp.vocab.strings[match_id])
                 for match_id, start, end in self.kinds(doc)] if _KIND_HINT.search(text) else []
        kinds = filter_spans(kinds)
        taken = {i for span in kinds for i in range(span.start, span.end)}
        doc.spans["people"] = [s for s in filter_spans(spans) if not taken & set(range(s.start, s.end))]
        doc.spans["kinds"] = kinds
        return doc

    def _in_context(self, doc: Doc, words: list[str], known: list[Span]) -> list[Span]:
        covered = {i for span in known for i in range(span.start, span.end)}
        found: list[Span] = []
        i, n = 0, len(words)
        while i < n:
            if i in covered or not _name_like(words[i]):
                i += 1
                continue
            end = i + 1
            while end < n and end - i < 3 and words[end].istitle() and end not in covered and words[end].isalpha():
                end += 1
            if self._person_context(words, i, end, covered):
                text = " ".join(words[i:end])
                found.append(Span(doc, i, end, label="TEAM" if kind_of(text) == "team" else "PERSON"))
            i = end
        return found

    @staticmethod
    def _person_context(words: list[str], start: int, end: int, covered: set[int]) -> bool:
        n = len(words)
        if end < n:
            after = words[end].lower()
            if after in _MODALS or lemma(after) in _SPEECH:
                return True
            if after in _AUX and end + 1 < n and lemma(words[end + 1]) in _COMMIT_VERBS | _BUSY:
                return True
            opens_clause = start == 0 or words[start - 1].lower() in _CLAUSE_OPENERS
            if opens_clause and after == "to" and end + 1 < n and words[end + 1].islower() \
                    and is_verb(words[end + 1]) and words[end + 1] == lemma(words[end + 1]):
                return True
        before = [lemma(w) for w in words[max(0, start - 4):start]]
        if before and before[-1] == "by" and any(b in _BY_VERBS for b in before[:-1]):
            return True
        if before and before[-1] == "with" and any(b in _WITH_VERBS for b in before[:-1]):
            return True
        # a list that also names a known person: "Robert, ChrisP, and Feanil"
        for j in (start - 1, start - 2, end, end + 1):
            if 0 <= j < n and j in covered:
                low, high = min(j, start), max(j + 1, end)
                if all(words[k] in {",", "and", "&"} or k in covered or start <= k < end for k in range(low, high)):
                    return True
        return False


@Language.factory("insights_actions")
def make_actions(nlp: Language, name: str) -> "ActionFinder":
    return ActionFinder()


class ActionFinder:
    """Commitments by a named owner and calls to action addressed to the readers."""

    def __call__(self, doc: Doc) -> Doc:
        words, text = _words(doc)
        actions: list[Span] = []
        people = doc.spans["people"] if "people" in doc.spans else []
        for owner in people:
            if owner.start > 0 and words[owner.start - 1].lower() not in _CLAUSE_OPENERS:
                continue  # "hard for GoCD to deploy": the name is not the subject
            end = self._commitment_end(words, owner.end)
            if end:
                actions.append(Span(doc, owner.start, end, label="commitment"))
        if not actions and call_to_action(text):
            actions.append(Span(doc, 0, len(doc), label="call"))
        doc.spans["actions"] = filter_spans(actions) if len(actions) > 1 else actions
        return doc

    @staticmethod
    def _commitment_end(words: list[str], i: int) -> int | None:
        n = len(words)
        base = i
        lower = [w.lower() for w in words[i:i + 6]]

        def at(k: int) -> str:
            return lower[k - base] if 0 <= k - base < len(lower) else ""

        # owners listed together ("Ekemini and Ese to ...") share the commitment
        if i < n and words[i] in {",", "and", "&"}:
            return None
        if at(i) in _AUX:
            i += 1
        if at(i) in {"also", "then", "now", "kindly"}:
            i += 1
        if i >= n:
            return None
        word = at(i)
        verb_at = None
        if word in _MODALS:
            verb_at = i + 1
        elif lemma(word) in _COMMIT_VERBS and at(i + 1) == "to":
            verb_at = i + 2
        elif word == "going" and at(i + 1) == "to":
            verb_at = i + 2
        elif word == "to" and words[i - 1].lower() not in _AUX:
            verb_at = i + 1
        if verb_at is None or verb_at >= n:
            return None
        if words[verb_at].lower() in {"also", "then", "now", "try", "probably", "likely"} and verb_at + 1 < n:
            verb_at += 1
        verb = words[verb_at].lower()
        if verb in {"be", "not", "never", "have"} or not is_verb(lemma(verb)):
            return None
        end = verb_at + 1
        while end < n and words[end] not in {".", ";", "!", "?"}:
            end += 1
        return min(end + (1 if end < n else 0), n)


@Language.factory("insights_decisions")
def make_decisions(nlp: Language, name: str) -> "DecisionFinder":
    return DecisionFinder(nlp)


class DecisionFinder:
    """Decisions said in prose: ``we decided to``, ``agreed on``, ``move ahead with``."""

    def __init__(self, nlp: Language):
        self.matcher = Matcher(nlp.vocab)
        # lower-cased inflections: the lookup lemmatizer leaves a capitalised "Move" unlemmatised
        self.matcher.add("decision", [
            [{"LOWER": {"IN": forms("decide", "agree")}}, {"LOWER": {"IN": ["to", "on", "that"]}}],
            [{"LOWER": {"IN": forms("move", "go", "proceed")}}, {"LOWER": "ahead"}, {"LOWER": "with"}],
            [{"LOWER": {"IN": ["we", "we'll"]}}, {"LOWER": "will", "OP": "?"}, {"LOWER": "go"}, {"LOWER": "with"}],
        ])

    def __call__(self, doc: Doc) -> Doc:
        if not _DECISION_HINT.search(_words(doc)[1]):
            doc.spans["decisions"] = []
            return doc
        spans = [Span(doc, start, len(doc), label="decision") for _, start, _ in self.matcher(doc)]
        doc.spans["decisions"] = spans[:1]
        return doc
