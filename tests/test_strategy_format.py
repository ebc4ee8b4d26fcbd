"""The strategy file, format 1 (docs/strategy.md): the sample loads, and every check error
names the file and the field, with its text in every language."""

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from contracts.strategy import (
    IndicatorLink,
    StrategyError,
    load_strategy_file,
    load_strategy_text,
)
from contracts.terms import THEMES, TermsError
from etl import messages

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "strategy" / "strategia-2025.toml"
FILE = "strategia.toml"

HEAD = """
format = 1
id = "S-1"
name = { fi = "Strategia", sv = "Strategi", en = "Strategy" }
start = 2025-01-01
end = 2027-12-31
"""
LINKED = """
[[goal]]
id = "A"
theme = "vaikuttavuus"
title = "Toimintakyky säilyy"
owner = "Kotihoito"
schedule = { start = 2025-01-01, due = 2025-12-31 }
indicators = [{ service = "kotihoito", indicator = "adl" }]
target_share = 0.6
"""
MANUAL = """
[[goal]]
id = "B"
theme = "talouden-tasapaino"
title = "Talousarviossa"
owner = "Talous"
schedule = { start = 2025-01-01, due = 2026-12-31 }

[goal.manual]
unit = "%"
direction = "lower"
target = 100

[[goal.manual.value]]
date = 2025-12-31
value = "103.40"
source = "Tilinpäätös 2025"
"""
VALID = HEAD + LINKED + MANUAL
LINKS = 'indicators = [{ service = "kotihoito", indicator = "adl" }]'


def problems(text: str) -> list[tuple[str, str, str]]:
    """(file, field, message key) of every problem of the text; [] when it loads."""
    try:
        load_strategy_text(text, FILE)
    except TermsError as error:
        return [(p.file, p.field, p.message.key) for p in error.problems]
    return []


def test_the_sample_strategy_loads_with_21_goals_under_the_five_themes() -> None:
    strategy, digest = load_strategy_file(SAMPLE)
    assert (strategy.id, strategy.start, strategy.end) == (
        "HANKINTASTRATEGIA-2025", date(2025, 1, 1), date(2027, 12, 31),
    )  # fmt: skip
    assert len(strategy.goals) == 21 and len(digest) == 64
    assert Counter(g.theme for g in strategy.goals) == {
        "asiakaskokemus": 5, "henkilostokokemus": 4, "hyva-johtaminen": 4,
        "talouden-tasapaino": 4, "vaikuttavuus": 4,
    }  # fmt: skip
    assert Counter(g.kind for g in strategy.goals) == {"indicators": 13, "manual": 8}
    assert [name for name, _ in strategy.theme_names] == list(THEMES)
    va2 = next(g for g in strategy.goals if g.id == "VA-2")
    assert va2.links == (
        IndicatorLink("adl", contract="KH-2024-001"),
        IndicatorLink("kaatumiset", contract="KH-2024-001"),
    )
    assert va2.target_share == Decimal("0.8")
    tt1 = next(g for g in strategy.goals if g.id == "TT-1")
    assert tt1.manual is not None and tt1.manual.direction == "lower"
    assert tt1.manual.values[0].value == Decimal("103.4")  # exact, never a float


def test_a_valid_file_loads_and_layout_does_not_change_its_digest() -> None:
    strategy, digest = load_strategy_text(VALID, FILE)
    assert [g.id for g in strategy.goals] == ["A", "B"]
    assert strategy.goals[0].title.sv == "Toimintakyky säilyy"  # a plain text serves all three
    manual = strategy.goals[1].manual
    assert manual is not None and manual.values[0].value == Decimal("103.40")
    _, same = load_strategy_text("# kommentti\n" + VALID.replace(" = ", "="), FILE)
    assert same == digest
    _, changed = load_strategy_text(VALID.replace("0.6", "0.7"), FILE)
    assert changed != digest


CASES = [
    ("an unknown key at the top", HEAD + "vuosi = 2025\n" + LINKED, "vuosi",
     "engine.terms.unknown_key"),
    ("a typo in a goal key", VALID.replace("owner =", "ownr ="), "goal[0].ownr",
     "engine.terms.unknown_key"),
    ("format 2", VALID.replace("format = 1", "format = 2"), "format", "engine.terms.format_one"),
    ("an end before the start", VALID.replace("end = 2027-12-31", "end = 2024-12-31"), "end",
     "engine.terms.end_before_start"),
    ("no goals", HEAD, "goal", "engine.strategy.goal_required"),
    ("a theme not one of the five", VALID.replace('"vaikuttavuus"', '"talous"'),
     "goal[0].theme", "engine.terms.unknown_choice"),
    ("a goal id twice", HEAD + LINKED + LINKED, "goal[1].id", "engine.strategy.duplicate_goal"),
    ("a due before the start",
     VALID.replace("due = 2025-12-31", "due = 2024-12-31"), "goal[0].schedule.due",
     "engine.strategy.due_before_start"),
    ("a start outside the validity",
     VALID.replace("schedule = { start = 2025-01-01, due = 2025-12-31 }",
                   "schedule = { start = 2028-01-01, due = 2028-12-31 }"),
     "goal[0].schedule.start", "engine.strategy.start_outside"),
    ("no schedule", VALID.replace("schedule = { start = 2025-01-01, due = 2025-12-31 }\n", ""),
     "goal[0].schedule", "engine.strategy.schedule_required"),
    ("a date that is not one", VALID.replace("due = 2025-12-31", 'due = "31.12.2025"'),
     "goal[0].schedule.due", "engine.terms.not_date"),
    ("both kinds of verification", VALID.replace('owner = "Talous"',
     'owner = "Talous"\nindicators = [{ service = "kotihoito", indicator = "nps" }]'),
     "goal[1]", "engine.strategy.one_verification"),
    ("no verification", VALID.replace(LINKS + "\ntarget_share = 0.6\n", ""), "goal[0]",
     "engine.strategy.one_verification"),
    ("a target share written as a percentage", VALID.replace("0.6", "60"),
     "goal[0].target_share", "engine.strategy.target_share_range"),
    ("a target share as a float-looking text", VALID.replace("0.6", '"60 %"'),
     "goal[0].target_share", "engine.terms.not_number"),
    ("links without a target share", VALID.replace("target_share = 0.6\n", ""),
     "goal[0].target_share", "engine.terms.required"),
    ("a link to both a service and a contract",
     VALID.replace('{ service = "kotihoito", indicator = "adl" }',
                   '{ service = "kotihoito", contract = "KH-1", indicator = "adl" }'),
     "goal[0].indicators[0]", "engine.strategy.service_or_contract"),
    ("an empty link list", VALID.replace('[{ service = "kotihoito", indicator = "adl" }]', "[]"),
     "goal[0].indicators", "engine.strategy.links_list"),
    ("a manual measure going sideways", VALID.replace('"lower"', '"down"'),
     "goal[1].manual.direction", "engine.terms.unknown_choice"),
    ("a manual value without a source", VALID.replace('source = "Tilinpäätös 2025"\n', ""),
     "goal[1].manual.value[0].source", "engine.terms.required"),
    ("two values on one date", VALID + '\n[[goal.manual.value]]\ndate = 2025-12-31\nvalue = 1\n'
     'source = "x"\n', "goal[1].manual.value[1].date", "engine.strategy.duplicate_date"),
    ("measures that are not a list of texts", VALID.replace('owner = "Talous"',
     'owner = "Talous"\nmeasures = "yksi"'), "goal[1].measures", "engine.strategy.measures_list"),
    ("not TOML at all", "format = \n", "(file)", "engine.terms.toml"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "field", "key"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_check_names_the_file_and_the_field(text: str, field: str, key: str) -> None:
    found = problems(text)
    assert (FILE, field, key) in found, found


def test_every_problem_of_a_file_is_reported_at_once_in_every_language() -> None:
    text = (
        VALID.replace("format = 1", "format = 2")
        .replace('"vaikuttavuus"', '"talous"')
        .replace('"lower"', '"down"')
    )
    with pytest.raises(StrategyError) as refused:
        load_strategy_text(text, FILE)
    fields = [p.field for p in refused.value.problems]
    assert fields == ["format", "goal[0].theme", "goal[1].manual.direction"]
    for problem in refused.value.problems:
        assert problem.file == FILE
        for lang in ("fi", "sv", "en"):
            assert messages.render(problem.message, lang).strip()


def test_an_unreadable_file_is_a_problem_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes("name = 'Ä'".encode("latin-1"))
    with pytest.raises(StrategyError) as refused:
        load_strategy_file(path)
    assert [(p.file, p.field) for p in refused.value.problems] == [(str(path), "(file)")]
