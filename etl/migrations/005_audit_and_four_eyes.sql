-- Every action that changes or exports something, append-only: who (the signed-in identity,
-- or the command line's operating-system user and --by), when (UTC), what, from where and
-- the outcome. Rows are only ever inserted (etl/audit.py); each row carries the hash of the
-- row before it, so a row changed or removed outside the product breaks the chain, which
-- `vaikuttavuus audit --verify` reports.
CREATE TABLE audit_event (
    event_id BIGINT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,     -- UTC
    actor_id VARCHAR NOT NULL,          -- issuer|subject of the ID token, or cli:<os user>:<--by>
    actor_name VARCHAR NOT NULL,
    actor_email VARCHAR,
    actor_roles VARCHAR NOT NULL,       -- the roles held at the time, comma-separated
    channel VARCHAR NOT NULL,           -- browser | cli
    session_id VARCHAR,                 -- browser session, or the command's process
    action VARCHAR NOT NULL,            -- sign-in | load | contract-add | settle | prepare | ...
    outcome VARCHAR NOT NULL,           -- done | unchanged | rejected | refused
    contract_id VARCHAR,
    period VARCHAR,
    settlement_id INTEGER,
    version INTEGER,
    delivery_id INTEGER,
    file_digest VARCHAR,
    detail VARCHAR,                     -- JSON: file name, reason, comment, counts
    previous_hash VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL
);

-- Four-eyes approval: a draft is prepared (checked) by one finance user and approved by
-- another; a rejection sends it back to draft with its reason.
ALTER TABLE settlement ADD COLUMN prepared_at TIMESTAMP;
ALTER TABLE settlement ADD COLUMN prepared_by VARCHAR;
ALTER TABLE settlement ADD COLUMN prepared_by_id VARCHAR;
ALTER TABLE settlement ADD COLUMN approved_by_id VARCHAR;
ALTER TABLE settlement ADD COLUMN approval_comment VARCHAR;
ALTER TABLE settlement ADD COLUMN rejected_at TIMESTAMP;
ALTER TABLE settlement ADD COLUMN rejected_by VARCHAR;
ALTER TABLE settlement ADD COLUMN rejection_reason VARCHAR;
