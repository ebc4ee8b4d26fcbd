"""Numbers, money and dates in the user's language: the one formatting module of the command
line, the exports and the dashboard.

Babel gives each language its separators, grouping and date patterns (fi and sv as written
in Finland: `1 234,56 €`, `31.3.2025`; en: `€1,234.56`, `31 Mar 2025`), with non-breaking
spaces. Two things are ours: rounding is half-up, once (contracts.exact.round_half_up; Babel
would round half-even, so it gets a number already rounded), and a negative number has a real
minus sign (U+2212).
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from contracts.exact import round_half_up

LANGUAGES = ("fi", "sv", "en")
"""Finnish first, then Swedish and English."""
DEFAULT = "fi"
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
"""Swedish as written in Finland; English with day-month-year dates."""
MINUS = "\u2212"
CURRENCY = "EUR"


def language(lang: str | None) -> str:
    """A supported language code: the given one, else Finnish."""
    return lang if lang in LANGUAGES else DEFAULT


def _locale(lang: str) -> str:
    return LOCALES[language(lang)]


def exact(value: object) -> Decimal | Fraction | None:
    """A number as given (int, Decimal, Fraction, or its text as the store keeps it:
    '0.25', '553125/1000'); None for None, '' and anything that is not a finite number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Fraction | Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        text = str(value).strip()
        try:
            number = Fraction(text) if "/" in text else Decimal(text)
        except (InvalidOperation, ValueError, ZeroDivisionError):
            return None
    if isinstance(number, Decimal) and not number.is_finite():
        return None
    return number


def _signed(text: str) -> str:
    return text.replace("-", MINUS)


def number(value: object, lang: str, places: int = 2) -> str:
    """Half-up to exactly `places` decimals: '1 234,56' (fi, sv), '1,234.56' (en); a real
    minus sign; never '−0,00'. '' for None or a value that is not a number."""
    return _decimal(value, lang, places, "0")


def short_number(value: object, lang: str, places: int = 2) -> str:
    """At most `places` decimals, no trailing zeros: '83,4', '12'."""
    return _decimal(value, lang, places, "#")


def _decimal(value: object, lang: str, places: int, digit: str) -> str:
    """`value` rounded half-up once to `places`, written with Babel's marks for the language;
    each decimal place a `digit` of Babel's pattern ('0' always shown, '#' only when not 0)."""
    amount = exact(value)
    if amount is None:
        return ""
    rounded = round_half_up(amount, places)
    pattern = "#,##0" + ("." + digit * places if places else "")
    return _signed(format_decimal(rounded, format=pattern, locale=_locale(lang)))


def euros(value: object, lang: str) -> str:
    """Money to the cent: '1 234,56 €' (fi, sv), '€1,234.56' (en); '' for None."""
    amount = exact(value)
    if amount is None:
        return ""
    rounded = round_half_up(amount, 2)
    return _signed(format_currency(rounded, CURRENCY, locale=_locale(lang)))


def count(value: int | None, lang: str) -> str:
    """A whole number with grouped thousands: '12 345' (fi, sv), '12,345' (en)."""
    if value is None:
        return ""
    return _signed(format_decimal(value, format="#,##0", locale=_locale(lang)))


def percent(value: object, lang: str, places: int = 1) -> str:
    """A share as a percentage: 0.8333 -> '83,3 %' (fi), '83.3%' (en)."""
    amount = exact(value)
    if amount is None:
        return ""
    text = short_number(amount * 100, lang, places)
    return f"{text}\u00a0%" if language(lang) != "en" else f"{text}%"


def day(value: date | datetime | None, lang: str) -> str:
    """A date: '31.3.2025' (fi, sv), '31 Mar 2025' (en)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    form = "medium" if language(lang) == "en" else "short"
    return format_date(value, format=form, locale=_locale(lang))


def moment(value: datetime | None, lang: str) -> str:
    """A date and time to the minute: '31.3.2025 14.05' (fi, sv), '31 Mar 2025, 14:05' (en)."""
    if value is None:
        return ""
    if language(lang) == "en":
        return format_datetime(value, format="d MMM y, HH:mm", locale=_locale(lang))
    return format_datetime(value, format="short", locale=_locale(lang))
