"""What extraction adds to listings and to the JSON export.

>>> from insights.store import Store
>>> store = Store(":memory:")
>>> people_rows(store), intent_rows(store, unknown=True), findings_rows(store)
([], [], [])
"""

from __future__ import annotations

from ..export import EXPORTERS
from .indexer import people, refresh_people

__all__ = ["people_rows", "intent_rows", "findings_rows", "export_extraction"]


def people_rows(store) -> list[dict]:
    """Persons and teams with their aliases, activity counts, and first and last meeting seen."""
    refresh_people(store)
    stats = {row[0]: row for row in store.conn.execute(
        """SELECT a.person,
                  count(DISTINCT CASE WHEN m.role = 'proposer' THEN m.topic_id END),
                  count(DISTINCT CASE WHEN m.role = 'speaker' THEN m.source || ':' || m.line END),
                  min(m.meeting_date), max(m.meeting_date)
           FROM mentions m JOIN person_aliases a ON a.alias = m.surface AND a.kind = m.kind
           GROUP BY a.person""")}
    owned = dict(store.conn.execute(
        "SELECT owner, count(*) FROM action_items WHERE owner IS NOT NULL GROUP BY owner").fetchall())
    ambiguous = dict(store.conn.execute("SELECT alias, candidates FROM person_ambiguities").fetchall())
    rows = []
    for person in people(store):
        _, proposed, spoken, first, last = stats.get(person.name, (None, 0, 0, None, None))
        actions = sum(count for owner, count in owned.items()
                      if owner == person.name or person.name in owner.split(", "))
        rows.append({"name": person.name, "kind": person.kind, "aliases": list(person.aliases),
                     "topics_proposed": proposed, "notes_spoken": spoken, "actions_owned": actions,
                     "first_seen": first, "last_seen": last, "team": person.team,
                     "ambiguous_with": ambiguous.get(person.name)})
    return rows


def intent_rows(store, *, unknown: bool = False) -> list[dict]:
    """Intent counts over all topics; with ``unknown``, the tags kept as written instead."""
    rows = store.conn.execute(
        "SELECT intent, count(*) AS topics, min(m.date) AS first_seen, max(m.date) AS last_seen "
        "FROM topic_intents i JOIN topics t ON t.id = i.topic_id JOIN meetings m ON m.id = t.meeting_id "
        "WHERE i.known = ? GROUP BY intent ORDER BY topics DESC, intent", (0 if unknown else 1,))
    return [dict(row) for row in rows]


def findings_rows(store, kind: str = "decision", *, since: str | None = None) -> list[dict]:
    """Decisions (or open questions) oldest first, with where they were written."""
    sql = ("SELECT f.meeting_date, f.text, f.rationale, f.rule, f.source, f.line, t.title AS topic "
           "FROM findings f LEFT JOIN topics t ON t.id = f.topic_id WHERE f.kind = ?")
    params: list = [kind]
    if since:
        sql += " AND f.meeting_date >= ?"
        params.append(since)
    return [dict(row) for row in store.conn.execute(sql + " ORDER BY f.meeting_date, f.source, f.line", params)]


def export_extraction(store, data: dict, *, month: str | None = None) -> None:
    """Add ``intents`` and ``proposers`` to topics, and ``people`` and ``action_items`` at the top."""
    refresh_people(store)
    conn = store.conn
    intents: dict[str, list[str]] = {}
    for topic_id, intent in conn.execute("SELECT topic_id, intent FROM topic_intents WHERE known = 1 "
                                         "ORDER BY topic_id, ordinal"):
        intents.setdefault(topic_id, []).append(intent)
    proposers: dict[str, list[str]] = {}
    for topic_id, name in conn.execute(
            "SELECT m.topic_id, COALESCE(a.person, m.surface) FROM mentions m "
            "LEFT JOIN person_aliases a ON a.alias = m.surface AND a.kind = m.kind "
            "WHERE m.role = 'proposer' ORDER BY m.topic_id, m.id"):
        if name not in proposers.setdefault(topic_id, []):
            proposers[topic_id].append(name)
    for meeting in data.get("meetings", []):
        for topic in meeting.get("topics", []):
            topic["intents"] = intents.get(topic["id"], [])
            topic["proposers"] = proposers.get(topic["id"], [])
    data["people"] = [{"name": p.name, "aliases": list(p.aliases), "kind": p.kind} for p in people(store)]
    sql = ("SELECT id, text, owner, owner_text, due, status, meeting_date, topic_id, source, line, rule, confidence "
           "FROM action_items_view")
    params: list = []
    if month:
        sql += " WHERE substr(meeting_date, 1, 7) = ?"
        params.append(month)
    data["action_items"] = [
        {"id": r["id"], "text": r["text"], "owner": r["owner"] or r["owner_text"], "due": r["due"],
         "status": r["status"], "meeting_date": r["meeting_date"], "topic_id": r["topic_id"], "source": r["source"],
         "line": r["line"], "rule": r["rule"], "confidence": r["confidence"]}
        for r in conn.execute(sql + " ORDER BY meeting_date, source, line", params)]


if export_extraction not in EXPORTERS:
    EXPORTERS.append(export_extraction)
