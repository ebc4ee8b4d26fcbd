"""Every check case, the public ones in ../shared/cases and our own in tests/cases, passes."""

from pathlib import Path

import pytest

from contracts.checks import format_case_result, run_case_file

SHARED_CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
OWN_CASES = Path(__file__).resolve().parent / "cases"
CASE_FILES = sorted(SHARED_CASES.glob("*.toml")) + sorted(OWN_CASES.glob("*.toml"))


def test_the_public_cases_are_there() -> None:
    assert len(list(SHARED_CASES.glob("*.toml"))) >= 13


def test_our_own_cases_are_there() -> None:
    assert len(list(OWN_CASES.glob("*.toml"))) >= 20


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case_passes(path: Path) -> None:
    result = run_case_file(path)
    assert result.passed, format_case_result(result)
