"""The push ledger: fingerprint -> Jira issue, written one step at a time.

>>> from insights.store import Store
>>> ledger = Ledger(Store(":memory:"))
>>> ledger.intend("0123456789abcdef", "ARCH")
>>> ledger.get("0123456789abcdef")["state"]
'creating'
>>> ledger.created("0123456789abcdef", "ARCH-1", "10001", "ARCH")
>>> ledger.get("0123456789abcdef")["issue_key"]
'ARCH-1'

Every change is its own committed transaction, made right after Jira confirmed it (or,
for ``intend``, right before the create request), so a run stopped at any point leaves
``created`` rows only for issues that exist, and at most one ``creating`` row whose outcome
is unknown until the next run searches for its label.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ..store import Store

__all__ = ["Ledger", "fingerprint_label", "LABEL"]

#: Every issue insights creates carries this label, plus its fingerprint label.
LABEL = "insights"


def fingerprint_label(fingerprint: str) -> str:
    """The Jira label that finds the issue of an action item (labels cannot hold spaces).

    >>> fingerprint_label("0123456789abcdef")
    'insights-0123456789abcdef'
    """
    return f"{LABEL}-{fingerprint}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """Rows of ``jira_issues``."""

    def __init__(self, store: Store):
        self.store = store

    def get(self, fingerprint: str) -> dict | None:
        row = self.store.conn.execute("SELECT * FROM jira_issues WHERE fingerprint = ?", (fingerprint,)).fetchone()
        return dict(row) if row else None

    def rows(self, state: str | None = "created") -> list[dict]:
        sql = "SELECT * FROM jira_issues" + (" WHERE state = ?" if state else "") + " ORDER BY created_at, fingerprint"
        return [dict(r) for r in self.store.conn.execute(sql, (state,) if state else ())]

    def unfinished(self) -> list[dict]:
        """Created issues whose link or assignee step did not complete."""
        return [dict(r) for r in self.store.conn.execute(
            "SELECT * FROM jira_issues WHERE state = 'created' AND (link_done = 0 OR assignee_state = 'pending') "
            "ORDER BY created_at, fingerprint")]

    def intend(self, fingerprint: str, project: str) -> None:
        """Record that a create is about to be sent (outcome unknown until :meth:`created`)."""
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO jira_issues (fingerprint, state, project, created_at, updated_at) "
                "VALUES (?, 'creating', ?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET project = excluded.project, "
                "updated_at = excluded.updated_at WHERE state = 'creating'",
                (fingerprint, project, _now(), _now()))

    def abandon(self, fingerprint: str) -> None:
        """Jira said no for certain (400, 401, 429): nothing was created."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM jira_issues WHERE fingerprint = ? AND state = 'creating'", (fingerprint,))

    def created(self, fingerprint: str, key: str, issue_id: str, project: str, how: str = "created") -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO jira_issues (fingerprint, state, issue_key, issue_id, project, how, created_at, updated_at) "
                "VALUES (?, 'created', ?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET state = 'created', "
                "issue_key = excluded.issue_key, issue_id = excluded.issue_id, project = excluded.project, "
                "how = excluded.how, updated_at = excluded.updated_at",
                (fingerprint, key, issue_id, project, how, _now(), _now()))

    def link_done(self, fingerprint: str) -> None:
        self._update(fingerprint, link_done=1)

    def assigned(self, fingerprint: str, state: str, assignee: str | None = None) -> None:
        self._update(fingerprint, assignee_state=state, assignee=assignee)

    def synced(self, fingerprint: str, status: str, category: str, resolution: str | None) -> None:
        self._update(fingerprint, jira_status=status, jira_status_category=category, jira_resolution=resolution,
                     last_synced_at=_now())

    def _update(self, fingerprint: str, **values) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.store.transaction() as conn:
            conn.execute(f"UPDATE jira_issues SET {sets}, updated_at = ? WHERE fingerprint = ?",
                         (*values.values(), _now(), fingerprint))
