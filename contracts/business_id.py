"""Finnish business ID (Y-tunnus): seven digits, a hyphen and a check digit."""

import re

_FORMAT = re.compile(r"^(\d{7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_problem(text: str) -> str | None:
    """Return why `text` is not a valid Y-tunnus, or None when it is.

    The check digit is 11 minus the weighted digit sum mod 11 (weights 7 9 10 5 8 4 2);
    remainder 0 gives check digit 0 and remainder 1 is never issued.
    """
    match = _FORMAT.match(text)
    if match is None:
        return f"'{text}' is not of the form 1234567-8"
    digits, check = match.group(1), int(match.group(2))
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return f"'{text}' cannot be a Y-tunnus (weighted sum leaves remainder 1)"
    expected = 0 if remainder == 0 else 11 - remainder
    if check != expected:
        return f"'{text}' has check digit {check}, expected {expected}"
    return None
