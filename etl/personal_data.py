"""Finnish personal identity codes (henkilötunnus): text that contains one is refused.

One rule for every text we would store or print: delivery cells (`looks_like_hetu`, a polars
expression), file names and the names of people (`hetu_in`), and what a report may echo
(`masked`). The rule is what a henkilötunnus looks like, in any case and glued to other
letters: a date of birth DDMMYY that does not continue a longer number, a century sign (+, -,
A-F, U-Y, or a dash a word processor put in place of the hyphen), a three-digit individual
number and a check character. The check character is not verified: a mistyped identity code
is personal data all the same.

Also the one threshold below which shared views and exports suppress a figure
(`SUPPRESS_BELOW`).
"""

import re

import polars as pl

from contracts.messages import Message, message
from etl.messages import MessageError

SUPPRESS_BELOW = 5
"""Shared views and exports show no figure resting on fewer people than this: a share on
fewer clients behind it (Johto, Strategia, Kilpailutuskalenteri), an open-data observation
on a smaller n (and a count indicator's smaller count): they are shown as `<5`, or published
without value and n."""

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
"""Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus: what autocorrect and
copy-paste make of the hyphen century sign."""

HETU_CODE = (
    r"(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}"
    r"[-+A-FU-Ya-fu-y" + DASHES + r"][0-9]{3}[0-9A-FHJ-NPR-Ya-fhj-npr-y]"
)
"""The code itself: DDMMYY, century sign, individual number, check character (either case)."""

HETU_PATTERN = r"(?:^|[^0-9])" + HETU_CODE
"""Somewhere in the text, not inside a longer number. Written for both regular expression
engines (polars' Rust `regex` has no look-behind): it is for finding, not for replacing."""

_HETU = re.compile(r"(?<![0-9])" + HETU_CODE)

HIDDEN = message("personal.hidden")
"""What a report shows in place of a cell that looks like a henkilötunnus."""
MASK = "****"


def looks_like_hetu(column: pl.Expr) -> pl.Expr:
    """True where the cell's text contains something shaped like a henkilötunnus."""
    return column.str.contains(HETU_PATTERN).fill_null(False)


def hetu_in(text: str | None) -> bool:
    """Whether the text (a file name, a person's name, a note) contains something shaped
    like a henkilötunnus: the same rule as `looks_like_hetu` for cells."""
    return text is not None and _HETU.search(text) is not None


def masked(text: str) -> str:
    """The text with the individual number and check character of every henkilötunnus-like
    code replaced by ****, e.g. `010180-****`: what a report may show of it."""
    return _HETU.sub(lambda found: found.group(0)[:7] + MASK, text)


SUBJECTS = {
    "--by": "personal.hetu_in_by",
    "file name": "personal.hetu_in_file_name",
    "loader": "personal.hetu_in_loader",
    "reason": "personal.hetu_in_reason",
    "the reason": "personal.hetu_in_reason",
    "comment": "personal.hetu_in_comment",
    "the comment": "personal.hetu_in_comment",
}
"""What a refused text is, by the name callers give it, and the message that refuses it."""


class PersonalData(MessageError, ValueError):
    """A name or other text that would be stored contains a henkilötunnus; `message` says
    which (its text in Finnish is the exception's text)."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason)


def hetu_refusal(what: str) -> Message:
    """The message that refuses `what` (a key of SUBJECTS, or any other name of a text) for
    holding a henkilötunnus; it never repeats the text."""
    key = SUBJECTS.get(what)
    return message(key) if key else message("personal.hetu_in_text", what=what)


def refuse_hetu(what: str, text: str | None) -> None:
    """Raise PersonalData when `text` (described by `what`, e.g. "--by") contains something
    shaped like a henkilötunnus; the message never repeats the text."""
    if hetu_in(text):
        raise PersonalData(hetu_refusal(what))
