"""Finnish business ID (Y-tunnus): seven digits, a hyphen and a check digit."""

import re

from contracts.messages import Message, message

_FORMAT = re.compile(r"^(\d{7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_message(text: str) -> Message | None:
    """Why `text` is not a valid Y-tunnus (`engine.business_id.…`), or None when it is.

    The check digit is 11 minus the weighted digit sum mod 11 (weights 7 9 10 5 8 4 2);
    remainder 0 gives check digit 0 and remainder 1 is never issued.
    """
    match = _FORMAT.match(text)
    if match is None:
        return message("engine.business_id.form", text=text)
    digits, check = match.group(1), int(match.group(2))
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return message("engine.business_id.remainder", text=text)
    expected = 0 if remainder == 0 else 11 - remainder
    if check != expected:
        return message("engine.business_id.check", text=text, check=check, expected=expected)
    return None


_ENGLISH = {
    "engine.business_id.form": "'{text}' is not of the form 1234567-8",
    "engine.business_id.remainder": (
        "'{text}' cannot be a Y-tunnus (weighted sum leaves remainder 1)"
    ),
    "engine.business_id.check": "'{text}' has check digit {check}, expected {expected}",
}


def business_id_problem(text: str) -> str | None:
    """`business_id_message` as a plain English sentence, for the sign-in configuration
    (etl.access), which reports before any language is chosen."""
    problem = business_id_message(text)
    return None if problem is None else _ENGLISH[problem.key].format(**problem.values)
