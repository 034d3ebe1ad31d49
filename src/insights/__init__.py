"""insights: turn an archive of recurring meeting notes into something a team can act on.

>>> import pathlib, tempfile
>>> from insights import Store, ingest
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "notes.txt").write_text("2021-12-22\\n[quest] (David J) What is paver?\\nA task runner\\n")
>>> store = Store(":memory:")
>>> summary = ingest(store, [folder])
>>> summary.files_added, summary.meetings_added, summary.topics_added, summary.notes_added
(1, 1, 1, 1)
>>> [(t["title"], t["proposer_text"]) for t in store.topics()]
[('What is paver?', 'David J')]
>>> import shutil; shutil.rmtree(folder)
"""

__version__ = "0.1.0"

from .model import ActionItem, Document, Meeting, Note, Person, Problem, Topic  # noqa: E402
from .pipeline import IngestSummary, ingest  # noqa: E402
from .store import Store  # noqa: E402

__all__ = ["ActionItem", "Document", "Meeting", "Note", "Person", "Problem", "Topic", "Store", "ingest",
           "IngestSummary", "__version__"]
