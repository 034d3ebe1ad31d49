"""The search query language, parsed into a safe SQLite FTS5 ``MATCH`` string.

>>> parse('"event bus" paver* -docker').to_fts()
'("event bus") AND ("paver" *) NOT ("docker")'
>>> parse('iframe OR iframes').to_fts()
'("iframe" OR "iframes")'

The language: words (all must match, in any inflection), ``"quoted phrases"``, ``prefix*``,
``OR`` between two items, ``-word`` or ``NOT word`` to exclude. Anything else that FTS5
would read as syntax (``NEAR(``, ``^``, ``:``, parentheses, lone ``*``) is just punctuation
here. Every term reaches FTS5 as a double-quoted string, so user text is never parsed as
FTS5 syntax, and the whole string is always bound as an SQL parameter.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from ..errors import InsightsError

__all__ = ["QueryError", "Term", "Clause", "Query", "parse", "tokens", "stems", "MAX_QUERY_CHARS",
           "MAX_CLAUSES", "MIN_PREFIX"]

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 32
MIN_PREFIX = 2

# Control characters would be invisible in messages and snippets; FTS5 would stop at NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TOKEN = re.compile(r"[^\W_]+")


class QueryError(InsightsError):
    """The query cannot be searched for; the message says why and what to type instead."""


def tokens(text: str) -> list[str]:
    """Words as the index sees them: case and accents folded, split at punctuation.

    >>> tokens("#Event-Bus, café")
    ['event', 'bus', 'cafe']
    """
    if not text.isascii():  # most notes are plain ASCII: skip the costly decomposition
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _TOKEN.findall(text.casefold())


@dataclass(frozen=True)
class Term:
    """One word or phrase; ``prefix`` marks a trailing ``*``."""

    text: str
    phrase: bool = False
    prefix: bool = False

    def to_fts(self) -> str:
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + " *" if self.prefix else quoted

    @property
    def tokens(self) -> list[str]:
        return tokens(self.text)


@dataclass(frozen=True)
class Clause:
    """Alternatives joined by OR; a negated clause excludes what it matches."""

    alternatives: tuple[Term, ...]
    negated: bool = False

    def to_fts(self) -> str:
        return "(" + " OR ".join(t.to_fts() for t in self.alternatives) + ")"

    @property
    def simple_word(self) -> Term | None:
        """The term when this clause is one plain word as typed (no quotes, prefix, OR or NOT)."""
        if len(self.alternatives) == 1 and not self.negated:
            term = self.alternatives[0]
            if not term.phrase and not term.prefix and len(term.tokens) == 1:
                return term
        return None


@dataclass(frozen=True)
class Query:
    """Clauses that must all match, except the negated ones, which must not."""

    clauses: tuple[Clause, ...]
    text: str = ""

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    def to_fts(self, *, negations: bool = True) -> str:
        text = " AND ".join(c.to_fts() for c in self.positive)
        if negations:
            for clause in self.negative:
                text += " NOT " + clause.to_fts()
        return text

    def with_clauses(self, clauses: list[Clause] | tuple[Clause, ...]) -> "Query":
        return replace(self, clauses=tuple(clauses))


def _scan(text: str) -> list[tuple[str, str, bool]]:
    """Split into items ``(kind, text, prefix)``; kind is ``word``, ``phrase``, ``neg`` or ``or``."""
    items: list[tuple[str, str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "-" and i + 1 < n and (text[i + 1] == '"' or not text[i + 1].isspace() and text[i + 1] != "-"):
            items.append(("neg", "-", False))
            i += 1
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError(f'unbalanced quote at character {i + 1}: close the phrase with " or remove the "')
            phrase = text[i + 1:end]
            i = end + 1
            prefix = i < n and text[i] == "*"
            if prefix:
                i += 1
            items.append(("phrase", phrase, prefix))
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        word = text[start:i]
        if word == "OR":
            items.append(("or", word, False))
        elif word == "NOT":
            items.append(("neg", word, False))
        elif word == "AND":
            continue
        else:
            prefix = word.endswith("*")
            # Leading and trailing punctuation (``NEAR(``, ``paver?``) is not part of the word.
            core = re.sub(r"^[^\w]+|[^\w]+$", "", word.rstrip("*"))
            items.append(("word", core, prefix))
    return items


def parse(text: str) -> Query:
    """Parse the user's query; raise :class:`QueryError` with a clear message when it is unusable.

    >>> parse("NEAR( ') OR 1=1 --").to_fts()
    '("NEAR" OR "1=1")'
    >>> parse('"event').to_fts()
    Traceback (most recent call last):
    ...
    insights.search.query.QueryError: unbalanced quote at character 1: close the phrase with " or remove the "
    """
    if text is None or not text.strip():
        raise QueryError("empty query: give words to search for, e.g. insights search \"event bus\"")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is too long ({len(text):,} characters); keep it under {MAX_QUERY_CHARS:,}")
    text = _CONTROL.sub(" ", text)
    clauses: list[Clause] = []
    pending_or = pending_neg = False
    for kind, value, prefix in _scan(text):
        if kind == "or":
            pending_or = bool(clauses) and not clauses[-1].negated
            continue
        if kind == "neg":
            pending_neg = True
            continue
        term = Term(value.strip(), phrase=kind == "phrase", prefix=prefix)
        words = term.tokens
        if not words:
            pending_or = pending_neg = False
            continue
        if term.prefix and len(words[-1]) < MIN_PREFIX:
            raise QueryError(f"prefix {value + '*'!r} is too short: give at least {MIN_PREFIX} letters before *")
        if pending_or and not pending_neg:
            last = clauses.pop()
            clauses.append(Clause(last.alternatives + (term,)))
        else:
            clauses.append(Clause((term,), negated=pending_neg))
        pending_or = pending_neg = False
    if not clauses:
        raise QueryError(f"nothing to search for in {text.strip()[:60]!r}: the query has no words or numbers")
    if not any(not c.negated for c in clauses):
        raise QueryError("the query only excludes words: add at least one word to search for")
    if len(clauses) > MAX_CLAUSES:
        raise QueryError(f"query has {len(clauses)} words or phrases; at most {MAX_CLAUSES} are supported")
    return Query(tuple(clauses), text=text.strip())


# -- stemming ---------------------------------------------------------------------------------
# SQLite's own porter tokenizer, so that stems computed here (alias keys, the report's
# client-side index) agree exactly with what the FTS5 index matches.
_stem_lock = threading.Lock()
_stem_db: sqlite3.Connection | None = None


def _stemmer() -> sqlite3.Connection:
    global _stem_db
    if _stem_db is None:
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute("CREATE VIRTUAL TABLE w USING fts5(word, tokenize = 'porter unicode61 remove_diacritics 2')")
        db.execute("CREATE VIRTUAL TABLE wv USING fts5vocab(w, 'instance')")
        _stem_db = db
    return _stem_db


def stems(words: list[str] | tuple[str, ...]) -> list[tuple[str, ...]]:
    """The porter stems of each text, as the FTS5 index stores them.

    >>> stems(["iFrames", "event-bus", "devstacks"])
    [('ifram',), ('event', 'bu'), ('devstack',)]
    """
    missing = [w for w in dict.fromkeys(words) if w not in _cache]
    if missing:
        if len(_cache) + len(missing) > 1_000_000:  # bounded memory; never mid-batch
            _cache.clear()
        with _stem_lock:
            db = _stemmer()
            db.execute("DELETE FROM w")
            db.executemany("INSERT INTO w (rowid, word) VALUES (?, ?)", enumerate(missing, start=1))
            found: dict[int, list[str]] = {}
            for doc, term in db.execute("SELECT doc, term FROM wv ORDER BY doc, offset"):
                found.setdefault(doc, []).append(term)
            for index, word in enumerate(missing, start=1):
                _cache[word] = tuple(found.get(index, ()))
    # A word evicted by a concurrent clear is stemmed again rather than missing.
    return [_cache[w] if w in _cache else stems([w])[0] for w in words]


_cache: dict[str, tuple[str, ...]] = {}


@lru_cache(maxsize=4096)
def stem_key(text: str) -> tuple[str, ...]:
    """A key that is equal for inflections and spellings of the same words.

    >>> stem_key("#Event-Bus") == stem_key("event bus")
    True
    """
    return stems([text])[0]
