-- Full-text search: one unit per topic (and one per meeting's notes before its first topic).
-- Derived rows: written by the search indexer inside each file's ingest transaction and
-- removed with the file (the foreign key cascades, the trigger keeps the FTS table in step).
CREATE TABLE search_units (
    id INTEGER PRIMARY KEY,              -- rowid of the unit in search_fts
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    meeting_id TEXT NOT NULL,
    topic_id TEXT,                       -- NULL: the meeting's notes before its first topic
    meeting_date TEXT NOT NULL,
    meeting_title TEXT NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL,               -- the topic header (or meeting header) line
    lines TEXT NOT NULL,                 -- JSON list: source line of each line of search_fts.body
    intents TEXT NOT NULL DEFAULT ' '    -- normalised intent tags, space-delimited: ' quest ideation '
);
CREATE INDEX search_units_file ON search_units(file_id);
CREATE INDEX search_units_date ON search_units(meeting_date);

-- Files whose units are written (a file may have none), so stores filled without the
-- indexer can be caught up on the next search.
CREATE TABLE search_files (
    file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE
);

-- title: topic title; body: its notes, one per line; people: the proposer as written.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, people,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_units_deleted AFTER DELETE ON search_units BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
END;
