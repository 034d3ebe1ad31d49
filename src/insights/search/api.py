"""Search the store: ranked topic hits with a highlighted, citable snippet, and a timeline.

>>> from insights.store import Store
>>> from insights.pipeline import ingest
>>> store = Store(":memory:")
>>> _ = ingest(store, ["data/arch-hours-2021.txt"])
>>> hit = search(store, "iframe", limit=1)[0]
>>> hit.meeting_date, hit.source, hit.line
('2021-07-28', 'data/arch-hours-2021.txt', 211)
>>> hit.snippet
'«Iframes», Chrome 92, and what we’re going to do about it.'

Ranking is BM25 over each topic (title weighted above notes), so a topic that is about
the query outranks one that mentions it in passing. Query words match every inflection
(porter stemming: ``iframe`` finds ``iFrames``), and a word or phrase that names a theme
or a person searches for all of its aliases (``djoy`` finds ``David Joy``).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .aliases import AliasGroup, alias_groups, find_group, lookup, people_path, themes_path
from .index import ensure_current, normalise_intents
from .query import _cache as _stem_cache
from .query import Clause, Query, QueryError, Term, parse, stem_key, stems

__all__ = ["Hit", "Match", "search", "timeline", "prepare", "DEFAULT_LIMIT", "MAX_LIMIT", "check_date"]

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
#: At most this many matching topics are ranked per query (see :func:`search`).
RANK_WINDOW = 2000
#: BM25 column weights: title, notes, proposer. The header line (title and proposer) says
#: what a topic is about and whose it is, so it weighs more than any one note.
WEIGHTS = (4.0, 1.0, 4.0)
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class Match:
    """One matching source line, as segments ``(text, highlighted)``."""

    line: int
    segments: tuple[tuple[str, bool], ...]

    def text(self, open: str = "«", close: str = "»") -> str:
        return "".join(f"{open}{s}{close}" if hit else s for s, hit in self.segments)

    @property
    def terms(self) -> int:
        """How many different words are highlighted (``iFrame`` and ``iFrames`` are one)."""
        return len(set(stems([s for s, hit in self.segments if hit])))

    def window(self, width: int = SNIPPET_CHARS) -> "Match":
        """The part of a long line around its first highlight, with ``…`` where cut."""
        plain = "".join(s for s, _ in self.segments)
        if len(plain) <= width:
            return self
        first, pos = 0, 0
        for s, hit in self.segments:
            if hit:
                first = pos
                break
            pos += len(s)
        start = max(0, min(first - width // 3, len(plain) - width))
        if start:  # cut at a word boundary
            space = plain.rfind(" ", 0, start + 1)
            start = space + 1 if space > start - 20 else start
        end = min(len(plain), start + width)
        if end < len(plain):
            space = plain.rfind(" ", start, end)
            end = space if space > end - 20 else end
        out, pos = [], 0
        for s, hit in self.segments:
            a, b = max(start, pos), min(end, pos + len(s))
            if a < b:
                out.append((s[a - pos:b - pos], hit))
            pos += len(s)
        if start:
            out.insert(0, ("…", False))
        if end < len(plain):
            out.append(("…", False))
        return Match(self.line, tuple(out))


@dataclass(frozen=True)
class Hit:
    """A topic (or a meeting's opening notes) that matches, with every matching line."""

    meeting_id: str
    meeting_date: str
    meeting_title: str
    topic_id: str | None
    topic_title: str | None
    source: str
    line: int
    score: float
    matches: tuple[Match, ...]

    @property
    def best(self) -> Match:
        return self.matches[0]

    @property
    def snippet(self) -> str:
        """The best matching line, matched words between ``«`` and ``»``."""
        return self.best.window().text()

    def as_json(self) -> dict:
        """The README's JSON contract."""
        return {"meeting_date": self.meeting_date, "topic_id": self.topic_id, "topic_title": self.topic_title,
                "snippet": self.snippet, "score": round(self.score, 4), "source": self.source,
                "line": self.best.line}


# -- query preparation --------------------------------------------------------------------------
_groups_cache: dict[tuple, list[AliasGroup]] = {}


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _groups(conn: sqlite3.Connection) -> list[AliasGroup]:
    themes = themes_path()
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    key = (id(conn), version, conn.total_changes, os.getcwd(), str(themes), _mtime(themes),
           str(people_path()), _mtime(people_path()))
    if key not in _groups_cache:
        if len(_groups_cache) > 32:
            _groups_cache.clear()
        _groups_cache[key] = alias_groups(conn)
    return _groups_cache[key]


_index_cache: dict[int, tuple[list[AliasGroup], dict]] = {}


def _lookup(groups: list[AliasGroup]) -> dict:
    """``lookup(groups)``, kept while the same (cached) list of groups is in use."""
    hit = _index_cache.get(id(groups))
    if hit is None or hit[0] is not groups:
        if len(_index_cache) > 32:
            _index_cache.clear()
        hit = _index_cache[id(groups)] = (groups, lookup(groups))
    return hit[1]


def _alternatives(terms: list[Term]) -> tuple[Term, ...]:
    seen, out = set(), []
    for term in terms:
        key = (stem_key(term.text), term.prefix)
        if key[0] and key not in seen:
            seen.add(key)
            out.append(term)
    return tuple(out)


def expand(query: Query, groups: list[AliasGroup]) -> Query:
    """Widen every word or phrase that names a theme or person to all of its aliases.

    >>> g = [AliasGroup("person", "David Joy", ("David Joy", "djoy", "DavidJ"))]
    >>> expand(parse("djoy paver"), g).to_fts()
    '("djoy" OR "David Joy" OR "DavidJ") AND ("paver")'
    >>> expand(parse("david joy"), g).to_fts()
    '("david joy" OR "djoy" OR "DavidJ")'
    """
    index = _lookup(groups)
    clauses = list(query.clauses)
    out: list[Clause] = []
    i = 0
    while i < len(clauses):
        clause = clauses[i]
        # Consecutive plain words may spell an alias ("david joy", "event bus"): the alias
        # group replaces them, so a query typed without quotes still finds every spelling.
        if clause.simple_word:
            taken = 0
            for n in range(min(4, len(clauses) - i), 1, -1):
                run = clauses[i:i + n]
                if all(c.simple_word for c in run):
                    text = " ".join(c.alternatives[0].text for c in run)
                    found = index.get(stem_key(text))
                    if found:
                        out.append(Clause(_alternatives(
                            [Term(text, phrase=True)] + [Term(f, phrase=True) for g in found for f in g.forms])))
                        taken = n
                        break
            if taken:
                i += taken
                continue
        alternatives: list[Term] = []
        for term in clause.alternatives:
            alternatives.append(term)
            if not term.prefix:
                for group in index.get(stem_key(term.text), ()):
                    alternatives.extend(Term(f, phrase=True) for f in group.forms)
        out.append(Clause(_alternatives(alternatives), clause.negated))
        i += 1
    return query.with_clauses(out)


def _exists(conn: sqlite3.Connection, term: Term) -> bool:
    return conn.execute("SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT 1", (term.to_fts(),)).fetchone() \
        is not None


def expand_compounds(conn: sqlite3.Connection, query: Query) -> Query:
    """Let ``eventbus`` find ``event bus`` and ``dev stack`` find ``devstack``, as the notes spell them.

    Only spellings the index holds are added, so this never widens a query into noise.
    """
    out: list[Clause] = []
    clauses = list(query.clauses)
    i = 0
    while i < len(clauses):
        clause = clauses[i]
        nxt = clauses[i + 1] if i + 1 < len(clauses) else None
        if clause.simple_word and nxt is not None and nxt.simple_word:
            a, b = clause.alternatives[0].text, nxt.alternatives[0].text
            joined = Term(a + b)
            if _exists(conn, joined):
                out.append(Clause((Term(f"{a} {b}", phrase=True), joined)))
                i += 2
                continue
        alternatives = list(clause.alternatives)
        for term in clause.alternatives:
            words = term.tokens
            if term.prefix:
                continue
            if len(words) == 1 and len(words[0]) >= 6 and not _exists(conn, term):
                word = words[0]
                for cut in range(2, len(word) - 1):
                    split = Term(f"{word[:cut]} {word[cut:]}", phrase=True)
                    if _exists(conn, split):
                        alternatives.append(split)
                        break
            elif len(words) == 2:
                joined = Term("".join(words))
                if _exists(conn, joined):
                    alternatives.append(joined)
        out.append(Clause(_alternatives(alternatives), clause.negated))
        i += 1
    return query.with_clauses(out)


def prepare(store, text: str) -> Query:
    """Parse ``text`` and expand it through aliases and the index's compound spellings."""
    query = parse(text)
    query = expand(query, _groups(store.conn))
    return expand_compounds(store.conn, query)


# -- filters -------------------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def check_date(value: str | None, *, end: bool = False, name: str = "date") -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the first (or, with ``end``, last) day it covers.

    >>> check_date("2021-09"), check_date("2021", end=True), check_date("2021-11-24")
    ('2021-09-01', '2021-12-31', '2021-11-24')
    """
    if value is None or value == "":
        return None
    match = _DATE.match(value.strip())
    try:
        if not match:
            raise ValueError
        year, month, day = match.groups()
        if day:
            return date(int(year), int(month), int(day)).isoformat()
        if month:
            date(int(year), int(month), 1)
            return f"{year}-{month}-{'31' if end else '01'}"
        return f"{year}-12-31" if end else f"{year}-01-01"
    except ValueError:
        raise QueryError(f"{name} {value!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY") from None


def _filters(store, *, since, until, person, intent, theme) -> tuple[list[str], list]:
    where, params = [], []
    since, until = check_date(since, name="--since"), check_date(until, end=True, name="--until")
    if since and until and since > until:
        raise QueryError(f"--since {since} is after --until {until}: nothing can match")
    if since:
        where.append("u.meeting_date >= ?")
        params.append(since)
    if until:
        where.append("u.meeting_date <= ?")
        params.append(until)
    if intent is not None:
        words = normalise_intents(intent)
        if not words:
            raise QueryError(f"--intent {intent!r} has no words: give one such as quest, inform or ideation")
        where.append("instr(u.intents, ' ' || ? || ' ') > 0")
        params.append(words[0])
    groups = _groups(store.conn) if person is not None or theme is not None else []
    for value, kind, flag in ((person, "person", "--person"), (theme, "theme", "--theme")):
        if value is None:
            continue
        if not value.strip() or not any(ch.isalnum() for ch in value):
            raise QueryError(f"{flag} {value!r} has no words to match")
        if kind == "theme":
            ledger = _theme_ledger(store.conn, value)
            if ledger:
                where.append("u.topic_id IN (SELECT topic_id FROM topic_themes WHERE theme_id IN "
                             f"({', '.join('?' * len(ledger))}))")
                params.extend(ledger)
                continue
        group = find_group(groups, value, kind)
        if group is None and kind == "theme" and any(g.kind == "theme" for g in groups):
            known = ", ".join(sorted(g.name for g in groups if g.kind == "theme"))
            raise QueryError(f"unknown theme {value!r}; the taxonomy has: {known}")
        forms = group.forms if group else (value,)
        where.append("u.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)")
        params.append(Clause(tuple(Term(f, phrase=True) for f in forms)).to_fts())
    return where, params


def _theme_ledger(conn: sqlite3.Connection, value: str) -> list[str]:
    """Theme ids named by ``value`` that have topic assignments in the store (none: use aliases)."""
    try:
        # The themes stage's slug rule, inlined: importing that stage costs a second.
        slug = re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-")
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM themes WHERE id = ? OR lower(label) = lower(?) OR slug = ?", (value, value.strip(), slug))]
        if ids and conn.execute(f"SELECT 1 FROM topic_themes WHERE theme_id IN ({', '.join('?' * len(ids))}) "
                                "LIMIT 1", ids).fetchone():
            return ids
    except sqlite3.Error:  # the themes stage's tables are optional
        pass
    return []


# -- search ---------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*")


class Highlighter:
    """Marks the words of a line that the query matched, as the index matched them.

    >>> h = Highlighter(parse('"event bus" iframe*'))
    >>> h.match(3, "Note: #event-bus and iFrame-based plugins").text()
    'Note: #«event-bus» and «iFrame»-based plugins'

    Words are stemmed by SQLite's porter tokenizer (:func:`stems`), so ``iFrames`` is marked
    for ``iframe``; a phrase is marked from its first word to its last.
    """

    def __init__(self, query: Query):
        texts = [t.text for c in query.positive for t in c.alternatives]
        keys = stems(texts)
        self.alternatives = [(key, term.prefix) for term, key in
                             zip((t for c in query.positive for t in c.alternatives), keys) if key]
        # Most lines of a matching topic do not match: set lookups rule them out quickly.
        # A line can only match an alternative holding all of its (non-prefix) stems.
        self.needs = [frozenset(key[:-1] if prefix else key) for key, prefix in self.alternatives]
        # Cheaper still: porter only rewrites the end of a word, so a stem less its last
        # letters starts a word of the folded line wherever the stem's word is.
        cut = [tuple(stem[:max(1, len(stem) - (2 if len(stem) > 4 else 1))] for stem in key)
               for key, _ in self.alternatives]
        self.needles = [tuple(re.compile(r"(?:^|[\W_])" + re.escape(n)) for n in needles) for needles in cut]
        # One pass first: a line holding none of the needles cannot match any alternative.
        first = sorted({needles[0] for needles in cut if needles}, key=len, reverse=True)
        self.any_needle = re.compile(r"(?:^|[\W_])(?:" + "|".join(map(re.escape, first)) + ")") if first else None

    def match(self, number: int, text: str) -> Match:
        folded = text.casefold()
        if not folded.isascii():
            folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
        if self.any_needle is not None and not self.any_needle.search(folded):
            return Match(number, ((text, False),))
        if not any(all(needle.search(folded) for needle in needles) for needles in self.needles):
            return Match(number, ((text, False),))
        cache = _stem_cache
        words = list(_WORD.finditer(text))  # tokenised once, stemmed through the shared cache
        plain = [w.group() for w in words]
        missing = [w for w in plain if w not in cache]
        if missing:
            stems(missing)
        keys = [cache[w] if w in cache else stems([w])[0] for w in plain]
        present = {stem for key in keys for stem in key}
        if not any(need <= present for need in self.needs):
            return Match(number, ((text, False),))
        spans, seq = [], []  # per index token: its word's span and its stem
        for word, key in zip(words, keys):
            for stem in key:
                spans.append(word.span())
                seq.append(stem)
        marks: list[tuple[int, int]] = []
        for (key, prefix), need in zip(self.alternatives, self.needs):
            if not need <= present:
                continue
            n, last = len(key), key[-1]
            if n == 1:  # one word: no sequence to compare
                marks.extend(spans[i] for i, stem in enumerate(seq)
                             if (stem.startswith(last) if prefix else stem == last))
                continue
            head = list(key[:-1])
            for i in range(len(seq) - n + 1):
                if seq[i] == head[0] and seq[i:i + n - 1] == head and (
                        seq[i + n - 1].startswith(last) if prefix else seq[i + n - 1] == last):
                    marks.append((spans[i][0], spans[i + n - 1][1]))
        if not marks:
            return Match(number, ((text, False),))
        marks.sort()
        merged = [list(marks[0])]
        for a, b in marks[1:]:
            if a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        segments, pos = [], 0
        for a, b in merged:
            if a > pos:
                segments.append((text[pos:a], False))
            segments.append((text[a:b], True))
            pos = b
        if pos < len(text):
            segments.append((text[pos:], False))
        return Match(number, tuple(segments))


def _matches(highlighter: Highlighter, unit: sqlite3.Row, title: str, body: str, people: str) -> tuple[Match, ...]:
    lines = json.loads(unit["lines"])
    texts = body.split("\n") if body else []
    found: list[Match] = []
    head = highlighter.match(unit["line"], title or unit["meeting_title"])
    who = highlighter.match(unit["line"], people) if people else None
    if who is not None and any(h for _, h in who.segments):
        head = Match(unit["line"], (("(", False), *who.segments, (") ", False), *head.segments))
    if any(h for _, h in head.segments):
        found.append(head)
    for number, text in zip(lines, texts):
        match = highlighter.match(number, text)
        if any(h for _, h in match.segments):
            found.append(match)
    if not found:  # e.g. a phrase the index matched across two lines
        found.append(head)
    # Best line first: most different query words, then the topic header, then file order.
    return tuple(sorted(found, key=lambda m: (-m.terms, m.line != unit["line"], m.line)))


def _run(store, text: str, *, since, until, person, intent, theme):
    if not isinstance(text, str):
        raise QueryError("the query must be text")
    query = prepare(store, text)
    ensure_current(store)
    where, params = _filters(store, since=since, until=until, person=person, intent=intent, theme=theme)
    return query, query.to_fts(), where, params


def search(store, query: str, *, since: str | None = None, until: str | None = None, person: str | None = None,
           intent: str | None = None, theme: str | None = None, limit: int = DEFAULT_LIMIT,
           stats: dict | None = None) -> list[Hit]:
    """Topics that match ``query``, best first, each with its matching lines.

    When more than :data:`RANK_WINDOW` topics match, the best of the most recently ingested
    ``RANK_WINDOW`` are returned and ``stats["capped"]`` (when a dict is given) is set.

    Raises :class:`~insights.search.query.QueryError` (an ``InsightsError``) with a message
    for a query or filter that cannot be searched for; never an SQL error.
    """
    if not isinstance(limit, int) or limit < 1:
        raise QueryError(f"--limit must be a positive number, not {limit!r}")
    limit = min(limit, MAX_LIMIT)
    parsed, fts, where, params = _run(store, query, since=since, until=until, person=person, intent=intent,
                                      theme=theme)
    w = ", ".join(str(x) for x in WEIGHTS)
    # BM25 costs a few microseconds per matching topic, so it is computed for at most
    # RANK_WINDOW matches: the most recently ingested ones (FTS5 walks rowids newest first
    # for free). Below the window the ranking is exact; above it, --since/--until narrow it.
    sql = ("SELECT * FROM (SELECT f.rowid AS id, -bm25(search_fts, " + w + ") AS score, u.meeting_date, u.line "
           "FROM search_fts f JOIN search_units u ON u.id = f.rowid WHERE search_fts MATCH ?"
           + "".join(" AND " + c for c in where)
           + " ORDER BY f.rowid DESC LIMIT ?) ORDER BY score DESC, meeting_date DESC, line LIMIT ?")
    try:
        ranked = store.conn.execute(sql, [fts, *params, RANK_WINDOW, limit]).fetchall()
        if stats is not None:
            stats["window"] = RANK_WINDOW
            stats["capped"] = len(ranked) == limit and store.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM search_fts f JOIN search_units u ON u.id = f.rowid "
                "WHERE search_fts MATCH ?" + "".join(" AND " + c for c in where) + " LIMIT ?)",
                [fts, *params, RANK_WINDOW + 1]).fetchone()[0] > RANK_WINDOW
        highlighter = Highlighter(parsed)
        hits = []
        # One query each for the units and their text, not two per hit.
        ids = [rank["id"] for rank in ranked]
        marks = ", ".join("?" * len(ids))
        units = {row["id"]: row for row in store.conn.execute(
            f"SELECT * FROM search_units WHERE id IN ({marks})", ids)} if ids else {}
        texts = {row[0]: row[1:] for row in store.conn.execute(
            f"SELECT rowid, title, body, people FROM search_fts WHERE rowid IN ({marks})", ids)} if ids else {}
        for rank in ranked:
            unit = units[rank["id"]]
            title, body, people = texts[rank["id"]]
            hits.append(Hit(
                meeting_id=unit["meeting_id"], meeting_date=unit["meeting_date"], meeting_title=unit["meeting_title"],
                topic_id=unit["topic_id"], topic_title=title if unit["topic_id"] else None,
                source=unit["source"], line=unit["line"], score=rank["score"],
                matches=_matches(highlighter, unit, title, body, people)))
    except sqlite3.OperationalError as exc:  # pragma: no cover - every term is quoted; kept as a guard
        raise QueryError(f"cannot search for {query[:60]!r}: {exc}") from None
    return hits


def timeline(store, query: str, *, since: str | None = None, until: str | None = None, person: str | None = None,
             intent: str | None = None, theme: str | None = None) -> list[dict]:
    """Month by month, how many meetings and topics discussed ``query`` (quiet months included).

    >>> from insights.store import Store
    >>> from insights.pipeline import ingest
    >>> store = Store(":memory:")
    >>> _ = ingest(store, ["data/arch-hours-2021.txt"])
    >>> [(r["month"], r["meetings"]) for r in timeline(store, "devstack")]
    [('2021-11', 1), ('2021-12', 1)]
    """
    _, fts, where, params = _run(store, query, since=since, until=until, person=person, intent=intent, theme=theme)
    sql = ("SELECT substr(u.meeting_date, 1, 7) AS month, count(DISTINCT u.meeting_id) AS meetings, "
           "count(*) AS topics, min(u.meeting_date) AS first, max(u.meeting_date) AS last "
           "FROM search_fts f JOIN search_units u ON u.id = f.rowid WHERE search_fts MATCH ?"
           + "".join(" AND " + c for c in where) + " GROUP BY month ORDER BY month")
    try:
        found = {row["month"]: dict(row) for row in store.conn.execute(sql, [fts, *params])}
    except sqlite3.OperationalError as exc:  # pragma: no cover - see search()
        raise QueryError(f"cannot search for {query[:60]!r}: {exc}") from None
    if not found:
        return []
    months = sorted(found)
    out = []
    year, month = map(int, months[0].split("-"))
    while f"{year:04d}-{month:02d}" <= months[-1]:
        key = f"{year:04d}-{month:02d}"
        out.append(found.get(key) or {"month": key, "meetings": 0, "topics": 0, "first": None, "last": None})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
