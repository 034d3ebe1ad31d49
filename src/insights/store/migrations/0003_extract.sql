-- Extraction: normalised intents, every name seen (with its role), decisions and questions.
-- All rows are derived from one file and replaced whenever that file is ingested again.
CREATE TABLE topic_intents (
    topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    intent TEXT NOT NULL,
    known INTEGER NOT NULL,             -- 1: in the vocabulary; 0: kept as written (--unknown)
    PRIMARY KEY (topic_id, ordinal)
);
CREATE INDEX topic_intents_file ON topic_intents(file_id);

-- kind: person | team | channel | ticket | url
-- role: proposer | speaker | owner | attendee | facilitator | text
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    meeting_id TEXT REFERENCES meetings(id) ON DELETE CASCADE,
    topic_id TEXT REFERENCES topics(id) ON DELETE CASCADE,
    meeting_date TEXT,
    kind TEXT NOT NULL,
    role TEXT NOT NULL,
    surface TEXT NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL
);
CREATE INDEX mentions_file ON mentions(file_id);
CREATE INDEX mentions_surface ON mentions(kind, surface);

-- kind: decision | question
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    meeting_id TEXT REFERENCES meetings(id) ON DELETE CASCADE,
    topic_id TEXT REFERENCES topics(id) ON DELETE CASCADE,
    meeting_date TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('decision', 'question')),
    text TEXT NOT NULL,
    rationale TEXT,
    rule TEXT NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL
);
CREATE INDEX findings_file ON findings(file_id);

-- How an action item's owner was written, so owners can be re-resolved without re-reading.
ALTER TABLE action_items ADD COLUMN owner_kind TEXT;

-- Canonical persons and teams, rebuilt from all mentions and the people file whenever
-- `people_state.dirty` says mentions changed (cheap: one pass over distinct surfaces).
CREATE TABLE persons (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'team')),
    team TEXT,
    jira_account_id TEXT,
    jira_username TEXT
);

CREATE TABLE person_aliases (
    alias TEXT NOT NULL,                -- a written form
    kind TEXT NOT NULL,
    person TEXT NOT NULL REFERENCES persons(name) ON DELETE CASCADE,
    PRIMARY KEY (kind, alias)
);
CREATE INDEX person_aliases_person ON person_aliases(person);

-- A short form that fits several persons: reported, never merged.
CREATE TABLE person_ambiguities (
    alias TEXT PRIMARY KEY,
    candidates TEXT NOT NULL            -- JSON list of canonical names
);

CREATE TABLE people_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    dirty INTEGER NOT NULL,
    directory TEXT                      -- people file and its mtime used for the last rebuild
);
INSERT INTO people_state (id, dirty, directory) VALUES (1, 1, NULL);
