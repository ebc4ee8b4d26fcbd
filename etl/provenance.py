"""Where a settlement's numbers come from: which delivery of each contract x indicator x
delivered period a settlement version read, and which later delivery superseded a row. One
definition, used by the settlement exports (etl.export) and the Maksut drill-down
(dashboard.data): SQL common table expressions to put after a `WITH chosen AS (...)` that
selects settlements (settlement_id, contract_id, period_start, period_end)."""

USED = """
    used AS (
        SELECT c.settlement_id, ds.contract_id, ds.indicator_id, ds.period,
               max(ds.delivery_id) AS delivery_id
        FROM chosen c
        JOIN settlement_delivery sd ON sd.settlement_id = c.settlement_id
        JOIN delivery_scope ds ON ds.delivery_id = sd.delivery_id
                              AND ds.contract_id = c.contract_id
                              AND ds.period_start BETWEEN c.period_start AND c.period_end
        GROUP BY ALL
    )
"""
"""`used`: per chosen settlement and contract x indicator x delivered period, the delivery the
version read: of the deliveries it used (settlement_delivery), the newest that covers the
key. When the version was settled that delivery was the key's current one (scope_current),
so this is what the version read even after a later delivery superseded it."""

SUCCESSION = """
    succession AS (
        SELECT delivery_id, contract_id, indicator_id, period,
               lead(delivery_id) OVER (PARTITION BY contract_id, indicator_id, period
                                       ORDER BY delivery_id) AS superseded_by
        FROM delivery_scope
        WHERE contract_id IN (SELECT contract_id FROM chosen)
    )
"""
"""`succession`: for each delivery of a contract x indicator x period of the chosen
settlements' contracts, the next delivery of the same key, which superseded its rows (null
for the key's current delivery)."""
