-- Action items found in the notes (derived: replaced whenever their file is ingested again).
CREATE TABLE action_items (
    id TEXT PRIMARY KEY,                 -- equals fingerprint unless two items share one in a file
    fingerprint TEXT NOT NULL,           -- normalised text + meeting date + source
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    meeting_id TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    topic_id TEXT REFERENCES topics(id) ON DELETE CASCADE,
    meeting_date TEXT NOT NULL,
    text TEXT NOT NULL,
    owner_text TEXT,                     -- owner as written
    owner TEXT,                          -- canonical person or team, when resolved
    due TEXT,
    source_status TEXT NOT NULL DEFAULT 'open' CHECK (source_status IN ('open', 'in progress', 'done', 'dropped')),
    rule TEXT NOT NULL,
    confidence REAL NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL
);
CREATE INDEX action_items_fingerprint ON action_items(fingerprint);
CREATE INDEX action_items_file ON action_items(file_id);
CREATE INDEX action_items_meeting ON action_items(meeting_id);

-- Status decided outside the item's own line: a later meeting, Jira, or by hand.
-- Keyed by fingerprint and never cascaded, so it survives re-ingesting the notes.
CREATE TABLE action_status (
    fingerprint TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('open', 'in progress', 'done', 'dropped')),
    how TEXT NOT NULL CHECK (how IN ('meeting', 'jira', 'manual')),
    evidence_source TEXT,
    evidence_line INTEGER,
    note TEXT,
    updated_at TEXT NOT NULL
);

CREATE VIEW action_items_view AS
SELECT a.id, a.fingerprint, a.text, a.owner, a.owner_text, a.due,
       COALESCE(s.status, a.source_status) AS status, a.source_status,
       s.how AS resolved_how, s.evidence_source, s.evidence_line, s.note AS resolution_note,
       a.meeting_date, a.meeting_id, m.title AS meeting_title, a.topic_id, t.title AS topic_title,
       a.source, a.line, a.rule, a.confidence
FROM action_items a
JOIN meetings m ON m.id = a.meeting_id
LEFT JOIN topics t ON t.id = a.topic_id
LEFT JOIN action_status s ON s.fingerprint = a.fingerprint;
