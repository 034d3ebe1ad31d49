-- Notes are written file by file in source order, so a file's notes and a topic's notes each
-- hold a run of consecutive note ids. Files and topics record that run (NULL when empty) and
-- reads go through it (`n.id BETWEEN first AND last AND n.topic_id = t.id`: the range bounds,
-- the key decides). That replaces the index on notes(topic_id): its random 12-character keys
-- were the largest single cost of ingesting a large archive.
ALTER TABLE files ADD COLUMN notes_first INTEGER;
ALTER TABLE files ADD COLUMN notes_last INTEGER;
ALTER TABLE topics ADD COLUMN notes_first INTEGER;
ALTER TABLE topics ADD COLUMN notes_last INTEGER;

UPDATE files SET notes_first = r.lo, notes_last = r.hi
FROM (SELECT file_id, min(id) AS lo, max(id) AS hi FROM notes GROUP BY file_id) AS r
WHERE r.file_id = files.id;

UPDATE topics SET notes_first = r.lo, notes_last = r.hi
FROM (SELECT topic_id, min(id) AS lo, max(id) AS hi FROM notes WHERE topic_id IS NOT NULL GROUP BY topic_id) AS r
WHERE r.topic_id = topics.id;

-- Databases made before the partial indexes had full ones on file and meeting: one shape for all.
DROP INDEX IF EXISTS notes_topic;
DROP INDEX IF EXISTS notes_loose_file;
DROP INDEX IF EXISTS notes_file;
DROP INDEX IF EXISTS notes_meeting;
CREATE INDEX IF NOT EXISTS notes_loose_meeting ON notes(meeting_id) WHERE topic_id IS NULL;
