"""The one definition of "share of indicator-periods achieved".

An indicator-period is one indicator line of the newest stored settlement version of a
contract x settlement period (`settlement_latest` joined with `settlement_line`, line_kind
'indicator'), of an indicator the contract's current terms still carry. It is *assessed*
when its status is not 'not-assessable', *achieved* when its status is 'achieved'; the
clients behind it are its n, counted for assessed periods only. A share is achieved /
assessed; it is undefined (not 0 %) when nothing was assessed.

Johto's theme and service shares, the strategy goals register and the procurement calendar
all read these counts through `achievement` and never restate the rule in SQL of their own.
"""

from collections.abc import Sequence

import duckdb
import polars as pl

KEYS = {
    "theme": "theme",
    "service": "service",
    "contract": "contract_id",
    "contract_id": "contract_id",
    "supplier": "supplier_name",
    "supplier_name": "supplier_name",
    "indicator": "indicator_id",
    "indicator_id": "indicator_id",
}
"""Grouping keys `achievement` accepts, mapped to the column of `indicator_periods_sql`."""


def indicator_periods_sql() -> str:
    """SQL of the relation with one row per contract x indicator x settlement period: year
    (of the period's first day), contract_id, service, supplier_name, indicator_id, theme,
    period, period_start, period_end, status, assessed and achieved (BOOLEAN), and n_clients
    (the line's n as an exact decimal, NULL when not assessed)."""
    return """
        SELECT year(s.period_start) AS year, s.contract_id, c.service, c.supplier_name,
               l.indicator_id, i.theme, s.period, s.period_start, s.period_end, l.status,
               l.status <> 'not-assessable' AS assessed,
               l.status = 'achieved' AS achieved,
               CASE WHEN l.status <> 'not-assessable' THEN CAST(l.n AS DECIMAL(38, 6)) END
                   AS n_clients
        FROM settlement_latest s
        JOIN settlement_line l ON l.settlement_id = s.settlement_id AND l.line_kind = 'indicator'
        JOIN indicator_current i ON i.contract_id = s.contract_id
                                AND i.indicator_id = l.indicator_id
        JOIN contract_current c ON c.contract_id = s.contract_id
    """


def grouped_sql(keys: Sequence[str]) -> str:
    """SQL of the counts per year and `keys` (see KEYS): assessed, achieved and clients (Σ n
    of the assessed indicator-periods, whole clients), ordered by year and the keys."""
    columns = [KEYS[key] for key in keys]
    select = "".join(f"{column}, " for column in columns)
    order = "".join(f", {column}" for column in columns)
    return f"""
        SELECT year, {select}
               count(*) FILTER (WHERE assessed) AS assessed,
               count(*) FILTER (WHERE achieved) AS achieved,
               coalesce(sum(n_clients), 0)::BIGINT AS clients
        FROM ({indicator_periods_sql()}) AS p
        GROUP BY ALL ORDER BY year{order}
    """


def achievement(con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> pl.DataFrame:
    """Indicator-periods assessed and achieved, and the clients behind them, per year and
    `keys` (e.g. ["theme"], ["service"], ["contract", "indicator"])."""
    frame: pl.DataFrame = con.sql(grouped_sql(keys)).pl()
    return frame
