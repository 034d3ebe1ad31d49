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

import importlib.util
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..analyze.taxonomy import Taxonomy, slugify
from ..analyze.trends import CLOSED, OPEN, Archive, _pivot, theme_month_table
from ..errors import InsightsError
from ..store import Store
from .charts import bar_chart, sparkline

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
    env.globals.update(sparkline=sparkline, bar_chart=bar_chart)
    env.filters["signed"] = lambda v: ("+" if v > 0 else "") + (f"{v:g}" if isinstance(v, float) else str(v))
    return env


def _search_index(store: Store) -> object | None:
    """The search partial's data, when the search stage is installed."""
    if importlib.util.find_spec("insights.search.client") is None:
        return None
    from ..search.client import build_index  # type: ignore[import-not-found]

    return build_index(store)


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
        self.pivot = _pivot(self.table, self.months)
        catalog = archive.catalog[archive.catalog["merged_into"].isna()]
        unique = _Unique(set())
        self.theme_slug = {row.theme: unique(row.slug, "theme") for row in catalog.itertuples()}
        self.theme_info = {row.theme: row for row in catalog.itertuples()}
        self.topic_themes: dict[str, list[str]] = defaultdict(list)
        for topic_id, theme in zip(archive.assignments["topic_id"], archive.assignments["theme"]):
            self.topic_themes[topic_id].append(theme)
        people = Counter(p for names in topics["people"] for p in names)
        owners = Counter(o for o in archive.actions["owner"].dropna() if str(o).strip())
        self.person_slug = {name: unique(name, "person") for name in sorted(set(people) | set(owners))}
        self.meeting_month = dict(zip(archive.meetings["meeting_id"], archive.meetings["month"]))
        self.topic_records = {r["topic_id"]: r for r in topics.to_dict("records")}
        self._notes = self._load_notes(months)
        self._meeting_spans = self._spans()

    # -- loading ---------------------------------------------------------------------------
    def _load_notes(self, months: list[str]) -> dict[str, list[dict]]:
        """Notes by topic id (and by ``m:<meeting id>`` for a meeting's own notes)."""
        where, params = "", []
        if len(months) == 1:
            where, params = "WHERE substr(m.date, 1, 7) = ?", months
        notes: dict[str, list[dict]] = defaultdict(list)
        for topic_id, meeting_id, kind, text, line, level in self.store.conn.execute(
                f"SELECT n.topic_id, n.meeting_id, n.kind, n.text, n.line, n.level FROM notes n "
                f"JOIN meetings m ON m.id = n.meeting_id {where} ORDER BY n.line", params):
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
        found = None
        for first, _, month in self._meeting_spans.get(source, ()):
            if first <= line:
                found = month
            else:
                break
        return found

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
        href = (self.topic_link(row["topic_id"]) if isinstance(row.get("topic_id"), str)
                and row["topic_id"] in self.topic_records else f"month-{month}.html#m-{row['meeting_id']}")
        age = None
        if as_of:
            age = (date.fromisoformat(as_of) - date.fromisoformat(row["meeting_date"])).days
        owner = row.get("owner") if isinstance(row.get("owner"), str) else None
        return {**row, "href": href, "age": age, "owner": owner, "owner_slug": self.person_slug.get(owner)}

    def trend(self, theme: str, upto: str | None = None, last: int | None = None) -> tuple[list[str], list[int]]:
        months = [m for m in self.months if upto is None or m <= upto]
        if last:
            months = months[-last:]
        row = self.pivot.loc[theme] if theme in self.pivot.index else None
        return months, [int(row[m]) if row is not None else 0 for m in months]

    # -- pages -----------------------------------------------------------------------------
    def month_context(self, month: str) -> dict:
        archive = self.archive
        meetings = archive.meetings[archive.meetings["month"] == month]
        topics = archive.topics[archive.topics["month"] == month]
        by_meeting: dict[str, list[dict]] = defaultdict(list)
        for topic_id, meeting_id in zip(topics["topic_id"], topics["meeting_id"]):
            by_meeting[meeting_id].append({**self.topic_item(topic_id), "note_list": self._notes.get(topic_id, [])})
        meeting_list = [{**m, "topics": by_meeting.get(m["meeting_id"], []),
                         "note_list": self._notes.get(f"m:{m['meeting_id']}", [])}
                        for m in meetings.to_dict("records")]
        intents: dict[str, list[dict]] = defaultdict(list)
        for topic_id, found in zip(topics["topic_id"], topics["intents"]):
            for intent in found or ["untagged"]:
                intents[intent].append(self.topic_item(topic_id))
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
        closed = actions[(actions["month"] <= month) & actions["status"].isin(CLOSED)]
        resolved = [r for r in closed.to_dict("records")
                    if (self.month_of_line(r["evidence_source"], r["evidence_line"]) or r["month"]) == month]
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
            "prev_month": self.months[index - 1] if index > 0 else None,
            "next_month": self.months[index + 1] if 0 <= index < len(self.months) - 1 else None,
        }

    def _month_themes(self, month: str, window: int = 3) -> list[dict]:
        this = self.table[self.table["month"] == month]
        earlier = [m for m in self.months if m < month]
        recent = earlier[-window:]
        rows = []
        for r in this.to_dict("records"):
            counts = self.pivot.loc[r["theme"]]
            before = float(counts[recent].mean()) if recent else 0.0
            ever = int(counts[earlier].sum()) if earlier else 0
            status = ("new" if ever == 0 else "rising" if r["topics"] >= 2 and r["topics"] >= 2 * before
                      else "falling" if r["topics"] < before else "steady")
            months, values = self.trend(r["theme"], upto=month, last=TREND_MONTHS)
            rows.append({**r, "slug": self.theme_slug.get(r["theme"]), "before": round(before, 1),
                         "change": round(r["topics"] - before, 1), "status": status,
                         "spark": sparkline(values, labels=months, title=r["theme"])})
        rows.sort(key=lambda r: (-r["topics"], -r["votes"], r["theme"]))
        return rows

    def _fading(self, month: str, window: int = 3) -> list[dict]:
        recent = [m for m in self.months if m < month][-window:]
        if not recent or self.pivot.empty:
            return []
        rows = []
        before = self.pivot[recent].sum(axis=1)
        now = self.pivot[month] if month in self.pivot.columns else before * 0
        for theme in before.index[(before >= 2) & (now <= before / len(recent) / 2)]:
            seen = [m for m in recent if self.pivot.at[theme, m] > 0]
            rows.append({"theme": theme, "slug": self.theme_slug.get(theme), "before": int(before[theme]),
                         "topics": int(now[theme]), "last_seen": seen[-1] if seen else None})
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
            "open": [self.action_item(r, date.today().isoformat()) for r in actions[actions["status"].isin(OPEN)].to_dict("records")],
            "closed": [self.action_item(r) for r in actions[actions["status"].isin(CLOSED)].to_dict("records")],
        }

    def person_context(self, name: str) -> dict:
        archive = self.archive
        mask = archive.topics["people"].map(lambda names: name in names)
        topics = archive.topics[mask].sort_values(["date", "line"], ascending=[False, True])
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
            "open": [self.action_item(r, date.today().isoformat()) for r in actions[actions["status"].isin(OPEN)].to_dict("records")],
            "closed": [self.action_item(r) for r in actions[actions["status"].isin(CLOSED)].to_dict("records")],
        }


def write_reports(store: Store, out: str | Path, *, month: str | None = None,
                  taxonomy: Taxonomy | None = None) -> list[Path]:
    """Write the report into ``out`` and return the files written.

    The whole archive: ``index.html``, ``month-YYYY-MM.html`` for every month with meetings,
    ``theme-<slug>.html`` and ``person-<slug>.html``. With ``month``: that month's page only.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    archive = Archive.load(store, taxonomy=taxonomy)
    if month and month not in archive.months:
        known = ", ".join(archive.months[-6:]) or "none yet"
        raise InsightsError(f"no meetings in {month}; months with meetings end with: {known}")
    report = _Report(store, archive, [month] if month else archive.months)
    env = environment()
    written: list[Path] = []

    def render(template: str, name: str, **context) -> None:
        target = out / name
        target.write_text(env.get_template(template).render(**context, page=name, all_months=archive.months),
                          encoding="utf-8")
        written.append(target)

    if month:
        render("month.html", f"month-{month}.html", single=True, **report.month_context(month))
        return written
    render("index.html", "index.html", search_index=_search_index(store), **report.index_context())
    for m in archive.months:
        render("month.html", f"month-{m}.html", **report.month_context(m))
    for theme, slug in sorted(report.theme_slug.items(), key=lambda kv: kv[1]):
        if theme in report.pivot.index:
            render("theme.html", f"theme-{slug}.html", **report.theme_context(theme))
    for name, slug in sorted(report.person_slug.items(), key=lambda kv: kv[1]):
        render("person.html", f"person-{slug}.html", **report.person_context(name))
    return written
