-- Themes: the fitted discovery models, every theme ever named, and per-topic assignments.
-- Assignments are a ledger: a topic keeps its themes while its text is unchanged, so a
-- refit on a grown archive never relabels months already reported.

CREATE TABLE theme_models (
    id INTEGER PRIMARY KEY,
    fitted_at TEXT NOT NULL,
    n_documents INTEGER NOT NULL,        -- topics in the archive when fitted
    params TEXT NOT NULL,                -- JSON: estimator parameters
    terms TEXT NOT NULL,                 -- JSON: vocabulary in column order
    top_terms TEXT NOT NULL,             -- JSON: per component, its most distinctive terms
    idf BLOB NOT NULL,                   -- numpy .npy float32
    components BLOB NOT NULL             -- numpy .npy float32, themes x terms
);

-- source: taxonomy (data/themes.toml) or discovered (a model component).
CREATE TABLE themes (
    id TEXT PRIMARY KEY,                 -- 'taxonomy:event-bus', 'd3'
    source TEXT NOT NULL CHECK (source IN ('taxonomy', 'discovered')),
    label TEXT NOT NULL,
    slug TEXT NOT NULL,
    terms TEXT NOT NULL DEFAULT '{}',    -- JSON {term: weight}: what a refit is matched on
    model_id INTEGER,                    -- latest model holding this theme (NULL: not in it)
    component INTEGER,                   -- its row in that model's components
    created_at TEXT NOT NULL
);

CREATE TABLE topic_themes (
    topic_id TEXT NOT NULL,              -- no foreign key: survives re-ingest of unchanged topics
    theme_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('taxonomy', 'discovered')),
    score REAL NOT NULL,
    PRIMARY KEY (topic_id, theme_id)
);
CREATE INDEX topic_themes_theme ON topic_themes(theme_id);

-- What each topic's assignments were computed from, to know when to redo them.
CREATE TABLE topic_theme_state (
    topic_id TEXT PRIMARY KEY,
    text_hash TEXT NOT NULL,             -- of title + notes
    taxonomy TEXT,                       -- fingerprint of the taxonomy used
    model_id INTEGER                     -- discovery model used
);

-- Bookkeeping: when assignments were last brought up to date (to skip the work when
-- nothing was ingested since and the taxonomy is unchanged).
CREATE TABLE theme_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
