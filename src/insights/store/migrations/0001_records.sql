-- Files, meetings, topics and notes, each with its provenance.
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,          -- absolute path: the key for incremental ingest
    source TEXT NOT NULL,               -- how records name the file
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL
);
CREATE INDEX meetings_date ON meetings(date);
CREATE INDEX meetings_file ON meetings(file_id);

CREATE TABLE topics (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    title TEXT NOT NULL,
    tag TEXT,
    proposer_text TEXT,
    votes INTEGER NOT NULL DEFAULT 0,
    line INTEGER NOT NULL,
    level INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX topics_meeting ON topics(meeting_id);

-- kind: preamble (page text outside meetings), meeting (before the first topic), topic
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    meeting_id TEXT REFERENCES meetings(id) ON DELETE CASCADE,
    topic_id TEXT REFERENCES topics(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                 -- preamble | meeting | topic (no CHECK: it doubles insert time)
    text TEXT NOT NULL,
    line INTEGER NOT NULL,
    level INTEGER NOT NULL DEFAULT 0
);
-- Most notes belong to a topic and are found through it. Notes without a topic (preamble and
-- a meeting's own lines) are few, so partial indexes reach them by file and meeting without
-- paying an index update for every topic note: that keeps ingest fast.
CREATE INDEX notes_topic ON notes(topic_id);
CREATE INDEX notes_loose_file ON notes(file_id) WHERE topic_id IS NULL;
CREATE INDEX notes_loose_meeting ON notes(meeting_id) WHERE topic_id IS NULL;

-- Warnings found while reading a file, kept until the file is ingested again.
CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL
);
