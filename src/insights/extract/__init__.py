"""Extraction: intents, people, action items, decisions and questions from parsed notes.

>>> from insights.readers.text import read
>>> found = extract_document(read("2021-07-28\\n[quest/ideation] (Ned, Usama) Constraints?\\n", "a.txt"))
>>> list(found.intents.values()), list(found.proposers.values())
([['quest', 'ideation']], [['Ned', 'Usama']])

Importing this package registers :class:`~insights.extract.indexer.ExtractIndexer` in
``insights.store.INDEXERS``, so every ingested file is extracted in its own transaction.
spaCy is imported only when a note needs it (see ``docs/decisions/0003-extraction-pipeline.md``).
"""

from __future__ import annotations

from .document import Extraction, extract_document
from .indexer import ExtractIndexer, people, refresh_people
from .intents import VOCABULARY, normalise_intents
from .people import Directory, resolve
from .reports import export_extraction, findings_rows, intent_rows, people_rows

__all__ = ["extract_document", "Extraction", "ExtractIndexer", "people", "refresh_people", "VOCABULARY",
           "normalise_intents", "Directory", "resolve", "people_rows", "intent_rows", "findings_rows",
           "export_extraction"]
