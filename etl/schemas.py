"""Pandera schemas for the tables that cross a boundary.

`delivery_schema` checks one batch of a supplier file, after its cells have been parsed
(`etl.cells`) and joined to the contract terms: every rule of CONTRACT-FORMAT.md §7 and
DOMAIN.md is one named row check that says which column it is about and why a row fails.
Validation is lazy, so every failure of every row is collected, never just the first.

`rules_hold` folds the same checks into one expression: the loader evaluates it in the pass
that parses a batch, and hands only the rows where it is false to the schema, which says
which rule each of them breaks. A good batch costs one columnar pass, not one per rule;
pandera (and the pandas it imports) is loaded only when a file has a bad row.

`observation_schema` is the shape of what is written to the `observation` table.
"""

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import polars as pl

from contracts.data_rules import (
    COUNT_FIELDS,
    COUNT_VALUE_AGGREGATES,
    MAX_DECIMALS,
    MAX_INTEGER_DIGITS,
)
from contracts.messages import Message, message
from etl.cells import DECIMAL_TYPE

if TYPE_CHECKING:
    import pandera.polars as pa

TEXT_COLUMNS = (
    "contract", "indicator", "period", "value", "n", "numerator", "denominator", "excluded",
    "client", "note",
)  # fmt: skip
NUMBER_COLUMNS = ("value", "numerator", "denominator", "excluded")
COUNT_COLUMNS = COUNT_FIELDS
HETU_CHECK = "hetu"
_TOO_MANY_DECIMALS = message("loader.too_many_decimals", decimals=MAX_DECIMALS)
_TOO_LARGE = message("loader.too_large", digits=MAX_INTEGER_DIGITS)


@dataclass(frozen=True)
class RowRule:
    """One rule a delivery row must satisfy: `holds` is true for every good row."""

    key: str
    column: str
    reason: Message
    holds: pl.Expr


def _c(name: str) -> pl.Expr:
    return pl.col(name)


def _given(name: str) -> pl.Expr:
    return _c(name).is_not_null()


def _absent(name: str) -> pl.Expr:
    return _c(name).is_null()


def _aggregate_is(*names: str) -> pl.Expr:
    return _c("aggregate").is_in(list(names)).fill_null(False)


def _required_rules() -> list[RowRule]:
    return [
        RowRule(
            "contract-required", "contract", message("loader.contract_empty"), _given("contract")
        ),
        RowRule(
            "indicator-required",
            "indicator",
            message("loader.indicator_empty"),
            _given("indicator"),
        ),
        RowRule("period-required", "period", message("loader.period_empty"), _given("period")),
    ]


def _reference_rules() -> list[RowRule]:
    contract_known = _given("c_start")
    return [
        RowRule(
            "contract-known", "contract", message("loader.contract_unknown"),
            _absent("contract") | contract_known,
        ),
        RowRule(
            "indicator-known", "indicator", message("loader.indicator_unknown"),
            _absent("indicator") | ~contract_known | _given("aggregate"),
        ),
        RowRule(
            "period-readable", "period",
            message("loader.period_unreadable"),
            _absent("period") | _given("period_name"),
        ),
        RowRule(
            "period-in-contract", "period", message("loader.period_outside"),
            _absent("period_start") | ~contract_known
            | ((_c("period_end") >= _c("c_start")) & (_c("period_start") <= _c("c_end"))),
        ),
        RowRule(
            "period-kind", "period",
            message("loader.period_kind"),
            _absent("period_kind") | ~contract_known
            | (_c("period_kind") == "month") | (_c("period_kind") == _c("c_period")),
        ),
    ]  # fmt: skip


def _number_rules() -> list[RowRule]:
    rules = []
    for name in NUMBER_COLUMNS:
        rules.append(
            RowRule(
                f"{name}-number", name, message("loader.not_a_number"),
                _absent(name) | _c(f"{name}_is_number"),
            )
        )  # fmt: skip
        rules.append(
            RowRule(
                f"{name}-decimals", name, _TOO_MANY_DECIMALS,
                _absent(name) | ~_c(f"{name}_is_number") | _c(f"{name}_few_decimals"),
            )
        )  # fmt: skip
        rules.append(
            RowRule(
                f"{name}-range", name, _TOO_LARGE,
                _absent(name) | ~_c(f"{name}_is_number") | ~_c(f"{name}_few_decimals")
                | _given(f"{name}_d"),
            )
        )  # fmt: skip
    for name in COUNT_COLUMNS:
        rules.append(
            RowRule(
                f"{name}-negative", name, message("loader.negative_count"),
                _absent(f"{name}_d") | (_c(f"{name}_d") >= 0),
            )
        )  # fmt: skip
    rules += [
        RowRule(
            "n-number", "n", message("loader.n_not_a_number"), _absent("n") | _c("n_is_number")
        ),
        RowRule(
            "n-negative", "n", message("loader.negative_count"),
            _absent("n") | ~_c("n_is_number") | ~_c("n").str.strip_chars().str.starts_with("-")
            & ~_c("n").str.strip_chars().str.starts_with("\u2212"),
        ),
        RowRule(
            "n-whole", "n", message("loader.n_not_whole"),
            _absent("n") | ~_c("n_is_number") | _c("n").str.strip_chars().str.starts_with("-")
            | _c("n").str.strip_chars().str.starts_with("\u2212") | _given("n_i"),
        ),
    ]  # fmt: skip
    return rules


def _aggregate_rules() -> list[RowRule]:
    ratio = _aggregate_is("ratio")
    valued = _aggregate_is("mean", "sum", "last")
    rules = [
        RowRule(
            "ratio-no-value", "value",
            message("loader.ratio_no_value"),
            ~ratio | _absent("value"),
        ),
        RowRule(
            "ratio-numerator", "numerator", message("loader.ratio_needs_numerator"),
            ~ratio | _given("numerator"),
        ),
        RowRule(
            "ratio-denominator", "denominator", message("loader.ratio_needs_denominator"),
            ~ratio | _given("denominator"),
        ),
        RowRule(
            "value-required", "value", message("loader.value_required"),
            ~valued | _given("value"),
        ),
        RowRule(
            "sum-no-n", "n", message("loader.sum_no_n"),
            ~_aggregate_is("sum") | _absent("n"),
        ),
        RowRule(
            "sum-negative", "value", message("loader.negative_sum"),
            ~_aggregate_is(*COUNT_VALUE_AGGREGATES) | _absent("value_d") | (_c("value_d") >= 0),
        ),
        RowRule(
            "record-n", "n", message("loader.record_n"),
            _absent("client") | _absent("n_i") | (_c("n_i") == 1),
        ),
        RowRule(
            "numerator-le-denominator", "numerator", message("loader.numerator_gt_denominator"),
            _absent("numerator_d") | _absent("denominator_d")
            | (_c("numerator_d") <= _c("denominator_d")),
        ),
        RowRule(
            "excluded-le-denominator", "excluded", message("loader.excluded_gt_denominator"),
            _absent("excluded_d") | _absent("denominator_d")
            | (_c("excluded_d") <= _c("denominator_d")),
        ),
        RowRule(
            "numerator-le-effective", "numerator",
            message("loader.numerator_gt_effective"),
            _absent("numerator_d") | _absent("denominator_d") | _absent("excluded_d")
            | (_c("excluded_d") > _c("denominator_d"))
            | (_c("numerator_d") <= _c("denominator_d") - _c("excluded_d")),
        ),
    ]  # fmt: skip
    for name in ("numerator", "denominator", "excluded"):
        rules.append(
            RowRule(
                f"valued-no-{name}", name,
                message("loader.value_not_counts"),
                ~valued | _absent(name),
            )
        )  # fmt: skip
    return rules


def hetu_rules(text_columns: list[str]) -> list[RowRule]:
    """Any cell, in any column, that looks like a henkilötunnus refuses the file (the flag
    `hetu_<column>` is `etl.personal_data.looks_like_hetu` of the cell)."""
    return [
        RowRule(
            f"{HETU_CHECK}:{name}", name,
            message("loader.hetu_cell"),
            ~_c(f"hetu_{name}"),
        )
        for name in text_columns
    ]  # fmt: skip


def row_rules(text_columns: list[str]) -> list[RowRule]:
    """Every row rule for a batch with the given text columns."""
    return [
        *_required_rules(),
        *_reference_rules(),
        *_number_rules(),
        *_aggregate_rules(),
        *hetu_rules(text_columns),
    ]


def _held(rule: RowRule) -> pl.Expr:
    """The rule's check: true for a good row (a rule that cannot be decided holds)."""
    return rule.holds.fill_null(True)


def rules_hold(rules: list[RowRule]) -> pl.Expr:
    """True for a row that passes every check of `delivery_schema(rules)`."""
    return pl.all_horizontal([_held(rule) for rule in rules])


def _as_check(rule: RowRule) -> "pa.Check":
    import pandera.polars as pa
    from pandera.api.polars.types import PolarsData

    expression = _held(rule).alias(rule.key)

    def check(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(expression)

    return pa.Check(check, name=rule.key, error=rule.key)


def delivery_schema(rules: list[RowRule]) -> "pa.DataFrameSchema":
    """The schema of a parsed delivery batch; each rule is one named pandera check."""
    import pandera.polars as pa

    text = {name: pa.Column(pl.String, nullable=True, required=False) for name in TEXT_COLUMNS}
    return pa.DataFrameSchema(
        columns={"row": pa.Column(pl.Int64, nullable=False), **text},
        checks=[_as_check(rule) for rule in rules],
        name="delivery",
    )


OBSERVATION_COLUMNS: dict[str, pl.DataType] = {
    "delivery_id": pl.Int32(),
    "source_row": pl.Int64(),
    "contract_id": pl.String(),
    "indicator_id": pl.String(),
    "period": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "value": DECIMAL_TYPE,
    "n": pl.Int64(),
    "numerator": DECIMAL_TYPE,
    "denominator": DECIMAL_TYPE,
    "excluded": DECIMAL_TYPE,
    "client": pl.String(),
    "note": pl.String(),
}

_NOT_NULL = {
    "delivery_id", "source_row", "contract_id", "indicator_id", "period", "period_start",
    "period_end",
}  # fmt: skip


@cache
def observation_schema() -> "pa.DataFrameSchema":
    """The observation table's columns, in order, their types and which may be empty."""
    import pandera.polars as pa

    return pa.DataFrameSchema(
        columns={
            name: pa.Column(dtype, nullable=name not in _NOT_NULL)
            for name, dtype in OBSERVATION_COLUMNS.items()
        },
        strict=True,
        ordered=True,
        name="observation",
    )
