"""The command starts without its heavy libraries: importing etl.cli and parsing any command's
arguments imports no data-frame, validation, spreadsheet, chart or dashboard library; each
command imports what it uses when it runs (issue 12: `--help` was 0.85 s, 4-6 × `import
duckdb`, because the parser module imported pandera, polars and pandas through the loader).
Not a timing test: it names the modules that must not be there."""

import subprocess
import sys

import pytest

from etl import cli, formats
from tests.conftest import REPO

HEAVY = ("polars", "pandera", "pandas", "streamlit", "plotly", "pyarrow", "numpy", "openpyxl",
         "xlsxwriter", "babel")  # fmt: skip

COMMANDS = [
    ["--help"],
    ["init"],
    ["contracts", "add", "a.toml", "--by", "X"],
    ["contracts", "list"],
    ["load", "a.csv", "--quiet"],
    ["deliveries", "--contract", "K"],
    ["check", "case.toml"],
    ["--lang", "sv", "settle", "--year", "2025", "--out", "x.xlsx"],
    ["prepare", "--contract", "K", "--period", "2025-Q1", "--by", "X"],
    ["approve", "--contract", "K", "--period", "2025-Q1", "--by", "X", "--comment", "ok"],
    ["reject", "--contract", "K", "--period", "2025-Q1", "--by", "X", "--reason", "no"],
    ["audit", "--since", "1.12.2026", "--verify"],
    ["settlements", "--contract", "K"],
    ["payment-run", "--period", "2025-Q1", "--prepare", "--by", "X"],
    ["rank", "--framework", "F", "--year", "2025"],
    ["serve", "--no-auth", "--port", "8600"],
]

PARSE = """
import sys
import etl.cli
parser = etl.cli.build_parser()
for argv in {commands!r}[1:]:
    parser.parse_args(argv)
heavy = sorted({{name.split(".")[0] for name in sys.modules}} & set({heavy!r}))
print(",".join(heavy))
"""


def test_importing_the_cli_and_parsing_every_command_imports_no_heavy_library() -> None:
    code = PARSE.format(commands=COMMANDS, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "", done.stdout


@pytest.mark.slow
def test_help_through_the_entry_point_imports_no_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "etl.cli", "--help"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "payment-run" in done.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    assert imported & set(HEAVY) == set()


def test_the_language_choices_are_the_formatting_modules() -> None:
    assert cli.LANGUAGES == formats.LANGUAGES
    assert cli.LANGUAGES[0] == formats.DEFAULT
