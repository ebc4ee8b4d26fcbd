"""Maksut's line table and a line's facts, as tables for people: pure (stored rows in, polars
frames of text out), no Streamlit. Every amount is one the engine stored on the settlement
line; a step only puts it where it acts on the net (a bonus before gates, a sanction before
its per-unit cap, a gate or cap of either side)."""

from decimal import Decimal
from typing import Any

import polars as pl

from dashboard import i18n
from etl import messages, settle

Row = dict[str, Any]


def with_cap_steps(lines: list[Row]) -> list[Row]:
    """The lines, each per-unit sanction its cap took down followed by the cap as a step."""
    out = []
    for row in lines:
        out.append(row)
        if row.get("sanction_before_cap") is not None:
            out.append({**dict.fromkeys(row), "capped": True, "line_no": row["line_no"],
                        "indicator_id": row["indicator_id"], "sanction": row["sanction"],
                        "sanction_before_cap": row["sanction_before_cap"]})  # fmt: skip
    return out


def step_name(row: Row, names: dict[str, str], lang: str) -> str:
    """The indicator's name, a per-unit cap of it, or a gate or cap in words."""
    name = names.get(row["indicator_id"]) or row["indicator_id"] or ""
    if row.get("capped"):
        return i18n.t("wf.per_unit_cap", lang, indicator=name)
    if row["adjustment_kind"]:
        return i18n.adjustment_name(row["adjustment_kind"], lang).capitalize()
    return str(name)


def step_bonus(row: Row) -> object:
    """The line's bonus before gates and caps, or a bonus-side gate or cap."""
    if row.get("capped"):
        return None
    if row["adjustment_kind"]:
        return row["amount"] if row["side"] == "bonus" else None
    return row["bonus_before_gate"] if row["line_kind"] == "indicator" else row["bonus"]


def step_sanction(row: Row) -> object:
    """The line's sanction before a per-unit cap, the cap's reduction, or a sanction-side
    cap (all as the engine stored them)."""
    if row.get("capped"):
        return row["sanction"] - row["sanction_before_cap"]
    if row["adjustment_kind"]:
        return row["amount"] if row["side"] == "sanction" else None
    before_cap = row.get("sanction_before_cap")
    return row["sanction"] if before_cap is None else before_cap


def step_table(
    lines: list[Row],
    step_net: dict[tuple[int, bool], Decimal],
    names: dict[str, str],
    lang: str,
    *,
    correction: bool,
) -> pl.DataFrame:
    """One row a step, amounts first (bonus, sanction, the step's net from the waterfall's
    steps `step_net`, keyed by line and whether it is the line's per-unit cap), then status,
    value and n; a correction's differences against the corrected version at the end."""
    shown = with_cap_steps(lines)

    def euros(value: object) -> str:
        return i18n.euros(value, lang) if value is not None else ""

    def num(value: object, places: int = 4) -> str:
        return i18n.short_number(value, lang, places) if value is not None else ""

    table = {
        i18n.t("maksut.col.step", lang): [step_name(r, names, lang) for r in shown],
        i18n.t("col.bonus", lang): [euros(step_bonus(r)) for r in shown],
        i18n.t("col.sanction", lang): [euros(step_sanction(r)) for r in shown],
        i18n.t("col.net", lang): [
            euros(step_net.get((r["line_no"], bool(r.get("capped"))), Decimal("0.00")))
            for r in shown
        ],
        i18n.t("col.status", lang): [
            i18n.status_word(r["status"], lang)
            or (i18n.t("state.replaced", lang) if r["line_kind"] == "removed" else "")
            for r in shown
        ],
        i18n.t("col.value", lang): [num(r["value"]) for r in shown],
        i18n.t("col.n", lang): [num(r["n"], 0) for r in shown],
    }
    if correction:
        table[i18n.t("col.bonus_difference", lang)] = [
            euros(r["amount_difference"] if r["side"] == "bonus" else r["bonus_difference"])
            for r in shown
        ]
        table[i18n.t("col.sanction_difference", lang)] = [
            euros(r["amount_difference"] if r["side"] == "sanction" else r["sanction_difference"])
            for r in shown
        ]
    return pl.DataFrame(table)


def facts(row: Row, lang: str) -> pl.DataFrame:
    """What the engine stored on an indicator line, one item a row (empty items left out)."""

    def euros(value: object) -> str:
        return i18n.euros(value, lang) if value is not None else ""

    def num(value: object, places: int = 4) -> str:
        return i18n.short_number(value, lang, places)

    aggregate = f"maksut.aggregate.{row['aggregate']}"
    items = [
        ("col.status", i18n.status_word(row["status"], lang)),
        ("col.value", num(row["value"]) if row["value"] is not None else ""),
        ("col.n", num(row["n"], 0) if row["n"] is not None else ""),
        ("col.min_n", "" if row["min_n"] is None else i18n.count(row["min_n"], lang)),
        ("maksut.col.aggregate",
         i18n.t(aggregate, lang) if messages.has(aggregate) else row["aggregate"] or ""),
        ("col.level_from", i18n.day(row["level_from"], lang) if row["level_from"] else ""),
        ("col.minimum", num(row["minimum"]) if row["minimum"] is not None else ""),
        ("col.threshold", num(row["threshold"]) if row["threshold"] is not None else ""),
        ("col.target", num(row["target"]) if row["target"] is not None else ""),
        ("col.scale", i18n.t(f"scale.{row['scale']}", lang) if row["scale"] else ""),
        ("col.fraction", num(row["fraction"], 6) if row["fraction"] is not None else ""),
        ("maksut.col.fraction_exact", row.get("fraction_exact") or ""),
        ("col.money", euros(row["money"])),
        ("col.bonus_exact", num(row["bonus_exact"], 6) if row["bonus_exact"] else ""),
        ("col.bonus_before_gate", euros(row["bonus_before_gate"])),
        ("col.bonus", euros(row["bonus"])),
        ("col.sanction_exact", num(row["sanction_exact"], 6) if row["sanction_exact"] else ""),
        ("maksut.col.sanction_before_cap", euros(row.get("sanction_before_cap"))),
        ("col.sanction", euros(row["sanction"])),
        ("col.rule", settle.clause_text(row.get("explanation_messages"), row["rule"], lang)),
    ]  # fmt: skip
    shown = [(i18n.t(key, lang), value) for key, value in items if value]
    return pl.DataFrame(
        {
            i18n.t("maksut.col.fact", lang): [k for k, _ in shown],
            i18n.t("col.value", lang): [v for _, v in shown],
        }
    )
