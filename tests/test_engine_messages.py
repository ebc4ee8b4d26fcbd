"""The engine's messages (STYLE habit 15): every key the engine can say has a text in Finnish,
Swedish and English with the same placeholders, and a settled line reads in the user's
language, from the store, exactly as the engine computed it."""

import ast
import hashlib
import re
import string
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from contracts.checks import _DATA_RULES, load_case_file
from contracts.messages import Message
from contracts.scales import Status
from contracts.settlement import settle_contract
from contracts.terms import SCALES
from contracts.values import tally_observations
from etl import messages, settle, store
from tests.conftest import REPO, SHARED, run_cli, write

LANGUAGES = ("fi", "sv", "en")
CASE_FILES = sorted((SHARED / "cases").glob("*.toml")) + sorted(
    (REPO / "tests" / "cases").glob("*.toml")
)


def engine_keys(lang: str) -> dict[str, str]:
    return {k: v for k, v in messages.catalog(lang).items() if k.startswith("engine.")}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_engine_texts_have_the_same_keys_and_placeholders_in_every_language() -> None:
    finnish = engine_keys("fi")
    assert finnish
    for lang in ("sv", "en"):
        other = engine_keys(lang)
        assert sorted(other) == sorted(finnish), lang
        differing = {k for k in finnish if placeholders(finnish[k]) != placeholders(other[k])}
        assert not differing, (lang, sorted(differing))


def produced(case: Path) -> Iterator[Message]:
    loaded = load_case_file(case)
    for result in settle_contract(loaded.contract, tally_observations(loaded.observations)):
        for line in result.lines:
            yield from (*line.rule, *line.explanation)
        yield from (adjustment.reason for adjustment in result.adjustments)


def written_keys() -> set[str]:
    """Every key the engine's source names: literal keys, and keys made from a prefix and a
    status, a scale, a side or a kind of money (such a prefix alone is not a key)."""
    keys: set[str] = set()
    for path in (REPO / "contracts").glob("*.py"):
        if path.name == "messages.py":
            continue
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'(?<!f)"(engine\.[a-z0-9_.-]+[a-z0-9_-])"', source))
    keys |= {f"engine.status.{s}" for s in get_args(Status)}
    keys |= {f"engine.rule.scale.{s}" for s in SCALES if s != "rate"}
    keys |= {f"engine.adjustment.annual_{side}_cap" for side in ("bonus", "sanction")}
    keys |= {f"engine.rule.{what}_{money}" for what in ("full", "pool", "below_minimum")
             for money in ("eur", "percent")}  # fmt: skip
    keys |= failed_keys("terms.py", "engine.terms") | failed_keys("checks.py", "engine.check")
    keys |= {f"engine.check.unknown_{what}_field" for what in ("line", "totals")}
    keys |= {f"engine.check.{key}" for key in _DATA_RULES.values()}
    keys |= {f"engine.value.ratio{excluded}{per}" for excluded in ("", "_excluded")
             for per in ("", "_per")}  # fmt: skip
    return keys - {f"engine.rule.{prefix}" for prefix in ("full", "pool", "below_minimum")}


def failed_keys(module: str, prefix: str) -> set[str]:
    """The keys a module's `fail(field, key, ...)` calls name (either branch of an `if`)."""
    tree = ast.parse((REPO / "contracts" / module).read_text(encoding="utf-8"))
    keys = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name != "fail":
            continue
        key = node.args[1]
        for part in (key.body, key.orelse) if isinstance(key, ast.IfExp) else (key,):
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                keys.add(f"{prefix}.{part.value}")
    return keys


def test_every_key_the_engine_can_say_has_a_text_in_every_language() -> None:
    said = {m.key for case in CASE_FILES for m in produced(case)}
    keys = written_keys() | said
    assert "engine.line.sanction_per_unit_capped" in said
    for lang in LANGUAGES:
        missing = sorted(keys - set(messages.catalog(lang)))
        assert not missing, (lang, missing)


def test_every_message_of_every_worked_example_renders_in_every_language() -> None:
    for case in CASE_FILES:
        for said in produced(case):
            for lang in LANGUAGES:
                assert messages.render(said, lang)


# --- a real line, settled and stored, read back in Finnish and Swedish ------------------------

CONTRACT = """
format = 1
id = "VIESTI-1"
title = "Selitysten testi"
service = "kotihoito"
buyer = "Esimerkkikaupunki"
supplier = { name = "Palvelu Esimerkki Oy", business_id = "6789012-4" }
start = 2025-01-01
end = 2025-12-31
period = "quarter"
period_value = 100000.00

[payment]
sanction_cap = { eur = 1000.00 }

[[indicator]]
id = "nps"
name = "Suositteluhalukkuus"
theme = "asiakaskokemus"
unit = "NPS"
direction = "higher"
aggregate = "mean"
min_n = 30
levels = [{ from = 2025-01-01, minimum = -20, target = 10 }]
bonus = { scale = "linear", eur = 1000.05 }

[[indicator]]
id = "rikkeet"
name = "Rikkeet"
theme = "vaikuttavuus"
unit = "kpl"
direction = "lower"
aggregate = "sum"
min_n = 1
levels = [{ from = 2025-01-01, minimum = 0, target = 0 }]
sanction = { per_unit = 150.00, cap = 1500.00 }
"""

DELIVERY = """sopimus;mittari;kuukausi;arvo;n
VIESTI-1;nps;1/2025;-5;40
VIESTI-1;rikkeet;1/2025;12;
"""


@pytest.fixture(scope="module")
def settled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("messages")
    db = folder / "messages.duckdb"
    assert run_cli("--db", db, "init")[0] == 0
    terms = write(folder / "VIESTI-1.toml", CONTRACT)
    assert run_cli("--db", db, "contracts", "add", terms)[0] == 0
    status, out = run_cli("--db", db, "load", write(folder / "viesti-2025-01.csv", DELIVERY))
    assert status == 0, out
    assert run_cli("--db", db, "settle", "--contract", "VIESTI-1")[0] == 0
    return db


def stored(db: Path, key: str, lang: str) -> str:
    """The stored line of 2025-Q1 (an indicator id or an adjustment kind) in the language."""
    with store.reading(db) as con:
        row = store.fetch_one(
            con,
            "SELECT l.explanation_messages, l.explanation FROM settlement_line l "
            "JOIN settlement s USING (settlement_id) WHERE s.period = '2025-Q1' "
            "AND coalesce(l.indicator_id, l.adjustment_kind) = ?",
            [key],
        )
    assert row is not None and row[1] is None
    return messages.stored_text(row[0], row[1], lang)


def test_a_stored_line_reads_in_finnish_with_the_half_up_cent_and_the_minus_sign(
    settled: Path,
) -> None:
    assert stored(settled, "nps", "fi") == (
        "Arvo \u22125 (n = 40) vähimmäistasoa \u221220 ja tavoitetasoa 10 vasten"
        " (tasot 1.1.2025 alkaen): osittain saavutettu."
        " Arvo on 1 rivin n:llä painotettu keskiarvo."
        " Osuus 0,5 × 1\u00a0000,05\u00a0€ = 500,03\u00a0€ bonusta"
        " (ennen pyöristystä 500,025 €)."
        " Sopimusehto: Bonus lineaarisella asteikolla: täysi bonus 1\u00a0000,05\u00a0€."
    )


def test_a_stored_line_reads_in_swedish(settled: Path) -> None:
    assert stored(settled, "nps", "sv") == (
        "Värde \u22125 (n = 40) mot miniminivån \u221220 och målnivån 10"
        " (nivåer från 1.1.2025): delvis uppnått."
        " Värdet är medelvärdet av 1 rader, viktat med n."
        " Andel 0,5 × 1\u00a0000,05\u00a0€ = 500,03\u00a0€ i bonus (före avrundning 500,025 €)."
        " Avtalsvillkor: Bonus enligt linjär skala: full bonus 1\u00a0000,05\u00a0€."
    )


def test_a_capped_per_unit_sanction_shows_the_uncapped_amount_and_the_cap(settled: Path) -> None:
    assert stored(settled, "rikkeet", "fi") == (
        "Arvo 12 (n = 1) vähimmäistasoa 0 ja tavoitetasoa 0 vasten (tasot 1.1.2025 alkaen):"
        " alle vähimmäistason. Arvo on 1 rivin summa."
        " Sanktio 12 × 150,00\u00a0€ = 1\u00a0800,00\u00a0€, yksikkösanktion katto"
        " 1\u00a0500,00\u00a0€: sanktio 1\u00a0500,00\u00a0€."
        " Sopimusehto: Sanktio 150,00\u00a0€ kappaleelta, enintään 1\u00a0500,00\u00a0€."
    )


def test_a_capped_per_unit_sanction_stores_its_amount_before_the_cap(settled: Path) -> None:
    """12 × 150 € = 1 800 € capped to 1 500 €: the line keeps 1 500 € (the format's §5) and
    stores the 1 800 € it was before the cap, so that the cap is shown as a step of its own."""
    with store.reading(settled) as con:
        row = store.fetch_one(
            con,
            "SELECT l.sanction, l.sanction_before_cap FROM settlement_line l JOIN settlement s "
            "USING (settlement_id) WHERE s.period = '2025-Q1' AND l.indicator_id = 'rikkeet'",
        )
        others = store.fetch_one(
            con,
            "SELECT count(*) FROM settlement_line WHERE sanction_before_cap IS NOT NULL "
            "AND indicator_id IS DISTINCT FROM 'rikkeet'",
        )
    assert row == (Decimal("1500.00"), Decimal("1800.00"))
    assert others == (0,)


def test_a_period_cap_is_an_adjustment_line_with_its_own_words(settled: Path) -> None:
    assert stored(settled, "sanction-cap", "fi") == (
        "Kauden sanktiokatto 1\u00a0000,00\u00a0€ (yhteensä 1\u00a0500,00\u00a0€)."
    )
    assert stored(settled, "sanction-cap", "sv") == (
        "Periodens sanktionstak 1\u00a0000,00\u00a0€ (totalt 1\u00a0500,00\u00a0€)."
    )


def test_the_rule_column_keeps_the_clause_in_the_words_of_earlier_versions(settled: Path) -> None:
    with store.reading(settled) as con:
        rules = con.execute(
            "SELECT DISTINCT indicator_id, rule FROM settlement_line WHERE rule IS NOT NULL "
            "ORDER BY 1"
        ).fetchall()
    assert rules == [
        ("nps", "bonus: linear scale, 1000.05 € at full achievement"),
        ("rikkeet", "sanction: 150.00 € per unit, at most 1500.00 €"),
    ]


# --- the digest does not change with the words' representation -------------------------------

PINNED_CASES = (
    "01-linear-scale",
    "02-binary-lower-is-better",
    "03-pool-weights-reweighting",
    "04-per-breach-sanction",
    "05-gate-last-mean",
    "06-dated-levels",
    "07-caps",
    "08-improvement",
    "09-rounding-half-up",
    "10-exclusions",
    "11-proration",
    "12-rate-card",
    "13-threshold-minimum-target",
    "14-exact-half-cent",
    "15-negative-nps",
    "a-gate-that-is-not-assessable-cancels-every-bonus",
    "a-higher-value-at-the-minimum-is-not-below-it-and-at-the-target-is-achieved",
    "a-lower-value-at-the-minimum-is-not-below-it-and-at-the-target-is-achieved",
    "a-per-unit-sanction-without-a-cap-charges-every-unit",
    "a-per-unit-sanction-without-data-and-missing-fail-charges-its-cap",
    "a-percent-bonus-is-prorated-in-the-period-where-the-contract-ends",
    "a-period-sanction-cap-limits-the-sum-of-the-sanction-lines",
    "a-period-without-data-is-not-assessable-when-missing-is-not-assessable",
    "a-pool-never-pays-more-than-the-pool-after-each-line-is-rounded",
    "a-pool-with-every-indicator-not-assessable-pays-nothing",
    "a-sum-indicator-counts-each-row-as-one-observation",
    "an-annual-percent-cap-is-a-percent-of-the-years-prorated-period-values",
    "an-improving-line-below-the-minimum-keeps-its-sanction-and-earns-its-improvement",
    "each-line-is-rounded-once-before-the-lines-are-added",
    "improvement-on-the-previous-year-counts-when-that-year-is-assessable",
    "improvement-without-an-assessable-previous-year-counts-achievement-only",
    "levels-changing-inside-a-period-apply-from-the-next-period-and-on-their-first-day",
    "levels-from-the-contract-start-inside-a-period-are-in-force-for-that-period",
    "min-n-exactly-met-is-assessable-and-one-fewer-is-not",
    "rows-in-every-supplier-period-form-roll-up-into-the-settlement-period",
    "the-annual-sanction-cap-limits-the-sanctions-of-a-calendar-year",
    "the-bands-scale-pays-the-fraction-of-the-best-band-met",
    "the-rate-card-limits-pay-per-client-with-record-level-rows",
    "with-missing-fail-a-period-without-enough-data-counts-as-below-minimum",
    "with-prorate-false-a-partly-covered-period-is-valued-in-full",
    "without-levels-in-force-an-indicator-is-not-assessable",
)
"""The worked examples there were when the engine's words became messages (migration 006)."""
PINNED_DIGEST = "2bd9c894ffbb0f23c8325f3639996c55523353105e5d4da1307759d5820e40b5"
"""sha256 over those cases, in this order, of each case's 16 first hex digits of the sha256 of
its period digests (`settlement_digest(1, [], result)`) joined by spaces: as computed by the
engine before its words became messages."""


def test_settling_the_same_numbers_keeps_the_digest_of_earlier_versions() -> None:
    by_name = {path.stem: path for path in CASE_FILES}
    per_case = []
    for name in PINNED_CASES:
        loaded = load_case_file(by_name[name])
        results = settle_contract(loaded.contract, tally_observations(loaded.observations))
        joined = " ".join(settle.settlement_digest(1, [], r) for r in results)
        per_case.append(hashlib.sha256(joined.encode()).hexdigest()[:16])
    combined = hashlib.sha256(" ".join(per_case).encode()).hexdigest()
    assert combined == PINNED_DIGEST, dict(zip(PINNED_CASES, per_case, strict=True))
