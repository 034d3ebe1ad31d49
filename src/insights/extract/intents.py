"""Intent tags normalised to a small vocabulary, read from the page's own legend when it has one.

>>> normalise_intents("quest/ideation")
(['quest', 'ideation'], [])
>>> normalise_intents("quick question (hopefully)")
(['quest'], [])
>>> normalise_intents("(Discuss)")
(['discuss'], [])
>>> normalise_intents("retro")
([], ['retro'])

A page that explains its tags (``[inform] You are simply seeking to inform ...``) defines
the vocabulary: :func:`legend` finds those lines in the preamble. Variants map onto the
vocabulary by their words (``question`` -> ``quest``, ``brainstorm`` -> ``ideation``);
anything else is kept as written and listed by ``insights intents --unknown``.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

__all__ = ["VOCABULARY", "SYNONYMS", "legend", "normalise_intents", "title_intent"]

#: The normalised intents, in the order a page usually explains them.
VOCABULARY = ("inform", "ideation", "analysis", "quest", "discuss")

#: Words that stand for a vocabulary intent (a tag may hold several words: "quick question").
SYNONYMS = {
    "inform": "inform", "information": "inform", "informational": "inform", "fyi": "inform",
    "announcement": "inform", "announce": "inform", "update": "inform", "updates": "inform",
    "ideation": "ideation", "ideate": "ideation", "idea": "ideation", "ideas": "ideation",
    "brainstorm": "ideation", "brainstorming": "ideation",
    "analysis": "analysis", "analyse": "analysis", "analyze": "analysis", "analyzing": "analysis",
    "analysing": "analysis", "review": "analysis", "feedback": "analysis",
    "quest": "quest", "question": "quest", "questions": "quest", "q": "quest", "ask": "quest",
    "discuss": "discuss", "discussion": "discuss", "discussing": "discuss",
}

_SPLIT = re.compile(r"\s*(?:/|,|&|\+|;|\band\b|\|)\s*", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")
_LEGEND = re.compile(r"^\s*[-*]?\s*[\[(]\s*([A-Za-z][A-Za-z -]{0,30}?)\s*[\])]\s*[:\-–—]?\s*(\S.*)$")


def legend(lines: Iterable[str]) -> tuple[str, ...]:
    """The intent words a page explains, in order; empty when it explains none.

    A legend is two or more lines that each open with a bracketed word and go on to explain
    it; one such line alone is more likely a topic than a legend.

    >>> legend(["Prefix your topic:", "[inform] You are simply seeking to inform",
    ...         "[quest] You are seeking information"])
    ('inform', 'quest')
    """
    found: list[str] = []
    for line in lines:
        match = _LEGEND.match(line)
        if not match or len(match.group(2).split()) < 3:
            continue
        word = match.group(1).strip().lower()
        if len(word.split()) == 1 and word not in found:
            found.append(word)
    return tuple(found) if len(found) >= 2 else ()


def _vocabulary_word(part: str, vocabulary: Sequence[str]) -> str | None:
    if part in vocabulary:
        return part
    words = _WORD.findall(part)
    # A tag names an intent by one of its words ("quick question (hopefully)"), the first
    # word that maps deciding; words outside the vocabulary ("hopefully") are decoration.
    for word in words:
        if word in vocabulary:
            return word
        mapped = SYNONYMS.get(word)
        if mapped and mapped in vocabulary:
            return mapped
    return None


def normalise_intents(tag: str | None, vocabulary: Sequence[str] = VOCABULARY) -> tuple[list[str], list[str]]:
    """``(intents, unknown)`` for a raw tag: vocabulary intents in order, and parts kept raw.

    >>> normalise_intents("ideation/analysis")
    (['ideation', 'analysis'], [])
    >>> normalise_intents("decision", vocabulary=("inform", "decision"))
    (['decision'], [])
    """
    if not tag:
        return [], []
    vocabulary = tuple(v.lower() for v in vocabulary) or VOCABULARY
    text = tag.strip().strip("[]()").strip()
    intents: list[str] = []
    unknown: list[str] = []
    whole = _vocabulary_word(text.lower(), vocabulary) if not _SPLIT.search(text) else None
    parts = [text] if whole else [p for p in _SPLIT.split(text) if p.strip()]
    for part in parts:
        found = _vocabulary_word(part.strip().strip("[]()").lower(), vocabulary)
        if found:
            if found not in intents:
                intents.append(found)
        elif part.strip() and part.strip() not in unknown:
            unknown.append(part.strip())
    return intents, unknown


_TITLE_PREFIX = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,20}?)\s*:\s+\S")


def title_intent(title: str, vocabulary: Sequence[str] = VOCABULARY) -> str | None:
    """The intent a title declares in its first word when no tag did (``question: Is ...``).

    >>> title_intent("question: Is there anything stopping us?")
    'quest'
    >>> title_intent("Meta-question: are there more?") is None
    True
    """
    match = _TITLE_PREFIX.match(title)
    if not match or len(match.group(1).split()) > 1:
        return None
    word = match.group(1).lower()
    mapped = word if word in vocabulary else SYNONYMS.get(word)
    return mapped if mapped in vocabulary else None
