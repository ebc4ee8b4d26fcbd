"""Maksut's line table without Streamlit: a per-unit sanction its cap took down is shown as
units × price and then the cap as a step of its own; the steps' nets add up to the stored net."""

from decimal import Decimal

from dashboard import charts, line_steps

NBSP = "\u00a0"
LINE = {
    "line_no": 1, "line_kind": "indicator", "indicator_id": "rikkeet", "status": "below-minimum",
    "value": "12", "n": "1", "bonus_before_gate": Decimal("0.00"), "bonus": Decimal("0.00"),
    "sanction": Decimal("1500.00"), "sanction_before_cap": Decimal("1800.00"),
    "adjustment_kind": None, "side": None, "amount": None, "counted": None,
    "bonus_difference": None, "sanction_difference": None, "amount_difference": None,
}  # fmt: skip


def test_a_capped_line_is_its_amount_before_the_cap_then_the_cap() -> None:
    import polars as pl

    names = {"rikkeet": "Rikkeet"}
    steps = charts.waterfall_steps(pl.DataFrame([LINE]), Decimal("0.00"),
                                   Decimal("-1500.00"), names, "fi")  # fmt: skip
    step_net: dict[tuple[int, bool], Decimal] = {}
    for bar in steps:
        if bar.line_no is not None:
            key = (bar.line_no, bar.capped)
            step_net[key] = step_net.get(key, Decimal(0)) + bar.amount
    table = line_steps.step_table([LINE], step_net, names, "fi", correction=False)
    assert table["Vaihe"].to_list() == ["Rikkeet", "Yksikkösanktion katto Rikkeet"]
    assert table["Sanktio"].to_list() == [f"1{NBSP}800,00{NBSP}€", f"−300,00{NBSP}€"]
    assert table["Netto"].to_list() == [f"−1{NBSP}800,00{NBSP}€", f"300,00{NBSP}€"]
    assert sum(step_net.values()) == Decimal("-1500.00")
    assert table["Tila"].to_list() == ["▼ alle minimin", ""]
