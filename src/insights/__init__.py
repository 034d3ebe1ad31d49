"""insights: turn an archive of recurring meeting notes into something a team can act on.

>>> from insights import Store, ingest
>>> store = Store(":memory:")
>>> summary = ingest(store, ["data/arch-hours-2021.txt"])  # doctest: +SKIP
"""

__version__ = "0.1.0"

from .model import ActionItem, Document, Meeting, Note, Person, Problem, Topic  # noqa: E402
from .pipeline import IngestSummary, ingest  # noqa: E402
from .store import Store  # noqa: E402

__all__ = ["ActionItem", "Document", "Meeting", "Note", "Person", "Problem", "Topic", "Store", "ingest",
           "IngestSummary", "__version__"]
