"""Plain-text tables and numbers for the command line."""

from collections.abc import Sequence

from contracts.exact import Rational, round_cents, round_half_up


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


def decimal_text(number: Rational, places: int) -> str:
    """Half-up to `places` decimals, decimal comma: Decimal('0.66666') -> '0,6667'."""
    return str(round_half_up(number, places)).replace(".", ",")


def euros(amount: Rational | None) -> str:
    """1234.5 -> '1 234,50 €' (Finnish: space groups thousands, decimal comma; never −0,00)."""
    if amount is None:
        return ""
    cents = round_cents(amount)
    sign = "−" if cents < 0 else ""
    whole, _, fraction = f"{abs(cents):.2f}".partition(".")
    return f"{sign}{thousands(int(whole))},{fraction} €"
