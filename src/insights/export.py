"""The public JSON export (see README, "JSON contract").

>>> from insights.store import Store
>>> export_archive(Store(":memory:"))["meetings"]
[]
"""

from __future__ import annotations

from .store import Store

__all__ = ["export_archive", "EXPORTERS"]

#: Functions ``(store, data) -> None`` that add their own keys to the export (people, actions).
EXPORTERS: list = []


def export_archive(store: Store, *, month: str | None = None) -> dict:
    """The archive as plain data: meetings, their topics, and the topics' notes."""
    meetings = []
    for meeting in store.iter_meetings_tree(month=month):
        meetings.append({
            "date": meeting["date"],
            "title": meeting["title"],
            "source": meeting["source"],
            "topics": [
                {"id": t["id"], "title": t["title"], "tag": t["tag"], "proposer_text": t["proposer_text"],
                 "votes": t["votes"], "line": t["line"], "notes": t["notes"]}
                for t in meeting["topics"]
            ],
        })
    data = {"meetings": meetings}
    for exporter in EXPORTERS:
        exporter(store, data, month=month)
    return data
