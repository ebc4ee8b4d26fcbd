"""The dashboard's words: texts by key in the chosen language (etl.messages, from the
per-language files etl/texts/<language>/*.toml), status words with their icons, theme and
service names; numbers and dates through etl.formats (Babel), as in the CLI and exports."""

from contracts.terms import THEMES
from etl import messages
from etl.formats import (
    DEFAULT,
    LANGUAGE_NAMES,
    LANGUAGES,
    MINUS,
    count,
    day,
    euros,
    moment,
    number,
    percent,
    short_number,
)

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "MINUS",
    "SERVICES",
    "SEVERITY",
    "STATUS_ICONS",
    "THEMES",
    "adjustment_name",
    "all_keys",
    "count",
    "day",
    "euros",
    "moment",
    "number",
    "percent",
    "service_name",
    "short_number",
    "status_word",
    "t",
    "theme_name",
]

STATUS_ICONS = {
    "achieved": "✔",
    "partial": "◐",
    "not-achieved": "✖",
    "below-minimum": "▼",
    "not-assessable": "–",
}


SEVERITY = ("below-minimum", "not-achieved", "partial", "not-assessable", "achieved")
"""Statuses from the most to the least in need of attention: tables list them in this order."""


def t(key: str, lang: str, **values: object) -> str:
    """The text of `key` in the language, with {placeholders} filled in."""
    return messages.text(key, lang, **values)


def adjustment_name(kind: str, lang: str) -> str:
    """The engine's adjustment kind in words: 'bonus-cap' -> 'bonuskatto'."""
    key = f"adj.{kind}"
    return t(key, lang) if messages.has(key) else kind


def all_keys() -> list[str]:
    return list(messages.catalog(DEFAULT))


def status_word(status: str | None, lang: str) -> str:
    """Icon and word, never colour alone: 'achieved' -> '✔ saavutettu'."""
    if status is None or status not in STATUS_ICONS:
        return ""
    return f"{STATUS_ICONS[status]} {t('status.' + status, lang)}"


def _named(prefix: str) -> tuple[str, ...]:
    return tuple(key.removeprefix(prefix) for key in all_keys() if key.startswith(prefix))


SERVICES = _named("service.")
"""The services the contract format knows."""


def theme_name(theme: str, lang: str) -> str:
    return t(f"theme.{theme}", lang) if theme in THEMES else theme


service_name = messages.service_name
"""A service key in words (etl.messages.service_name: the CLI's files use the same)."""
