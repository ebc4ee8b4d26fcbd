"""What a number in a supplier data row may be (format §7): one rule for the delivery loader
and for the observations of check cases.

numerator, denominator, excluded and n are counts: never negative. A value is a count for a
`sum` indicator (breaches, falls, outcomes): never negative; for `mean` and `last` it is a mean
(an NPS of −5, a change in a score), which may be negative. Every number is finite, has at
most 12 digits before the decimal point and at most 6 after it (what the store holds exactly).
"""

from decimal import Decimal

MAX_INTEGER_DIGITS = 12
MAX_DECIMALS = 6
LIMIT = 10**MAX_INTEGER_DIGITS
COUNT_FIELDS = ("numerator", "denominator", "excluded")
COUNT_VALUE_AGGREGATES = ("sum",)

NOT_A_NUMBER = "not a number (write e.g. 12,5 or 12.5, without units or text)"
TOO_MANY_DECIMALS = f"more than {MAX_DECIMALS} decimals"
TOO_LARGE = (
    f"the number is too large (at most {MAX_INTEGER_DIGITS} digits before the decimal point)"
)
NEGATIVE_COUNT = "negative count"
NEGATIVE_SUM = "a count cannot be negative"


def may_be_negative(aggregate: str | None, field: str) -> bool:
    """True for a value that is not a count (mean, last); counts never are."""
    return field == "value" and aggregate not in COUNT_VALUE_AGGREGATES


def number_problem(number: Decimal | None, field: str, aggregate: str | None) -> str | None:
    """Why `number` cannot stand in `field` of a row of an indicator with `aggregate`, or None
    when it can. None as the number means the text was not a finite number."""
    if number is None or not number.is_finite():
        return NOT_A_NUMBER
    if abs(number) >= LIMIT:
        return TOO_LARGE
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        return TOO_MANY_DECIMALS
    if number < 0 and not may_be_negative(aggregate, field):
        return NEGATIVE_SUM if field == "value" else NEGATIVE_COUNT
    return None
