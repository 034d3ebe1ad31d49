-- Jira push ledger: which action item (by fingerprint) became which Jira issue.
-- Keyed by fingerprint and never cascaded, so it survives re-ingesting the notes.
-- state 'creating' is written just before the create request and replaced by 'created'
-- once Jira answered with a key: a row left in 'creating' means "outcome unknown", and the
-- next push searches Jira for the fingerprint label before doing anything else with it.
CREATE TABLE jira_issues (
    fingerprint TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('creating', 'created')),
    issue_key TEXT,                      -- NULL only while creating
    issue_id TEXT,
    project TEXT NOT NULL,
    how TEXT NOT NULL DEFAULT 'created' CHECK (how IN ('created', 'found')),  -- found: adopted by label search
    link_done INTEGER NOT NULL DEFAULT 0,      -- remote link back to the notes added
    assignee_state TEXT NOT NULL DEFAULT 'pending'
        CHECK (assignee_state IN ('pending', 'assigned', 'commented', 'none')),
    assignee TEXT,                       -- the Jira account id or username we set, when set
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    jira_status TEXT,                    -- last status name seen by `insights jira sync`
    jira_status_category TEXT,           -- new | indeterminate | done
    jira_resolution TEXT,
    last_synced_at TEXT
);
CREATE UNIQUE INDEX jira_issues_key ON jira_issues(issue_key) WHERE issue_key IS NOT NULL;
