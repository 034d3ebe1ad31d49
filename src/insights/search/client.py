"""The report's search: a compact index built at report time for the page's own script.

>>> from insights.store import Store
>>> from insights.pipeline import ingest
>>> store = Store(":memory:")
>>> _ = ingest(store, ["data/arch-hours-2021.txt"])
>>> index = build_index(store)
>>> len(index["units"]), index["forms"]["iframes"], "ifram" in index["post"]
(26, 'ifram', True)

The page cannot run SQLite, so the index carries what the script needs to answer the same
query language as ``insights search``: every line of every topic, an inverted index from
porter stem to line numbers, the stem of every word spelled in the archive (computed by
SQLite's own porter tokenizer, so the page and the command agree on inflections), and the
theme and person alias groups as stems. The template ``_search.html`` serialises it into
a ``<script type="application/json">`` block.
"""

from __future__ import annotations

from typing import Callable

from .aliases import alias_groups
from .index import ensure_current, units_from_store
from .query import stems, tokens

__all__ = ["build_index", "DEFAULT_LINK"]

#: Where a hit links to: an anchor of the meeting on the report's index page.
DEFAULT_LINK = "#m-{meeting_id}"

#: Meetings the report's page search covers by default: the most recent ones. Past this a
#: page grows beyond what a phone (or a laptop) opens comfortably; `insights search` always
#: covers the whole archive.
DEFAULT_MAX_MEETINGS = 2000


def build_index(store, link: str | Callable[[dict], str] = DEFAULT_LINK,
                max_meetings: int | None = DEFAULT_MAX_MEETINGS) -> dict:
    """A JSON-ready index of every topic in the store for the report's search box.

    ``link`` is a format string (fields ``meeting_id``, ``topic_id``, ``date``, ``source``,
    ``line``) or a function of those fields giving the href of a hit. Only the
    ``max_meetings`` most recent meetings are indexed (``None`` for all); ``covered_from``
    and ``meetings`` say what the page covers.
    """
    ensure_current(store)
    total = store.conn.execute("SELECT count(*) FROM meetings").fetchone()[0]
    cutoff = ""
    if max_meetings is not None and total > max_meetings:
        cutoff = store.conn.execute("SELECT date FROM meetings ORDER BY date DESC LIMIT 1 OFFSET ?",
                                    (max_meetings - 1,)).fetchone()[0]
    units, lines, sizes = [], [], []
    line_tokens: list[list[str]] = []
    files = [r[0] for r in store.conn.execute(
        "SELECT f.id FROM files f WHERE (SELECT max(date) FROM meetings m WHERE m.file_id = f.id) >= ? "
        "ORDER BY (SELECT min(date) FROM meetings m WHERE m.file_id = f.id), f.path", (cutoff,))]
    covered = set()
    for file_id in files:
        for unit in units_from_store(store.conn, file_id):
            if unit.meeting_date < cutoff:
                continue
            covered.add(unit.meeting_id)
            fields = {"meeting_id": unit.meeting_id, "topic_id": unit.topic_id or "", "date": unit.meeting_date,
                      "source": unit.source, "line": unit.line}
            href = link(fields) if callable(link) else link.format(**fields)
            header = unit.title or unit.meeting_title
            if unit.people:
                header = f"({unit.people}) {header}"
            index = len(units)
            units.append([unit.meeting_date, unit.meeting_title, unit.title if unit.topic_id else "", unit.source,
                          href, len(lines)])
            size = 0
            for number, text in ((unit.line, header), *zip(unit.lines, unit.body)):
                words = tokens(text)  # once per line: this loop dominates report time at scale
                lines.append([index, number, text])
                line_tokens.append(words)
                size += len(words)
            sizes.append(size)
    for unit, size in zip(units, sizes):
        unit.append(size)
    groups = alias_groups(store.conn)
    vocabulary = {t for words in line_tokens for t in words}
    vocabulary.update(t for g in groups for form in g.forms for t in tokens(form))
    words = sorted(vocabulary)
    forms = dict(zip(words, (s[0] if len(s) == 1 else w for w, s in zip(words, stems(words)))))
    post: dict[str, list[int]] = {}
    for number, line_words in enumerate(line_tokens):
        for token in line_words:
            post.setdefault(forms[token], []).append(number)
    aliases = []
    for group in groups:
        keys = [[forms[t] for t in tokens(form)] for form in group.forms]
        aliases.append([k for k in keys if k])
    return {"version": 1, "meetings": len(covered), "meetings_total": total, "covered_from": cutoff or None,
            "units": units, "lines": lines,
            "forms": {w: s for w, s in forms.items() if w != s}, "post": post, "aliases": aliases}
