"""Every text a user reads, in Finnish, Swedish or English: the strings live in per-language
files (etl/texts/<language>/*.toml, the same keys in each), values are formatted by
etl.formats.

A text's placeholders name their format: `{amount:eur}` money, `{value:num}` a number with at
most four decimals, `{value:num2}` exactly two, `{count:int}` grouped thousands, `{day:day}`
a date, `{at:moment}` a date and time, `{share:pct}` a percentage; a bare `{name}` is text
(a number or date in it is formatted as above).
"""

import json
import string
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from contracts.messages import Message, Value
from etl import formats

TEXTS = Path(__file__).resolve().parent / "texts"


class TextsError(Exception):
    """The per-language files disagree or cannot be read (a defect of the product)."""


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, entry in table.items():
        key = f"{prefix}{name}"
        if isinstance(entry, Mapping):
            flat.update(_flatten(entry, key + "."))
        else:
            flat[key] = str(entry)
    return flat


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every key of the language and its text, from all its files."""
    texts: dict[str, str] = {}
    for path in sorted((TEXTS / formats.language(lang)).glob("*.toml")):
        with path.open("rb") as file:
            entries = _flatten(tomllib.load(file))
        twice = sorted(texts.keys() & entries.keys())
        if twice:
            raise TextsError(f"{path}: keys defined in another file too: {', '.join(twice)}")
        texts.update(entries)
    return texts


def has(key: str) -> bool:
    return key in catalog(formats.DEFAULT)


def service_name(service: str, lang: str) -> str:
    """A service area key in words (`kotihoito` -> Kotihoito), or the key itself when the
    texts name no such service (the contract format's service is free text)."""
    key = f"service.{service}"
    return text(key, lang) if has(key) else service


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        return formatted(value, format_spec, self.lang)


def formatted(value: object, spec: str, lang: str) -> str:
    """One value as a placeholder with format `spec` shows it in the language."""
    match spec:
        case "eur":
            return formats.euros(value, lang)
        case "num":
            return formats.short_number(value, lang, 4)
        case "num2":
            return formats.number(value, lang, 2)
        case "int":
            return formats.count(int(value) if value is not None else None, lang)  # type: ignore[call-overload]
        case "pct":
            return formats.percent(value, lang)
        case "day":
            return formats.day(value, lang)  # type: ignore[arg-type]
        case "moment":
            return formats.moment(value, lang)  # type: ignore[arg-type]
        case "":
            return plain(value, lang)
    raise TextsError(f"unknown placeholder format {spec!r}")


def plain(value: object, lang: str) -> str:
    """A value as a bare placeholder shows it: text as it is, a message rendered, a number or
    date in the language's format; None as nothing."""
    if value is None:
        return ""
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, datetime):
        return formats.moment(value, lang)
    if isinstance(value, date):
        return formats.day(value, lang)
    if isinstance(value, Decimal | Fraction):
        return formats.short_number(value, lang, 4)
    return str(value)


def text(key: str, lang: str, **values: object) -> str:
    """The text of `key` in the language with its placeholders filled in."""
    lang = formats.language(lang)
    try:
        template = catalog(lang)[key]
    except KeyError:
        raise TextsError(f"no text {key!r} in {lang}") from None
    return _Formatter(lang).vformat(template, (), values) if values else template


def render(message: Message, lang: str) -> str:
    """A message of the engine or the loader in the language."""
    return text(message.key, lang, **message.values)


def render_all(messages: Iterable[Message], lang: str) -> str:
    """Messages one after another, as sentences."""
    return " ".join(render(message, lang) for message in messages)


# --- messages as stored (JSON: a key and typed values) ---------------------------------------


def _stored_value(value: Value) -> object:
    if isinstance(value, Message):
        return {"message": _stored(value)}
    if isinstance(value, Fraction):
        return {"fraction": f"{value.numerator}/{value.denominator}"}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _read_value(value: object) -> Value:
    if isinstance(value, dict):
        if "fraction" in value:
            return Fraction(value["fraction"])
        if "decimal" in value:
            return Decimal(value["decimal"])
        if "date" in value:
            return date.fromisoformat(value["date"])
        if "message" in value:
            return _read(value["message"])
    if value is None or isinstance(value, str | int):
        return value
    raise TextsError(f"unreadable stored message value {value!r}")


def _stored(m: Message) -> dict[str, object]:
    return {"key": m.key, "values": {k: _stored_value(v) for k, v in m.values.items()}}


def _read(entry: dict[str, Any]) -> Message:
    return Message(entry["key"], {k: _read_value(v) for k, v in entry["values"].items()})


def to_json(messages: Iterable[Message]) -> str:
    """Messages as the store keeps them; numbers stay exact."""
    return json.dumps([_stored(m) for m in messages], ensure_ascii=False, sort_keys=True)


def from_json(stored: str) -> list[Message]:
    """What `to_json` wrote."""
    return [_read(entry) for entry in json.loads(stored)]


def stored_text(stored: str | None, legacy: str | None, lang: str) -> str:
    """A stored explanation or reason in the language: the messages (`to_json`) when the row
    has them, else the plain text rows written before messages were stored."""
    if stored:
        return render_all(from_json(stored), lang)
    return legacy or ""


class MessageError(Exception):
    """An error whose words are a message: `message` says it in any language (`error_text`);
    the exception's own text is the Finnish one."""

    def __init__(self, message: Message) -> None:
        super().__init__(render(message, formats.DEFAULT))
        self.message = message


def error_text(error: BaseException, lang: str) -> str:
    """An error as its reader reads it: a message (MessageError, the loader's refusals) in
    the language, any other error as its text."""
    said = getattr(error, "message", None)
    return render(said, lang) if isinstance(said, Message) else str(error)
