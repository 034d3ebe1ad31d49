"""Self-contained HTML reports written with Jinja2: the archive, each month, theme and person.

>>> from insights.store import Store
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> [p.name for p in write_reports(Store(":memory:"), out)]
['index.html']

Pages need nothing but themselves: CSS is inline, charts are inline SVG drawn in Python,
no script is required and nothing is fetched. Every value from the notes is escaped by
Jinja2's autoescape; the only markup marked safe is the SVG from :mod:`.charts`, which
escapes its own text.
"""

from __future__ import annotations

import bisect
import importlib.util
import multiprocessing
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..analyze.taxonomy import Taxonomy, slugify
from ..analyze.trends import CLOSED, OPEN, Archive, _pivot, theme_month_table
from ..errors import InsightsError
from ..store import TOPIC_NOTES, Store
from .charts import bar_chart, notes_list, sparkline

__all__ = ["write_reports", "environment"]

#: Longest lists on theme and person pages; older items are counted, not listed.
MAX_LISTED = 200
#: Months of history drawn in a month page's per-theme trend.
TREND_MONTHS = 12


def environment() -> Environment:
    """The Jinja2 environment: templates from the package, every value HTML-escaped."""
    env = Environment(loader=PackageLoader("insights", "report/templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(sparkline=sparkline, bar_chart=bar_chart, notes_list=notes_list)
    env.filters["signed"] = lambda v: ("+" if v > 0 else "") + (f"{v:g}" if isinstance(v, float) else str(v))
    return env


def _search_index(store: Store) -> object | None:
    """The search partial's data, when the search stage is installed."""
    if importlib.util.find_spec("insights.search.client") is None:
        return None
    from ..search.client import DEFAULT_MAX_MEETINGS, build_index  # type: ignore[import-not-found]
    from ..settings import current

    limit = current().section("report").get("search_meetings", DEFAULT_MAX_MEETINGS)
    return build_index(store, max_meetings=int(limit) if limit else None)


@dataclass
class _Unique:
    """Hands out slugs that do not collide (two people may slug alike)."""

    taken: set

    def __call__(self, name: str, prefix: str) -> str:
        base = slugify(name)
        slug, n = base, 2
        while (prefix, slug) in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add((prefix, slug))
        return slug


class _Report:
    """Everything the pages are rendered from, computed once for the whole run."""

    def __init__(self, store: Store, archive: Archive, months: list[str]):
        self.store, self.archive = store, archive
        self.months = archive.months
        topics = archive.topics
        self.table = theme_month_table(archive)
        self.pivot = _pivot(archive.topic_counts if archive.topic_counts is not None else self.table, self.months)
        # Plain arrays: per-theme lookups in a loop are far cheaper than pandas indexing.
        self.series = {theme: row for theme, row in zip(self.pivot.index, self.pivot.to_numpy())}
        self.position = {m: i for i, m in enumerate(self.months)}
        catalog = archive.catalog[archive.catalog["merged_into"].isna()]
        unique = _Unique(set())
        self.theme_slug = {row.theme: unique(row.slug, "theme") for row in catalog.itertuples()}
        self.theme_info = {row.theme: row for row in catalog.itertuples()}
        self.topic_themes: dict[str, list[str]] = defaultdict(list)
        for topic_id, theme in zip(archive.assignments["topic_id"], archive.assignments["theme"]):
            self.topic_themes[topic_id].append(theme)
        people = Counter(p for names in topics["people"] for p in names)
        self.person_topics: dict[str, list[int]] = defaultdict(list)
        for position, names in enumerate(topics["people"]):
            for name in names:
                self.person_topics[name].append(position)
        owners = Counter(o for o in archive.actions["owner"].dropna() if str(o).strip())
        self.person_slug = {name: unique(name, "person") for name in sorted(set(people) | set(owners))}
        self.meeting_month = dict(zip(archive.meetings["meeting_id"], archive.meetings["month"]))
        columns = topics.columns.tolist()
        self.topic_records = {values[0]: dict(zip(columns, values))
                              for values in zip(*(topics[c].tolist() for c in columns))}
        self._notes = self._load_notes(months)
        self._meeting_spans = self._spans()
        self.month_rows = {m: rows for m, rows in topics.groupby("month", sort=False).indices.items()}
        self.month_meetings = {m: rows for m, rows in archive.meetings.groupby("month", sort=False).indices.items()}
        actions = archive.actions
        # The month an item was resolved in: where the resolution was noted, else its own.
        actions["resolved_month"] = [
            (self.month_of_line(src, line) or month) if status in CLOSED else None
            for src, line, month, status in zip(actions["evidence_source"], actions["evidence_line"],
                                                actions["month"], actions["status"])]

    # -- loading ---------------------------------------------------------------------------
    def _load_notes(self, months: list[str]) -> dict[str, list[dict]]:
        """Notes by topic id (and by ``m:<meeting id>`` for a meeting's own notes)."""
        where, params = "", []
        if len(months) == 1:
            where, params = "WHERE m.date BETWEEN ? AND ?", [f"{months[0]}-00", f"{months[0]}-99"]
        notes: dict[str, list[dict]] = defaultdict(list)
        columns = "n.topic_id, n.meeting_id, n.kind, n.text, n.line, n.level"
        for topic_id, meeting_id, kind, text, line, level in self.store.conn.execute(
                f"SELECT {columns} FROM meetings m JOIN topics t ON t.meeting_id = m.id JOIN notes n ON {TOPIC_NOTES} "
                f"{where} UNION ALL SELECT {columns} FROM meetings m JOIN notes n "
                f"ON n.meeting_id = m.id AND n.topic_id IS NULL {where} ORDER BY 5", params + params):
            key = topic_id if kind == "topic" else f"m:{meeting_id}"
            notes[key].append({"text": text, "line": line, "level": level})
        return notes

    def _spans(self) -> dict[str, list[tuple[int, str, str]]]:
        """Per source, meetings as ``(first line, meeting id, month)`` in line order."""
        spans: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for row in self.archive.meetings.itertuples():
            spans[row.source].append((row.line, row.meeting_id, row.month))
        for entries in spans.values():
            entries.sort()
        return spans

    def month_of_line(self, source: str | None, line: float | None) -> str | None:
        """The month of the meeting a source line belongs to (where a resolution was noted)."""
        if not source or line is None or pd.isna(line):
            return None
        entries = self._meeting_spans.get(source, ())
        at = bisect.bisect_right(entries, (line, "\uffff", "")) - 1
        return entries[at][2] if at >= 0 else None

    # -- shared pieces ---------------------------------------------------------------------
    def topic_link(self, topic_id: str) -> str:
        record = self.topic_records[topic_id]
        return f"month-{record['month']}.html#t-{topic_id}"

    def topic_item(self, topic_id: str) -> dict:
        r = self.topic_records[topic_id]
        return {**r, "href": self.topic_link(topic_id),
                "themes": [(t, self.theme_slug[t]) for t in self.topic_themes.get(topic_id, ())
                           if t in self.theme_slug],
                "people_links": [(p, self.person_slug.get(p)) for p in r["people"]]}

    def action_item(self, row: dict, as_of: str | None = None) -> dict:
        month = row["month"]
        # An action's topic is in the action's meeting, so its month page holds the anchor.
        href = (f"month-{month}.html#t-{row['topic_id']}" if isinstance(row.get("topic_id"), str)
                else f"month-{month}.html#m-{row['meeting_id']}")
        age = None
        if as_of:
            age = (date.fromisoformat(as_of) - date.fromisoformat(row["meeting_date"])).days
        owner = row.get("owner") if isinstance(row.get("owner"), str) else None
        return {**row, "href": href, "age": age, "owner": owner, "owner_slug": self.person_slug.get(owner)}

    def trend(self, theme: str, upto: str | None = None, last: int | None = None) -> tuple[list[str], list[int]]:
        end = self.position[upto] + 1 if upto in self.position else len(self.months)
        start = max(0, end - last) if last else 0
        row = self.series.get(theme)
        values = [int(v) for v in row[start:end]] if row is not None else [0] * (end - start)
        return self.months[start:end], values

    # -- pages -----------------------------------------------------------------------------
    def month_context(self, month: str) -> dict:
        archive = self.archive
        meetings = archive.meetings.iloc[self.month_meetings.get(month, [])]
        topics = archive.topics.iloc[self.month_rows.get(month, [])]
        by_meeting: dict[str, list[dict]] = defaultdict(list)
        for topic_id, meeting_id in zip(topics["topic_id"], topics["meeting_id"]):
            by_meeting[meeting_id].append({**self.topic_item(topic_id), "note_list": self._notes.get(topic_id, [])})
        meeting_list = [{**m, "topics": by_meeting.get(m["meeting_id"], []),
                         "note_list": self._notes.get(f"m:{m['meeting_id']}", [])}
                        for m in meetings.to_dict("records")]
        intents: dict[str, list[dict]] = defaultdict(list)
        for topic_id, title, votes, found in zip(topics["topic_id"], topics["title"], topics["votes"],
                                                 topics["intents"]):
            for intent in found or ["untagged"]:
                intents[intent].append({"topic_id": topic_id, "title": title, "votes": votes})
        order = ["inform", "ideation", "analysis", "quest", "discuss"]
        intent_list = sorted(intents.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0]))

        theme_rows = self._month_themes(month)
        fading_rows = self._fading(month)
        voted = topics[topics["votes"] > 0].sort_values(["votes", "date"], ascending=[False, True]).head(5)
        proposers = Counter(p for names in topics["people"] for p in names)

        actions = archive.actions
        as_of = meetings["date"].max() if not meetings.empty else f"{month}-28"
        opened = actions[actions["month"] == month]
        still_open = actions[(actions["month"] < month) & actions["status"].isin(OPEN)]
        n_still_open = len(still_open)
        still_open = still_open.head(MAX_LISTED)  # the oldest: actions come oldest first
        resolved = actions[actions["resolved_month"] == month].to_dict("records")
        owners = Counter(o for o in pd.concat([opened["owner"], still_open["owner"]]).dropna() if str(o).strip())
        index = self.months.index(month) if month in self.months else -1
        return {
            "month": month, "meetings": meeting_list, "n_topics": len(topics),
            "n_notes": int(topics["notes"].sum()) if len(topics) else 0,
            "intents": intent_list, "themes": theme_rows,
            "new_themes": [r for r in theme_rows if r["status"] == "new"], "fading": fading_rows,
            "most_voted": [self.topic_item(t) for t in voted["topic_id"]],
            "proposers": [(n, self.person_slug.get(n), c) for n, c in sorted(proposers.items(), key=lambda kv: (-kv[1], kv[0]))],
            "owners": [(n, self.person_slug.get(n), c) for n, c in sorted(owners.items(), key=lambda kv: (-kv[1], kv[0]))],
            "opened": [self.action_item(r) for r in opened.to_dict("records")],
            "still_open": sorted((self.action_item(r, as_of) for r in still_open.to_dict("records")),
                                 key=lambda a: -a["age"]),
            "resolved": [self.action_item(r) for r in resolved], "as_of": as_of,
            "n_still_open": n_still_open,
            "prev_month": self.months[index - 1] if index > 0 else None,
            "next_month": self.months[index + 1] if 0 <= index < len(self.months) - 1 else None,
        }

    def _month_themes(self, month: str, window: int = 3) -> list[dict]:
        this = self.table[self.table["month"] == month]
        at = self.position.get(month, len(self.months))
        rows = []
        for r in this.to_dict("records"):
            counts = self.series[r["theme"]]
            recent = counts[max(0, at - window):at]
            before = float(recent.mean()) if len(recent) else 0.0
            ever = int(counts[:at].sum())
            status = ("new" if ever == 0 else "rising" if r["topics"] >= 2 and r["topics"] >= 2 * before
                      else "falling" if r["topics"] < before else "steady")
            months, values = self.trend(r["theme"], upto=month, last=TREND_MONTHS)
            rows.append({**r, "slug": self.theme_slug.get(r["theme"]), "before": round(before, 1),
                         "change": round(r["topics"] - before, 1), "status": status,
                         "spark": sparkline(values, labels=months, title=r["theme"])})
        rows.sort(key=lambda r: (-r["topics"], -r["votes"], r["theme"]))
        return rows

    def _fading(self, month: str, window: int = 3) -> list[dict]:
        at = self.position.get(month, len(self.months))
        if at == 0:
            return []
        start = max(0, at - window)
        rows = []
        for theme, counts in self.series.items():
            before = int(counts[start:at].sum())
            now = int(counts[at]) if at < len(counts) else 0
            if before >= 2 and now <= before / (at - start) / 2:
                seen = [self.months[i] for i in range(start, at) if counts[i] > 0]
                rows.append({"theme": theme, "slug": self.theme_slug.get(theme), "before": before,
                             "topics": now, "last_seen": seen[-1] if seen else None})
        return sorted(rows, key=lambda r: (-r["before"], r["theme"]))

    def index_context(self) -> dict:
        archive = self.archive
        topics_per_month = archive.topics.groupby("month")["topic_id"].count()
        meetings_per_month = archive.meetings.groupby("month")["meeting_id"].count()
        dates = archive.meetings.groupby("month")[["date", "meeting_id"]].apply(
            lambda g: list(zip(g["date"], g["meeting_id"]))) if len(archive.meetings) else {}
        months = [{"month": m, "meetings": int(meetings_per_month.get(m, 0)),
                   "topics": int(topics_per_month.get(m, 0)), "dates": dates[m] if len(dates) else []}
                  for m in self.months]
        last = self.months[-1] if self.months else None
        themes = []
        if not self.table.empty:
            seen = self.table.groupby("theme").agg(first=("month", "min"), last=("month", "max"),
                                                   months=("month", "nunique"), topics=("topics", "sum"),
                                                   votes=("votes", "sum"))
            for theme, r in seen.iterrows():
                recent = self.months[-3:]
                status = ("new" if r["first"] == last else "recurring" if r["months"] >= 3
                          else "faded" if r["last"] not in recent else "")
                axis, values = self.trend(theme)
                themes.append({"theme": theme, "slug": self.theme_slug.get(theme), **r.to_dict(),
                               "source": self.theme_info[theme].source if theme in self.theme_info else "",
                               "status": status, "spark": sparkline(values, labels=axis, title=theme)})
            themes.sort(key=lambda t: (-t["topics"], t["theme"]))
        people = Counter(p for names in archive.topics["people"] for p in names)
        actions = archive.actions
        open_actions = actions[actions["status"].isin(OPEN)]
        return {
            "months": months, "themes": themes, "last_month": last,
            "chart": bar_chart([(m["month"], m["topics"]) for m in months], title="Topics per month"),
            "n_meetings": len(archive.meetings), "n_topics": len(archive.topics),
            "n_actions": len(actions), "n_open": len(open_actions),
            "people": [(n, self.person_slug.get(n), c) for n, c in sorted(people.items(), key=lambda kv: (-kv[1], kv[0]))],
            "oldest_open": [self.action_item(r, date.today().isoformat()) for r in open_actions.head(20).to_dict("records")],
        }

    def theme_context(self, theme: str) -> dict:
        archive = self.archive
        ids = archive.assignments.loc[archive.assignments["theme"] == theme, "topic_id"]
        topics = archive.topics[archive.topics["topic_id"].isin(set(ids))].sort_values(
            ["date", "line"], ascending=[False, True])
        months, values = self.trend(theme)
        together = Counter(t for tid in topics["topic_id"] for t in self.topic_themes[tid] if t != theme)
        people = Counter(p for names in topics["people"] for p in names)
        actions = archive.actions[archive.actions["topic_id"].isin(set(ids))]
        info = self.theme_info.get(theme)
        listed = topics.head(MAX_LISTED)
        return {
            "theme": theme, "info": info, "terms": list(info.terms) if info is not None else [],
            "chart": bar_chart(list(zip(months, values)), title=f"Topics per month: {theme}"),
            "first": next((m for m, v in zip(months, values) if v), None),
            "last": next((m for m, v in zip(reversed(months), reversed(values)) if v), None),
            "n_topics": len(topics), "topics": [self.topic_item(t) for t in listed["topic_id"]],
            "more": max(0, len(topics) - MAX_LISTED),
            "together": [(t, self.theme_slug.get(t), c) for t, c in together.most_common(10)],
            "people": [(n, self.person_slug.get(n), c) for n, c in people.most_common(20)],
            **self._action_lists(actions),
        }

    def _action_lists(self, actions: pd.DataFrame) -> dict:
        """Open (oldest first, with age) and closed (newest first) items, at most MAX_LISTED each."""
        opened = actions[actions["status"].isin(OPEN)]
        closed = actions[actions["status"].isin(CLOSED)]
        today = date.today().isoformat()
        return {"open": [self.action_item(r, today) for r in opened.head(MAX_LISTED).to_dict("records")],
                "closed": [self.action_item(r) for r in closed.iloc[::-1].head(MAX_LISTED).to_dict("records")],
                "n_open": len(opened), "n_closed": len(closed)}

    def person_context(self, name: str) -> dict:
        archive = self.archive
        topics = archive.topics.iloc[self.person_topics.get(name, [])].sort_values(
            ["date", "line"], ascending=[False, True])
        actions = archive.actions[archive.actions["owner"] == name]
        themes = Counter(t for tid in topics["topic_id"] for t in self.topic_themes[tid])
        per_month = Counter(topics["month"])
        active = [m for m in self.months if per_month[m]]
        span = [m for m in self.months if active and active[0] <= m <= active[-1]]
        return {
            "person": name, "n_topics": len(topics),
            "chart": bar_chart([(m, per_month[m]) for m in span], title=f"Topics proposed per month: {name}"),
            "topics": [self.topic_item(t) for t in topics["topic_id"].head(MAX_LISTED)],
            "more": max(0, len(topics) - MAX_LISTED),
            "themes": [(t, self.theme_slug.get(t), c) for t, c in themes.most_common(15)],
            **self._action_lists(actions),
        }


def write_reports(store: Store, out: str | Path, *, month: str | None = None,
                  taxonomy: Taxonomy | None = None) -> list[Path]:
    """Write the report into ``out`` and return the files written.

    The whole archive: ``index.html``, ``month-YYYY-MM.html`` for every month with meetings,
    ``theme-<slug>.html`` and ``person-<slug>.html``. With ``month``: that month's page only.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # The search stage may bring derived tables (people) up to date as it builds its
    # index, so it goes first: every page then sees the same store.
    search_index = None if month else _search_index(store)
    archive = Archive.load(store, taxonomy=taxonomy, month=month)
    if month and month not in archive.months:
        known = ", ".join(archive.months[-6:]) or "none yet"
        raise InsightsError(f"no meetings in {month}; months with meetings end with: {known}")
    report = _Report(store, archive, [month] if month else archive.months)
    if month:
        return _render_pages(report, out, [("month.html", f"month-{month}.html", "month", month)], single=True)
    pages = [("month.html", f"month-{m}.html", "month", m) for m in archive.months]
    pages += [("theme.html", f"theme-{slug}.html", "theme", theme)
              for theme, slug in sorted(report.theme_slug.items(), key=lambda kv: kv[1]) if theme in report.pivot.index]
    pages += [("person.html", f"person-{slug}.html", "person", name)
              for name, slug in sorted(report.person_slug.items(), key=lambda kv: kv[1])]
    index = [("index.html", "index.html", "index", None)]
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(pages) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return _render_pages(report, out, index, search_index=search_index) + _render_pages(report, out, pages)
    # Pages are independent: forked workers that share the loaded frames render them, which
    # on two cores halves a large archive's report.
    global _FORKED
    _FORKED = (report, out)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = pool.map_async(_render_forked, [pages[i::workers] for i in range(workers)])
            written = _render_pages(report, out, index, search_index=search_index)
            for chunk in pending.get():
                written += chunk
    finally:
        _FORKED = None
    order = {name: i for i, (_, name, _, _) in enumerate(pages)}
    written[1:] = sorted(written[1:], key=lambda p: order[p.name])
    return written


#: Below this many pages the work is not worth a process pool.
PARALLEL_FROM = 200
_FORKED: tuple | None = None


def _render_forked(pages: list[tuple]) -> list[Path]:
    report, out = _FORKED
    return _render_pages(report, out, pages)


def _render_pages(report: _Report, out: Path, pages: list[tuple], **extra) -> list[Path]:
    env = environment()
    contexts = {"index": lambda key: report.index_context(), "month": report.month_context,
                "theme": report.theme_context, "person": report.person_context}
    written = []
    for template, name, kind, key in pages:
        html = env.get_template(template).render(**contexts[kind](key), **extra, page=name,
                                                 all_months=report.months)
        target = out / name
        target.write_text(html, encoding="utf-8")
        written.append(target)
    return written
