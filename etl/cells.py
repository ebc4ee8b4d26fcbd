"""Cell text -> typed values, vectorised: numbers in Finnish and English notation, periods.

Nothing is coerced: text that is not exactly a number gives null here, and the schema's
checks turn every such null (where the text was not empty) into a reported problem.
"""

from datetime import date

import polars as pl

from contracts.data_rules import MAX_DECIMALS, MAX_INTEGER_DIGITS
from contracts.periods import parse_delivery_period

DECIMALS = MAX_DECIMALS
DECIMAL_TYPE = pl.Decimal(MAX_INTEGER_DIGITS + DECIMALS, DECIMALS)
"""Holds exactly the numbers a delivery may have: below 10^MAX_INTEGER_DIGITS, with at most
MAX_DECIMALS decimals; a cast of a larger number to it gives null."""
# An optional sign (also the Unicode minus Excel may write), digits with optional groups of
# three separated by a space or no-break space, and a decimal comma or point.
_NUMBER = r"^[+\-\u2212]?(?:[0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)(?:[.,][0-9]+)?$"
_FEW_DECIMALS = rf"^[^.,]*(?:[.,][0-9]{{1,{MAX_DECIMALS}}})?$"
_WHOLE = r"^[+]?(?:[0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)$"


def is_number_text(column: pl.Expr) -> pl.Expr:
    return column.str.strip_chars().str.contains(_NUMBER)


def has_few_decimals(column: pl.Expr) -> pl.Expr:
    return column.str.strip_chars().str.contains(_FEW_DECIMALS)


def is_whole_text(column: pl.Expr) -> pl.Expr:
    return column.str.strip_chars().str.contains(_WHOLE)


def _normalised(column: pl.Expr) -> pl.Expr:
    return (
        column.str.strip_chars()
        .str.replace_all(r"[ \u00a0\u202f]", "")
        .str.replace(",", ".", literal=True)
        .str.replace("\u2212", "-", literal=True)
    )


def decimal_value(column: pl.Expr, is_number: pl.Expr, few_decimals: pl.Expr) -> pl.Expr:
    """The exact decimal a cell holds, or null if it is empty, not a number, has more than
    six decimals or is too large to store. `is_number` and `few_decimals` are the results of
    `is_number_text` and `has_few_decimals` on the same column."""
    valid = is_number & few_decimals
    return pl.when(valid).then(_normalised(column)).cast(DECIMAL_TYPE, strict=False)


def whole_value(column: pl.Expr) -> pl.Expr:
    """A whole non-negative number (a count), or null."""
    parsed = _normalised(column).cast(pl.Int64, strict=False)
    return pl.when(is_whole_text(column)).then(parsed).otherwise(None)


def period_table(texts: pl.Series) -> pl.DataFrame:
    """Parse each distinct period text once: text -> name, kind, first and last day."""
    rows: list[tuple[str, str | None, str | None, date | None, date | None]] = []
    for text in texts.drop_nulls().unique().to_list():
        period = parse_delivery_period(text)
        if period is None:
            rows.append((text, None, None, None, None))
        else:
            rows.append((text, period.name, period.kind, period.first_day, period.last_day))
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "period_name": pl.String,
            "period_kind": pl.String,
            "period_start": pl.Date,
            "period_end": pl.Date,
        },
        orient="row",
    )
