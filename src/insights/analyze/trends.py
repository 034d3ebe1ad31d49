"""Themes over time, as pandas DataFrames.

>>> from insights.store import Store
>>> table = theme_month_table(Store(":memory:"))
>>> table.columns.tolist()
['month', 'theme', 'source', 'topics', 'notes', 'votes', 'people', 'actions_open', 'actions_closed']

Every function takes a :class:`~insights.store.Store` or an :class:`Archive` (the frames
loaded once, which is what the report does to stay fast). Months are the months in which
meetings were held: "the previous three months" of 2021-09 in an archive without an
August meeting are 2021-07, then earlier ones.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from ..store import Store
from .assign import theme_catalog, topic_documents, topic_themes
from .taxonomy import Taxonomy, load_taxonomy

__all__ = ["Archive", "theme_month_table", "first_last_seen", "emerging", "fading", "cooccurrence",
           "people_of", "intents_of", "month_summary"]

OPEN = ("open", "in progress")
CLOSED = ("done", "dropped")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\band\b)\s*", re.IGNORECASE)


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def _alias_map(conn: sqlite3.Connection) -> dict[str, str]:
    """Written form (case-folded) -> canonical person, from the extraction tables when present."""
    mapping: dict[str, str] = {}
    try:
        if _table_exists(conn, "person_aliases") and _table_exists(conn, "persons"):
            alias_cols, person_cols = _columns(conn, "person_aliases"), _columns(conn, "persons")
            alias = next((c for c in ("alias", "surface", "form", "text") if c in alias_cols), None)
            key = next((c for c in ("person_id", "person") if c in alias_cols), None)
            name = "name" if "name" in person_cols else None
            if alias and key and name:
                if key == "person_id" and "id" in person_cols:
                    sql = f"SELECT a.{alias}, p.{name} FROM person_aliases a JOIN persons p ON p.id = a.{key}"
                else:
                    sql = f"SELECT {alias}, {key} FROM person_aliases"
                mapping = {str(a).casefold(): str(p) for a, p in conn.execute(sql) if a and p}
    except sqlite3.Error:  # an extraction schema this code does not know: fall back to text
        mapping = {}
    return mapping


def people_of(proposer_text: str | None, aliases: dict[str, str] | None = None) -> list[str]:
    """Names in a proposer field, canonical when the extraction stage resolved them.

    >>> people_of("Ned, Usama")
    ['Ned', 'Usama']
    >>> people_of("djoy", {"djoy": "David Joy"})
    ['David Joy']
    """
    if not isinstance(proposer_text, str) or not proposer_text.strip():
        return []
    try:
        from ..extract.people import split_names

        names = split_names(proposer_text)
    except Exception:  # the extraction stage is optional
        names = [n for n in _NAME_SPLIT.split(proposer_text) if n]
    aliases = aliases or {}
    found = []
    for name in names:
        name = name.strip().strip("()[]").strip()
        if not name:
            continue
        canonical = aliases.get(name.casefold(), name)
        if canonical not in found:
            found.append(canonical)
    return found


def intents_of(tag: str | None) -> list[str]:
    """Normalised intents of a raw tag (``quest/ideation`` -> quest, ideation).

    >>> intents_of("quest/ideation"), intents_of("Ideation"), intents_of(None)
    (['quest', 'ideation'], ['ideation'], [])
    """
    if not isinstance(tag, str) or not tag.strip():
        return []
    try:
        from ..extract.intents import normalise_intents

        known, unknown = normalise_intents(tag)
        return list(known) or [u.casefold() for u in unknown]
    except Exception:  # the extraction stage is optional
        words = [w.casefold() for w in re.split(r"[/,&+\s]+", tag.strip("()[] ")) if w]
        synonyms = {"question": "quest", "brainstorm": "ideation", "discussion": "discuss"}
        return [synonyms.get(w, w) for w in words[:2]]


@dataclass
class Archive:
    """The frames everything here is computed from, loaded once.

    ``topics``: one row per topic (:func:`~insights.analyze.assign.topic_documents` plus
    ``people`` and ``intents`` lists); ``assignments``: topic x theme;
    ``catalog``: the themes; ``actions``: action items with effective status;
    ``months``: months with meetings, oldest first.
    """

    topics: pd.DataFrame
    assignments: pd.DataFrame
    catalog: pd.DataFrame
    actions: pd.DataFrame
    meetings: pd.DataFrame
    months: list[str] = field(default_factory=list)
    #: With ``month``: topics per month and theme over the whole archive (for trends).
    topic_counts: pd.DataFrame | None = None
    month: str | None = None

    @classmethod
    def load(cls, store: Store, *, taxonomy: Taxonomy | None = None, month: str | None = None) -> "Archive":
        """Load the frames; with ``month``, topics and assignments of that month only (fast),
        plus :attr:`topic_counts` for every month."""
        taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
        assignments = topic_themes(store, taxonomy=taxonomy, month=month)
        catalog = theme_catalog(store, taxonomy=taxonomy)
        topics = topic_documents(store, text=False, month=month)
        aliases = _alias_map(store.conn)
        # Few distinct proposer fields and tags: parse each once.
        parsed = {p: people_of(p, aliases) for p in set(topics["proposer_text"].dropna())}
        people = [parsed.get(p, []) if isinstance(p, str) else [] for p in topics["proposer_text"]]
        # "ned" and "Ned" are one person: use the form written most often (capitalised on ties).
        forms = Counter(n for names in people for n in names)
        best: dict[str, str] = {}
        for name, count in sorted(forms.items(), key=lambda kv: (-kv[1], kv[0])):
            best.setdefault(name.casefold(), name)
        topics["people"] = [list(dict.fromkeys(best[n.casefold()] for n in names)) for names in people]
        intents = {t: intents_of(t) for t in set(topics["tag"].dropna())}
        topics["intents"] = [intents.get(t, []) if isinstance(t, str) else [] for t in topics["tag"]]
        meetings = pd.DataFrame(
            store.conn.execute(
                "SELECT m.id AS meeting_id, m.date, substr(m.date, 1, 7) AS month, m.title, m.source, m.line "
                "FROM meetings m ORDER BY m.date, m.source, m.line").fetchall(),
            columns=["meeting_id", "date", "month", "title", "source", "line"])
        columns = ["id", "text", "owner", "status", "meeting_date", "meeting_id", "topic_id", "source", "line",
                   "due", "resolved_how", "evidence_source", "evidence_line"]
        if _table_exists(store.conn, "action_items_view"):
            actions = pd.DataFrame(store.conn.execute(
                "SELECT id, text, COALESCE(owner, owner_text) AS owner, status, meeting_date, meeting_id, "
                "topic_id, source, line, due, resolved_how, evidence_source, evidence_line "
                "FROM action_items_view ORDER BY meeting_date, source, line").fetchall(), columns=columns)
        else:  # pragma: no cover - every store has migration 0002
            actions = pd.DataFrame(columns=columns)
        actions["month"] = actions["meeting_date"].str[:7]
        counts = None
        if month:
            shown = catalog[catalog["merged_into"].isna()].set_index("theme_id")["theme"]
            counts = pd.DataFrame(store.conn.execute(
                "SELECT substr(m.date, 1, 7) AS month, tt.theme_id, count(DISTINCT tt.topic_id) AS topics "
                "FROM topic_themes tt JOIN topics t ON t.id = tt.topic_id JOIN meetings m ON m.id = t.meeting_id "
                "GROUP BY 1, 2").fetchall(), columns=["month", "theme_id", "topics"])
            counts["theme"] = counts["theme_id"].map(shown)
            counts = counts.dropna(subset=["theme"])[["month", "theme", "topics"]]
        return cls(topics=topics, assignments=assignments, catalog=catalog, actions=actions,
                   meetings=meetings, months=sorted(meetings["month"].unique().tolist()),
                   topic_counts=counts, month=month)


def _archive(source: Store | Archive) -> Archive:
    return source if isinstance(source, Archive) else Archive.load(source)


_TABLE_COLUMNS = ["month", "theme", "source", "topics", "notes", "votes", "people", "actions_open",
                  "actions_closed"]


def theme_month_table(source: Store | Archive) -> pd.DataFrame:
    """Per month and theme: topics, notes, votes, distinct people, open and closed actions.

    Actions count in the month of the meeting they were made in, under the themes of
    their topic; ``actions_open`` are those still open today.
    """
    archive = _archive(source)
    tagged = archive.assignments.merge(archive.topics[["topic_id", "month", "notes", "votes", "people"]],
                                       on="topic_id")
    if tagged.empty:
        return pd.DataFrame(columns=_TABLE_COLUMNS)
    grouped = tagged.groupby(["month", "theme", "source"], sort=True)
    table = grouped.agg(topics=("topic_id", "nunique"), notes=("notes", "sum"), votes=("votes", "sum"))
    people = tagged[["month", "theme", "source", "people"]].explode("people").dropna(subset=["people"])
    table["people"] = people.groupby(["month", "theme", "source"])["people"].nunique()
    table["people"] = table["people"].fillna(0)
    actions = archive.actions[["topic_id", "status", "month"]].merge(
        archive.assignments[["topic_id", "theme", "source"]], on="topic_id")
    if not actions.empty:
        actions["open"] = actions["status"].isin(OPEN)
        counts = actions.groupby(["month", "theme", "source"]).agg(
            actions_open=("open", "sum"), actions_closed=("open", lambda s: int((~s).sum())))
        table = table.join(counts, how="left")
    else:
        table["actions_open"] = 0
        table["actions_closed"] = 0
    table = table.fillna({"actions_open": 0, "actions_closed": 0}).reset_index()
    for column in ("topics", "notes", "votes", "people", "actions_open", "actions_closed"):
        table[column] = table[column].astype(int)
    return table[_TABLE_COLUMNS]


def _pivot(table: pd.DataFrame, months: list[str], value: str = "topics") -> pd.DataFrame:
    """Theme x month, zeros where a theme was absent; every archive month is a column."""
    if table.empty:
        return pd.DataFrame(index=pd.Index([], name="theme"), columns=months, dtype=int)
    pivot = table.pivot_table(index="theme", columns="month", values=value, aggfunc="sum", fill_value=0)
    return pivot.reindex(columns=months, fill_value=0).astype(int)


def first_last_seen(source: Store | Archive | pd.DataFrame) -> pd.DataFrame:
    """Per theme: ``first_seen``, ``last_seen``, ``months`` active and ``topics`` in all."""
    table = source if isinstance(source, pd.DataFrame) else theme_month_table(source)
    if table.empty:
        return pd.DataFrame(columns=["theme", "source", "first_seen", "last_seen", "months", "topics"])
    out = table.groupby(["theme", "source"]).agg(first_seen=("month", "min"), last_seen=("month", "max"),
                                                 months=("month", "nunique"), topics=("topics", "sum"))
    return out.reset_index().sort_values(["first_seen", "theme"], ignore_index=True)


def _window(months: list[str], month: str, window: int) -> list[str]:
    earlier = [m for m in months if m < month]
    return earlier[-window:]


def emerging(source: Store | Archive, month: str, *, window: int = 3) -> pd.DataFrame:
    """Themes that are new in ``month`` (never seen before) or rising (at least two topics
    and at least twice their average over the previous ``window`` meeting months)."""
    archive = _archive(source)
    table = theme_month_table(archive)
    columns = ["theme", "source", "status", "topics", "before"]
    months = sorted(set(archive.months) | {month})
    pivot = _pivot(table, months)
    if month not in pivot.columns or pivot.empty:
        return pd.DataFrame(columns=columns)
    earlier = _window(months, month, window)
    all_earlier = [m for m in months if m < month]
    sources = table.drop_duplicates("theme").set_index("theme")["source"]
    rows = []
    for theme, counts in pivot.iterrows():
        now = int(counts[month])
        if now == 0:
            continue
        before = float(counts[earlier].mean()) if earlier else 0.0
        if all_earlier and int(counts[all_earlier].sum()) == 0 or not all_earlier:
            rows.append((theme, sources[theme], "new", now, before))
        elif now >= 2 and now >= 2 * before:
            rows.append((theme, sources[theme], "rising", now, before))
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["status", "topics", "theme"], ascending=[True, False, True], ignore_index=True)


def fading(source: Store | Archive, month: str, *, window: int = 3) -> pd.DataFrame:
    """Themes discussed in the previous ``window`` meeting months (two topics or more) that
    are absent in ``month`` or down to half of their average."""
    archive = _archive(source)
    table = theme_month_table(archive)
    columns = ["theme", "source", "topics", "before", "last_seen"]
    months = sorted(set(archive.months) | {month})
    pivot = _pivot(table, months)
    earlier = _window(months, month, window)
    if not earlier or pivot.empty:
        return pd.DataFrame(columns=columns)
    sources = table.drop_duplicates("theme").set_index("theme")["source"]
    rows = []
    for theme, counts in pivot.iterrows():
        total_before = int(counts[earlier].sum())
        before = total_before / len(earlier)
        now = int(counts[month])
        if total_before >= 2 and now <= before / 2:
            seen = [m for m in months if m <= month and counts[m] > 0]
            rows.append((theme, sources[theme], now, round(before, 2), seen[-1] if seen else None))
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["before", "theme"], ascending=[False, True], ignore_index=True)


def cooccurrence(source: Store | Archive, *, month: str | None = None) -> pd.DataFrame:
    """Theme x theme: topics tagged with both (the diagonal: topics with the theme)."""
    archive = _archive(source)
    assignments = archive.assignments
    if month:
        in_month = set(archive.topics.loc[archive.topics["month"] == month, "topic_id"])
        assignments = assignments[assignments["topic_id"].isin(in_month)]
    if assignments.empty:
        return pd.DataFrame(dtype=int)
    onehot = pd.crosstab(assignments["topic_id"], assignments["theme"]).clip(upper=1)
    return (onehot.T @ onehot).astype(int)


def month_summary(source: Store | Archive, month: str, *, window: int = 3) -> pd.DataFrame:
    """The month page's theme table: this month against the previous ``window`` months.

    Columns: theme, source, topics, notes, votes, people, actions_open, actions_closed,
    before (average topics per earlier month), change (topics - before), status
    (new | rising | steady | falling).
    """
    archive = _archive(source)
    table = theme_month_table(archive)
    this = table[table["month"] == month].set_index("theme")
    months = sorted(set(archive.months) | {month})
    pivot = _pivot(table, months)
    earlier = _window(months, month, window)
    all_earlier = [m for m in months if m < month]
    rows = []
    for theme, row in this.iterrows():
        before = float(pivot.loc[theme, earlier].mean()) if earlier else 0.0
        ever = int(pivot.loc[theme, all_earlier].sum()) if all_earlier else 0
        status = ("new" if ever == 0 else "rising" if row["topics"] >= 2 and row["topics"] >= 2 * before
                  else "falling" if row["topics"] < before else "steady")
        rows.append({"theme": theme, **row.to_dict(), "before": round(before, 2),
                     "change": round(row["topics"] - before, 2), "status": status})
    out = pd.DataFrame(rows, columns=["theme", *[c for c in _TABLE_COLUMNS if c not in ("month", "theme")],
                                      "before", "change", "status"])
    return out.sort_values(["topics", "votes", "theme"], ascending=[False, False, True], ignore_index=True)
