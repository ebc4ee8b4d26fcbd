-- Procurement strategies (docs/strategy.md), versioned like contract terms: a changed file is
-- a new version, an unchanged one (the same digest as the newest version) stores nothing.
-- The file's text is kept whole: statuses are computed from it as contracts.strategy reads it.
CREATE TABLE strategy_version (
    strategy_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    digest VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    toml_text VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL,
    added_by VARCHAR,
    name_fi VARCHAR NOT NULL,
    name_sv VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    PRIMARY KEY (strategy_id, version)
);

-- One row per goal of each version, for queries; links and manual values stay in toml_text.
CREATE TABLE strategy_goal (
    strategy_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    goal_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    theme VARCHAR NOT NULL,
    title_fi VARCHAR NOT NULL,
    title_sv VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL,
    owner VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    due_date DATE NOT NULL,
    kind VARCHAR NOT NULL,              -- indicators | manual
    target VARCHAR NOT NULL,            -- exact: target_share (0..1) or the manual target
    PRIMARY KEY (strategy_id, version, goal_id)
);

CREATE VIEW strategy_current AS
SELECT * FROM strategy_version
QUALIFY row_number() OVER (PARTITION BY strategy_id ORDER BY version DESC) = 1;
