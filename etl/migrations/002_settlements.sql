-- Settlements: one version per contract x period each time its result changes.
-- A version is `draft` until approved; an approved version is never changed again. When its
-- inputs change, the next settle writes a `correction` version against it.
CREATE TABLE settlement (
    settlement_id INTEGER PRIMARY KEY,
    contract_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    version INTEGER NOT NULL,
    kind VARCHAR NOT NULL,              -- original | correction
    status VARCHAR NOT NULL,            -- draft | approved | replaced (a draft settled again)
    terms_version INTEGER NOT NULL,
    digest VARCHAR NOT NULL,            -- SHA-256 of terms version, deliveries and result
    period_value DECIMAL(18, 2) NOT NULL,   -- prorated contract value of the period
    share VARCHAR NOT NULL,             -- exact share of the period the contract covers
    bonus_total DECIMAL(18, 2) NOT NULL,
    sanction_total DECIMAL(18, 2) NOT NULL,
    net DECIMAL(18, 2) NOT NULL,
    gate_failed VARCHAR,                -- gate indicators that failed, comma-separated
    corrects INTEGER,                   -- settlement_id of the approved version corrected
    net_difference DECIMAL(18, 2),      -- net minus the corrected version's net
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR,
    approved_at TIMESTAMP,
    approved_by VARCHAR,
    UNIQUE (contract_id, period, version)
);

-- Every line of a settlement: one per indicator, then the adjustments (gates, caps).
-- Exact numbers are kept as text so that nothing is lost; rounded money as DECIMAL.
CREATE TABLE settlement_line (
    settlement_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    line_kind VARCHAR NOT NULL,         -- indicator | adjustment
    indicator_id VARCHAR,
    status VARCHAR,
    value VARCHAR,
    n VARCHAR,
    min_n INTEGER,
    level_from DATE,
    minimum VARCHAR,
    threshold VARCHAR,
    target VARCHAR,
    direction VARCHAR,
    aggregate VARCHAR,
    weight VARCHAR,
    scale VARCHAR,
    fraction VARCHAR,
    baseline VARCHAR,
    money VARCHAR,                      -- money at full achievement
    bonus_exact VARCHAR,
    bonus_before_gate DECIMAL(18, 2),
    bonus DECIMAL(18, 2),
    sanction_exact VARCHAR,
    sanction DECIMAL(18, 2),
    adjustment_kind VARCHAR,            -- gate | bonus-cap | sanction-cap | annual-... | pool-cap
    side VARCHAR,                       -- bonus | sanction
    amount DECIMAL(18, 2),
    counted BOOLEAN,
    rule VARCHAR,
    explanation VARCHAR,
    bonus_difference DECIMAL(18, 2),    -- against the corrected approved version
    sanction_difference DECIMAL(18, 2),
    amount_difference DECIMAL(18, 2),
    PRIMARY KEY (settlement_id, line_no)
);

-- The deliveries whose rows a settlement used.
CREATE TABLE settlement_delivery (
    settlement_id INTEGER NOT NULL,
    delivery_id INTEGER NOT NULL,
    PRIMARY KEY (settlement_id, delivery_id)
);

CREATE VIEW settlement_latest AS
SELECT * FROM settlement
QUALIFY row_number() OVER (PARTITION BY contract_id, period ORDER BY version DESC) = 1;

-- Annual priority order of each framework, one row per contract each time it is computed.
CREATE TABLE priority_order (
    framework VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    position INTEGER NOT NULL,
    contract_id VARCHAR NOT NULL,
    supplier_name VARCHAR NOT NULL,
    score VARCHAR,                      -- exact; NULL when nothing was assessable
    assessed INTEGER NOT NULL,          -- indicator-periods that counted
    previous_position INTEGER,
    movement INTEGER,                   -- previous position minus position (up is positive)
    PRIMARY KEY (framework, year, computed_at, contract_id)
);
