"""Plain-text tables and numbers for the command line."""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def thousands(number: int) -> str:
    """12345678 -> '12 345 678' (a space groups thousands, as in Finnish)."""
    return f"{number:,}".replace(",", " ")


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns separated by two spaces; numbers right-aligned."""
    texts = [[str(cell) for cell in row] for row in rows]
    widths = [len(h) for h in header]
    for row in texts:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    numeric = [
        all(isinstance(row[i], int | float) or str(row[i]).replace(" ", "").isdigit()
            for row in rows if str(row[i]))
        and any(str(row[i]) for row in rows)
        for i in range(len(header))
    ]  # fmt: skip
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    for row in texts:
        cells = [
            cell.rjust(w) if numeric[i] else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def decimal_text(number: Decimal, places: int) -> str:
    """Half-up to `places` decimals, decimal comma: Decimal('0.66666') -> '0,6667'."""
    quantum = Decimal(1).scaleb(-places)
    return str(number.quantize(quantum, rounding=ROUND_HALF_UP)).replace(".", ",")


def euros(amount: Decimal | None) -> str:
    """1234.5 -> '1 234,50 €' (Finnish: space groups thousands, decimal comma)."""
    if amount is None:
        return ""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if cents < 0 else ""
    whole, _, fraction = f"{abs(cents):.2f}".partition(".")
    return f"{sign}{thousands(int(whole))},{fraction} €"
