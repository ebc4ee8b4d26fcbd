-- Additive sums of each delivery's rows per contract x indicator x period, written in the same
-- transaction as the rows. The dashboard reads monthly and yearly values from these (thousands
-- of rows) instead of grouping the observation rows (millions); any aggregate of format 1
-- (ratio, sum, mean weighted by n, last) is a function of these sums.
CREATE TABLE scope_tally (
    delivery_id INTEGER NOT NULL,
    contract_id VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    rows BIGINT NOT NULL,                 -- observation rows
    value_sum DECIMAL(38, 6),             -- sum(value)
    weighted_sum DECIMAL(38, 6),          -- sum(value * coalesce(n, 1)) over rows with a value
    weight_sum BIGINT,                    -- sum(coalesce(n, 1)) over rows with a value
    numerator_sum DECIMAL(38, 6),
    denominator_sum DECIMAL(38, 6),
    excluded_sum DECIMAL(38, 6),
    PRIMARY KEY (delivery_id, contract_id, indicator_id, period)
);

INSERT INTO scope_tally
SELECT delivery_id, contract_id, indicator_id, period, min(period_start), count(*),
       sum(value), sum(value * coalesce(n, 1)), sum(coalesce(n, 1)) FILTER (WHERE value IS NOT NULL),
       sum(numerator), sum(denominator), sum(excluded)
FROM observation
GROUP BY delivery_id, contract_id, indicator_id, period;

CREATE VIEW tally_current AS
SELECT t.* FROM scope_tally AS t
JOIN scope_current AS s USING (delivery_id, contract_id, indicator_id, period);
