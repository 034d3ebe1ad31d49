"""Pull the status of pushed issues; an issue Done in Jira resolves its action item.

>>> DROPPED_RESOLUTIONS[:2]
("won't do", "won't fix")

Only ever closes: an item already done or dropped (by its notes, a later meeting, by hand
or an earlier sync) is left as it is, and an issue reopened in Jira does not reopen the
item, so a decision recorded once is never silently undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from ..actions import OPEN_STATUSES
from ..store import Store
from .client import JiraAuthError, JiraClient, JiraRejected, JiraUnavailable
from .ledger import Ledger

__all__ = ["run_sync", "SyncResult", "DROPPED_RESOLUTIONS"]

#: Resolutions (lower case) that mean "will not happen" rather than "done".
DROPPED_RESOLUTIONS = ("won't do", "won't fix", "declined", "duplicate", "cannot reproduce", "obsolete")


@dataclass
class SyncResult:
    rows: list[dict] = field(default_factory=list)
    stopped: str | None = None

    @property
    def resolved(self) -> list[dict]:
        return [r for r in self.rows if r["action"].startswith("resolved")]


def _close(store: Store, fingerprint: str, status: str, note: str) -> bool:
    """Write a Jira resolution unless the item is already closed; True when written."""
    current = store.conn.execute("SELECT status FROM action_items_view WHERE fingerprint = ?",
                                 (fingerprint,)).fetchall()
    if not current or not any(r["status"] in OPEN_STATUSES for r in current):
        return False
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO action_status (fingerprint, status, how, note, updated_at) VALUES (?, ?, 'jira', ?, ?) "
            "ON CONFLICT(fingerprint) DO UPDATE SET status = excluded.status, how = 'jira', note = excluded.note, "
            "evidence_source = NULL, evidence_line = NULL, updated_at = excluded.updated_at "
            "WHERE action_status.status IN ('open', 'in progress')",
            (fingerprint, status, note, datetime.now(timezone.utc).isoformat(timespec="seconds")))
    return True


def run_sync(store: Store, client: JiraClient, progress: Callable[[str], None] | None = None) -> SyncResult:
    """Read every pushed issue's status; resolve the items whose issue is Done."""
    ledger = Ledger(store)
    result = SyncResult()
    progress = progress or (lambda line: None)
    try:
        for row in ledger.rows("created"):
            key = row["issue_key"]
            try:
                status = client.status(key)
            except JiraRejected as exc:
                result.rows.append({"key": key, "status": "", "resolution": "", "action": f"unreadable: {exc}",
                                    "fingerprint": row["fingerprint"]})
                continue
            ledger.synced(row["fingerprint"], status["status"], status["category"], status["resolution"])
            action = "unchanged"
            if status["category"] == "done":
                dropped = (status["resolution"] or "").lower() in DROPPED_RESOLUTIONS
                closed_as = "dropped" if dropped else "done"
                note = f"{key} is {status['status']}" + (f" ({status['resolution']})" if status["resolution"] else "")
                if _close(store, row["fingerprint"], closed_as, note):
                    action = f"resolved {closed_as}"
            result.rows.append({"key": key, "status": status["status"], "resolution": status["resolution"] or "",
                                "action": action, "fingerprint": row["fingerprint"]})
            progress(f"{key}: {status['status']} -> {action}")
    except (JiraAuthError, JiraUnavailable) as exc:
        result.stopped = str(exc)
    return result
