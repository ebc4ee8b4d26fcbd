"""Finnish personal identity codes (henkilötunnus): a delivery that contains one is refused.

The pattern is what a henkilötunnus looks like: a date of birth DDMMYY, a century sign
(+, -, A-F, U-Y), a three-digit individual number and a check character. The check
character is not verified: a mistyped identity code is personal data all the same.
"""

import polars as pl

HETU_PATTERN = (
    r"(?:^|[^0-9A-Za-z])(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}"
    r"[-+A-FU-Y][0-9]{3}[0-9A-FHJ-NPR-Y](?:$|[^0-9A-Za-z])"
)
HIDDEN = "(hidden: looks like a henkilötunnus)"


def looks_like_hetu(column: pl.Expr) -> pl.Expr:
    """True where the cell's text contains something shaped like a henkilötunnus."""
    return column.str.contains(HETU_PATTERN).fill_null(False)
