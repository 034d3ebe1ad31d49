"""Ranked, filtered, citable search over the archive (SQLite FTS5), on the command line and in the report.

>>> from insights.store import Store
>>> from insights.pipeline import ingest
>>> store = Store(":memory:")
>>> _ = ingest(store, ["data/arch-hours-2021.txt"])
>>> [(h.meeting_date, h.topic_title[:40], h.best.line) for h in search(store, "#event-bus")]
[('2021-09-01', 'Curious about any updates on the hooks e', 174)]

Importing this package registers the search indexer with the store, so every ingest
keeps the index current in the same transaction as the records.
"""

from .api import Hit, Match, search, timeline
from .index import ensure_current, register
from .query import QueryError, parse

register()

__all__ = ["Hit", "Match", "QueryError", "search", "timeline", "parse", "ensure_current", "register"]
