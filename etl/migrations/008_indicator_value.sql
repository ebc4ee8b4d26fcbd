-- The values of every indicator as the engine computes them (contracts.values), stored by
-- settle for the dashboard, so that a value has one definition: one row per contract x
-- indicator x delivered observation period ('observed', a month or what the file delivered)
-- and per calendar year ('year', the value over the year's observation periods by the
-- indicator's aggregate). value and n are text like the settlement lines' (exact when the
-- decimal ends within 12 decimals, else rounded half-up to 12); NULL value: no data to
-- compute one from. Settle replaces a contract's rows of a year whenever it computes that year.
CREATE TABLE indicator_value (
    contract_id VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    grain VARCHAR NOT NULL CHECK (grain IN ('observed', 'year')),
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value VARCHAR,
    n VARCHAR NOT NULL,
    min_n INTEGER NOT NULL,
    assessable BOOLEAN NOT NULL,
    terms_version INTEGER NOT NULL,
    PRIMARY KEY (contract_id, indicator_id, grain, period)
);

-- What a settlement of a contract's period was computed from: a digest of the engine's code,
-- the terms version and the contract's tallies, client outcomes and deliveries of the period's
-- calendar year and the year before. Settle skips a contract's year whose every wanted period
-- has the digest its inputs have now (nothing it reads has changed).
CREATE TABLE settle_input (
    contract_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    digest VARCHAR NOT NULL,
    settled_at TIMESTAMP NOT NULL,
    PRIMARY KEY (contract_id, period)
);

-- The last day of each delivered period, written by the load (contracts.periods), so that
-- no reader works out a period's length from its name. Older rows get it from their name here,
-- once: YYYY-MM a month, YYYY-Qn three months, YYYY-Hn six, YYYY a year.
ALTER TABLE delivery_scope ADD COLUMN period_end DATE;
UPDATE delivery_scope SET period_end = (period_start + to_months(
    CASE WHEN period LIKE '%Q%' THEN 3 WHEN period LIKE '%H%' THEN 6
         WHEN length(period) = 4 THEN 12 ELSE 1 END) - INTERVAL 1 DAY)::DATE;
