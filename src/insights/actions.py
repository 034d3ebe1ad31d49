"""Action items as stored: listing with filters, and resolution by hand.

>>> from insights.store import Store
>>> list_actions(Store(":memory:"), open_only=True)
[]
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from .errors import InsightsError
from .model import ActionItem
from .store import Store

__all__ = ["list_actions", "resolve_action", "OPEN_STATUSES"]

OPEN_STATUSES = ("open", "in progress")


def _row_to_item(row) -> ActionItem:
    return ActionItem(
        text=row["text"], meeting_date=date.fromisoformat(row["meeting_date"]), source=row["source"],
        line=row["line"], owner=row["owner"] or row["owner_text"],
        due=date.fromisoformat(row["due"]) if row["due"] else None, status=row["status"],
        topic_id=row["topic_id"], rule=row["rule"], confidence=row["confidence"], id=row["id"],
        fingerprint=row["fingerprint"], meeting_title=row["meeting_title"] or "",
        topic_title=row["topic_title"] or "",
    )


def _refresh_owners(store: Store) -> None:
    """Canonical owners depend on every file; extraction rebuilds them when they are stale."""
    try:
        from .extract.indexer import refresh_people
    except ImportError:  # pragma: no cover - extraction not installed
        return
    refresh_people(store)


def _canonical(store: Store, name: str) -> str:
    """The canonical name for ``name`` written any way the notes wrote it (itself when unknown)."""
    try:
        row = store.conn.execute("SELECT person FROM person_aliases WHERE lower(alias) = lower(?) "
                                 "UNION ALL SELECT name FROM persons WHERE lower(name) = lower(?) LIMIT 1",
                                 (name, name)).fetchone()
    except Exception:  # pragma: no cover - store without the extraction tables
        return name
    return row[0] if row else name


def list_actions(store: Store, *, open_only: bool = False, owner: str | None = None,
                 since: str | None = None, until: str | None = None) -> list[ActionItem]:
    """Action items oldest first; ``owner`` matches the canonical owner or the text as written."""
    _refresh_owners(store)
    where, params = [], []
    if owner:
        owner = _canonical(store, owner)
    if open_only:
        where.append("status IN ('open', 'in progress')")
    if owner:
        # several owners are stored as "A, B": match any of them
        where.append("(lower(owner) = lower(?) OR (', ' || lower(owner) || ',') LIKE '%, ' || lower(?) || ',%' "
                     "OR lower(owner_text) LIKE '%' || lower(?) || '%')")
        params += [owner, owner, owner]
    if since:
        where.append("meeting_date >= ?")
        params.append(since)
    if until:
        where.append("meeting_date <= ?")
        params.append(until)
    sql = "SELECT * FROM action_items_view" + (" WHERE " + " AND ".join(where) if where else "")
    rows = store.conn.execute(sql + " ORDER BY meeting_date, source, line", params)
    return [_row_to_item(row) for row in rows]


def resolve_action(store: Store, item_id: str, *, status: str = "done", how: str = "manual",
                   note: str | None = None, evidence_source: str | None = None,
                   evidence_line: int | None = None) -> ActionItem:
    """Record a status for an action item (by id or fingerprint prefix) that survives re-ingest."""
    rows = store.conn.execute(
        "SELECT * FROM action_items_view WHERE id = ? OR fingerprint LIKE ? || '%'", (item_id, item_id)
    ).fetchall()
    if not rows:
        raise InsightsError(f"no action item {item_id!r}; `insights actions` lists them with their ids")
    if len({r["fingerprint"] for r in rows}) > 1:
        raise InsightsError(f"{item_id!r} matches {len(rows)} action items; give more of the id")
    fingerprint = rows[0]["fingerprint"]
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO action_status (fingerprint, status, how, evidence_source, evidence_line, note, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET status = excluded.status, "
            "how = excluded.how, evidence_source = excluded.evidence_source, "
            "evidence_line = excluded.evidence_line, note = excluded.note, updated_at = excluded.updated_at",
            (fingerprint, status, how, evidence_source, evidence_line, note,
             datetime.now(timezone.utc).isoformat(timespec="seconds")),
        )
    row = store.conn.execute("SELECT * FROM action_items_view WHERE fingerprint = ?", (fingerprint,)).fetchone()
    return _row_to_item(row)
