"""Exact numbers (format §6.1): the engine computes every quantity as a `Fraction`, so no
digit is ever cut before money is rounded; rounding happens once, half-up, here.

Terms and data arrive as exact decimals; `exact` turns them into fractions without loss.
`round_half_up` is the one rounding rule of the product (money to cents, numbers for
reading); `decimal_text` is how a computed number is written down for people and for storage.
"""

from decimal import Decimal
from fractions import Fraction

Exact = Fraction
Rational = Fraction | Decimal | int

DISPLAY_PLACES = 12
"""Decimals a computed number keeps where it is written down for reading (values, fractions,
exact amounts); the engine never computes with the written-down number."""


def exact(number: Rational) -> Fraction:
    """The exact fraction of a finite decimal, an integer or a fraction."""
    return number if isinstance(number, Fraction) else Fraction(number)


def round_half_up(number: Rational, places: int) -> Decimal:
    """`number` rounded half-up (away from zero on a tie: 0.005 → 0.01, −0.005 → −0.01) to
    `places` decimals, as an exact Decimal with exactly that many decimals. Zero is never
    negative (no −0.00)."""
    value = exact(number)
    # in integers: |value| x 10^places = whole + rest / denominator, and a tie goes up
    whole, rest = divmod(abs(value.numerator) * 10**places, value.denominator)
    if 2 * rest >= value.denominator:
        whole += 1
    sign = 1 if value < 0 and whole else 0
    return Decimal((sign, tuple(map(int, str(whole))), -places))


def round_cents(amount: Rational) -> Decimal:
    """§6.1: money is rounded once to cents, half-up (0.005 → 0.01, −0.005 → −0.01)."""
    return round_half_up(amount, 2)


def is_terminating(number: Fraction) -> bool:
    """True when the fraction has a finite decimal expansion (denominator 2^a 5^b)."""
    denominator = number.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def decimal_of(number: Rational, places: int = DISPLAY_PLACES) -> Decimal:
    """The number as a decimal: exact when its expansion ends within `places` decimals,
    else rounded half-up to `places`; trailing zeros dropped, never −0."""
    text = f"{round_half_up(number, places):f}"
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


def decimal_text(number: Rational | None, places: int = DISPLAY_PLACES) -> str | None:
    """`decimal_of` as plain text (`0.245833333333`, `-5`, `553.125`), None for None."""
    if number is None:
        return None
    return f"{decimal_of(number, places):f}"
