"""The per-language text files and the one formatting module (etl.messages, etl.formats)."""

import re
import string
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from contracts.messages import message
from etl import formats, messages

NBSP = "\u00a0"


def words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]{3,}", re.sub(r"\{[^}]*\}", " ", text))


def placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name}


def test_every_language_has_the_same_keys() -> None:
    finnish = set(messages.catalog("fi"))
    assert len(finnish) > 250
    for lang in ("sv", "en"):
        catalog = set(messages.catalog(lang))
        assert sorted(finnish - catalog) == [], f"missing in {lang}"
        assert sorted(catalog - finnish) == [], f"only in {lang}"


def test_every_text_fills_the_same_placeholders_in_every_language() -> None:
    finnish = messages.catalog("fi")
    for lang in ("sv", "en"):
        catalog = messages.catalog(lang)
        differ = [k for k in finnish if placeholders(finnish[k]) != placeholders(catalog[k])]
        assert differ == [], f"{lang}: {differ}"


def test_every_placeholder_format_is_one_the_formatter_knows() -> None:
    known = {"", "eur", "num", "num2", "int", "pct", "day", "moment"}
    for lang in formats.LANGUAGES:
        for key, text in messages.catalog(lang).items():
            specs = {spec for _, spec in placeholders(text)}
            assert specs <= known, f"{lang} {key}: {specs - known}"


def test_no_text_is_empty_or_left_untranslated_from_english() -> None:
    english = messages.catalog("en")
    for lang in ("fi", "sv"):
        catalog = messages.catalog(lang)
        assert [k for k, v in catalog.items() if not v.strip()] == []
        # the same words as in English: only single words may be (Bonus, NPS, n, €)
        same = [k for k, v in catalog.items() if v == english[k] and len(words(v)) > 1]
        assert same == [], f"{lang}: {same}"


def test_a_message_renders_its_values_in_the_language() -> None:
    note = message("audit_detail.key.file")
    assert messages.render(note, "fi") == "tiedosto"
    assert messages.render(note, "sv") == "fil"
    assert messages.formatted(Decimal("-1234.565"), "eur", "fi") == f"−1{NBSP}234,57{NBSP}€"
    assert messages.formatted(Fraction(553125, 1000), "eur", "sv") == f"553,13{NBSP}€"
    assert messages.formatted(Decimal("0.389873"), "num", "fi") == "0,3899"
    assert messages.formatted(date(2025, 1, 1), "day", "fi") == "1.1.2025"
    assert messages.formatted(date(2025, 1, 1), "", "en") == "1 Jan 2025"


def test_messages_keep_exact_numbers_through_the_store() -> None:
    kept = [message("x.y", share=Fraction(1, 3), amount=Decimal("553.125"), day=date(2025, 3, 31),
                    n=158, who="Talous Testi", nothing=None)]  # fmt: skip
    assert messages.from_json(messages.to_json(kept)) == kept


def test_an_unknown_key_is_an_error_not_a_blank() -> None:
    with pytest.raises(messages.TextsError, match=r"no text 'no\.such' in sv"):
        messages.text("no.such", "sv")


@pytest.mark.parametrize(
    ("value", "places", "fi", "en"),
    [
        (Decimal("1234.565"), 2, f"1{NBSP}234,57", "1,234.57"),  # half-up, not half-even
        (Decimal("-1234.565"), 2, f"−1{NBSP}234,57", "−1,234.57"),  # a real minus sign
        (Decimal("-0.004"), 2, "0,00", "0.00"),  # never −0,00
        (Fraction(2, 3), 4, "0,6667", "0.6667"),  # exact, then rounded once
        (Decimal("1e6"), 0, f"1{NBSP}000{NBSP}000", "1,000,000"),
    ],
)
def test_numbers_round_half_up_once_with_the_languages_marks(
    value: Decimal | Fraction, places: int, fi: str, en: str
) -> None:
    assert formats.number(value, "fi", places) == fi
    assert formats.number(value, "sv", places) == fi
    assert formats.number(value, "en", places) == en


def test_money_dates_and_moments_in_each_language() -> None:
    assert formats.euros("1500", "fi") == f"1{NBSP}500,00{NBSP}€"
    assert formats.euros("-2440.51", "en") == "−€2,440.51"
    assert formats.euros(None, "fi") == ""
    assert formats.short_number("83.40", "fi") == "83,4"
    assert formats.percent(Fraction(5, 6), "fi") == f"83,3{NBSP}%"
    assert formats.count(28065, "sv") == f"28{NBSP}065"
    assert formats.day(date(2025, 3, 31), "sv") == "31.3.2025"
    assert formats.day(date(2025, 3, 31), "en") == "31 Mar 2025"
    assert formats.moment(datetime(2025, 3, 31, 14, 5), "fi") == "31.3.2025 14.05"
    assert formats.moment(datetime(2025, 3, 31, 14, 5), "en") == "31 Mar 2025, 14:05"
    assert formats.number("not a number", "fi") == ""
    assert formats.number("NaN", "fi") == ""
