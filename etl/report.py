"""Plain-text tables for the command line (numbers, money and dates: etl.formats)."""

from collections.abc import Sequence

GROUPING = (" ", "\u00a0", "\u202f")
"""Spaces that group a number's thousands (etl.formats uses the no-break space)."""


def _digits(cell: object) -> bool:
    text = str(cell)
    for space in GROUPING:
        text = text.replace(space, "")
    return text.isdigit()


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns separated by two spaces; whole numbers right-aligned."""
    texts = [[str(cell) for cell in row] for row in rows]
    widths = [len(h) for h in header]
    for row in texts:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    numeric = [
        all(isinstance(row[i], int | float) or _digits(row[i]) for row in rows if str(row[i]))
        and any(str(row[i]) for row in rows)
        for i in range(len(header))
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    for row in texts:
        cells = [
            cell.rjust(w) if numeric[i] else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
