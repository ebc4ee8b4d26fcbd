-- Contract terms, versioned: a changed file is a new version, an unchanged one is not stored.
CREATE TABLE contract_version (
    contract_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    digest VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    toml_text VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL,
    added_by VARCHAR,
    title VARCHAR NOT NULL,
    service VARCHAR NOT NULL,
    buyer VARCHAR NOT NULL,
    supplier_name VARCHAR NOT NULL,
    supplier_business_id VARCHAR NOT NULL,
    framework VARCHAR,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    period_kind VARCHAR NOT NULL,
    period_value DECIMAL(18, 2) NOT NULL,
    PRIMARY KEY (contract_id, version)
);

CREATE TABLE indicator_version (
    contract_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    indicator_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    name_fi VARCHAR NOT NULL,
    name_sv VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    theme VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    aggregate VARCHAR NOT NULL,
    per DECIMAL(18, 6) NOT NULL,
    min_n BIGINT NOT NULL,
    missing VARCHAR NOT NULL,
    weight DECIMAL(18, 6) NOT NULL,
    bonus_scale VARCHAR,
    sanction_kind VARCHAR,
    PRIMARY KEY (contract_id, version, indicator_id)
);

CREATE VIEW contract_current AS
SELECT * FROM contract_version
QUALIFY row_number() OVER (PARTITION BY contract_id ORDER BY version DESC) = 1;

CREATE VIEW indicator_current AS
SELECT i.* FROM indicator_version AS i
JOIN contract_current AS c USING (contract_id, version);

-- One row per accepted supplier file.
CREATE TABLE delivery (
    delivery_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL UNIQUE,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR,
    row_count BIGINT NOT NULL,
    shape VARCHAR NOT NULL,          -- indicator-report | record-level
    file_format VARCHAR NOT NULL,    -- csv | xlsx | parquet
    encoding VARCHAR,
    delimiter VARCHAR
);

-- Every accepted row, as delivered (numbers exact, periods normalised).
CREATE TABLE observation (
    delivery_id INTEGER NOT NULL,
    source_row BIGINT NOT NULL,       -- the row number as Excel shows it (header = 1)
    contract_id VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,          -- 2025-03, or a settlement period name such as 2025-Q1
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value DECIMAL(18, 6),
    n BIGINT,
    numerator DECIMAL(18, 6),
    denominator DECIMAL(18, 6),
    excluded DECIMAL(18, 6),
    client VARCHAR,
    note VARCHAR                      -- the supplier's free-text remark on the row, if any
);

-- What each delivery covers: one row per contract x indicator x period it delivered.
CREATE TABLE delivery_scope (
    delivery_id INTEGER NOT NULL,
    contract_id VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    row_count BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, contract_id, indicator_id, period)
);

-- The newest delivery of each contract x indicator x period wins; older ones stay queryable.
CREATE VIEW scope_current AS
SELECT * FROM delivery_scope
QUALIFY row_number() OVER (
    PARTITION BY contract_id, indicator_id, period ORDER BY delivery_id DESC
) = 1;

CREATE VIEW observation_current AS
SELECT o.* FROM observation AS o
JOIN scope_current AS s USING (delivery_id, contract_id, indicator_id, period);
