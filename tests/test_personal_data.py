"""A henkilötunnus is refused in any case or spelling and in any text we would store (cells,
file names, the names of people), and a report never repeats one."""

from pathlib import Path

import polars as pl
import pytest

from etl import store
from etl.access import cli_actor
from etl.load import load_file
from etl.messages import plain
from etl.personal_data import PersonalData, hetu_in, looks_like_hetu, masked
from tests.conftest import Cli, data_digest, run_cli, write

HEADER = "sopimus;mittari;kuukausi;arvo;n;asiakas;huomautus\n"
VALID_ROW = "KH-TEST;nps;2025-01;40;30;;\n"

HETU_LIKE = [
    pytest.param("010180-123A", id="plain"),
    pytest.param("010180-123a", id="lowercase-check-character"),
    pytest.param("010100a123B", id="lowercase-century-sign"),
    pytest.param("ID010180-123A", id="glued-to-letters-before"),
    pytest.param("010180-123Ax", id="glued-to-letters-after"),
    pytest.param("Matti 010180-123A tulokset.csv", id="in-a-file-name"),
    pytest.param("Maija Meikäläinen 131052-308T", id="in-a-name"),
    pytest.param("010180\u2013123A", id="en-dash-from-autocorrect"),
    pytest.param("010180\u2011123A", id="non-breaking-hyphen"),
    pytest.param("010180+123A", id="1800s"),
    pytest.param("010123Y123A", id="new-1900s-sign"),
    pytest.param("asiakas:010180-1234", id="check-digit"),
]

NOT_HETU = [
    pytest.param("1.3.2025", id="finnish-date"),
    pytest.param("2025-03-01", id="iso-date"),
    pytest.param("2345678-0", id="y-tunnus"),
    pytest.param("A0482913", id="pseudonymous-client-code"),
    pytest.param("KH-2024-001", id="contract-id"),
    pytest.param("20250301-1234", id="timestamp-like-number"),
    pytest.param("320180-123A", id="no-such-day"),
    pytest.param("011380-123A", id="no-such-month"),
    pytest.param("010180-123G", id="impossible-check-character"),
    pytest.param("010180 123A", id="space-is-no-century-sign"),
    pytest.param("Talous / demo", id="approver-name"),
]


@pytest.mark.parametrize("text", HETU_LIKE)
def test_hetu_variants_are_found_in_cells_and_in_names_alike(text: str) -> None:
    cells = pl.DataFrame({"text": [text]}).select(looks_like_hetu(pl.col("text")))
    assert cells.item() is True
    assert hetu_in(text)


@pytest.mark.parametrize("text", NOT_HETU)
def test_dates_business_ids_and_client_codes_are_not_taken_for_a_hetu(text: str) -> None:
    cells = pl.DataFrame({"text": [text]}).select(looks_like_hetu(pl.col("text")))
    assert cells.item() is False
    assert not hetu_in(text)


def test_masked_hides_the_individual_number_and_check_character() -> None:
    assert masked("010180-123A") == "010180-****"
    assert masked("ID010180-123ax ja 131052-308T") == "ID010180-****x ja 131052-****"
    assert masked("KH-2024-001 1.3.2025") == "KH-2024-001 1.3.2025"


def stored_deliveries(db: Path) -> list[tuple[object, ...]]:
    with store.reading(db) as con:
        return con.execute("SELECT file_name, loaded_by FROM delivery").fetchall()


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        pytest.param("asiakas", "010180-123a", id="lowercase-in-client"),
        pytest.param("asiakas", "ID010180-123A", id="glued-in-client"),
        pytest.param("huomautus", "soitettu 010180-123Ax", id="glued-in-note"),
    ],
)
def test_hetu_variant_in_a_cell_refuses_the_file_without_echoing_it(
    tmp_path: Path, db: Path, cli: Cli, column: str, cell: str
) -> None:
    row = f"KH-TEST;nps;2025-01;40;;{cell};\n" if column == "asiakas" else (
        f"KH-TEST;nps;2025-01;40;30;;{cell}\n"
    )  # fmt: skip
    before = data_digest(db)
    path = write(tmp_path / "toimitus.csv", HEADER + row)
    status, out = cli("load", path)
    assert status == 2, out
    # the hetu's individual number nowhere but in the file's own path (pytest's numbered
    # temporary folders reach /tmp/pytest-of-root/pytest-123/ too)
    assert "123" not in out.replace(str(path), "FILE"), out
    assert f"    2  {column}  (piilotettu: näyttää henkilötunnukselta)  " in out, out
    assert data_digest(db) == before


def test_hetu_in_the_file_name_refuses_the_file_and_the_name_is_shown_masked(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    path = write(tmp_path / "Matti 010180-123A tulokset.csv", HEADER + VALID_ROW)
    before = data_digest(db)
    status, out = cli("--lang", "en", "load", path)
    assert status == 2, out
    assert f"REJECTED {tmp_path}/Matti 010180-**** tulokset.csv" in out, out
    assert "the file name looks like it contains a henkilötunnus" in out, out
    assert "123A" not in out
    assert data_digest(db) == before
    assert stored_deliveries(db) == []


def test_hetu_in_a_header_refuses_the_file(tmp_path: Path, db: Path) -> None:
    text = "sopimus;mittari;kuukausi;arvo;n;010180-123A\n" + "KH-TEST;nps;2025-01;40;30;x\n"
    result = load_file(db, write(tmp_path / "otsake.csv", text))
    assert result.status == "rejected"
    assert [(p.row, p.column) for p in result.problems] == [(1, "010180-****")]
    assert "123A" not in str((result.problems, result.reasons, result.warnings))


def test_hetu_as_an_unknown_contract_id_is_reported_masked(tmp_path: Path, db: Path) -> None:
    result = load_file(
        db, write(tmp_path / "sopimus.csv", HEADER + "010180-123A;nps;2025-01;40;30;;\n")
    )
    assert result.status == "rejected"
    assert {(p.row, p.column, plain(p.text, "en")) for p in result.problems} == {
        (2, "sopimus", "010180-****"),
        (2, "sopimus", "(hidden: looks like a henkilötunnus)"),
    }
    assert "123A" not in str((result.problems, result.reasons, result.warnings))


def test_duplicate_client_report_prints_the_hetu_masked(tmp_path: Path, db: Path, cli: Cli) -> None:
    body = "KH-TEST;nps;2025-01;40;;131052-308T;\nKH-TEST;nps;2025-01;41;;131052-308T;\n"
    status, out = cli("--lang", "en", "load", write(tmp_path / "kahdesti.csv", HEADER + body))
    assert status == 2, out
    assert "x client 131052-**** is already on row 2" in out, out
    assert "308T" not in out


def test_loader_name_with_a_hetu_is_refused_before_the_file_is_read(
    tmp_path: Path, db: Path
) -> None:
    with pytest.raises(PersonalData):
        cli_actor("Matti 010180-123a")
    status, out = run_cli("--db", db, "load", "--by", "Matti 010180-123a",
                          write(tmp_path / "ok.csv", HEADER + VALID_ROW))  # fmt: skip
    assert status == 2, out
    assert "123a" not in out
    assert stored_deliveries(db) == []


@pytest.fixture
def settled(db: Path, tmp_path: Path) -> Path:
    """KH-TEST with a January delivery, settled: a draft for 2025-Q1 awaits approval."""
    assert run_cli("--db", db, "load", write(tmp_path / "ok.csv", HEADER + VALID_ROW))[0] == 0
    assert run_cli("--db", db, "settle")[0] == 0
    return db


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["load", "{file}"], id="load"),
        pytest.param(["settle"], id="settle"),
        pytest.param(["approve", "--contract", "KH-TEST", "--period", "2025-Q1"], id="approve"),
        pytest.param(["contracts", "add", "{contract}"], id="contracts-add"),
    ],
)
def test_by_with_a_hetu_is_refused_by_every_command(
    settled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    delivery = write(tmp_path / "helmikuu.csv", HEADER + "KH-TEST;nps;2025-02;41;30;;\n")
    contract = tmp_path / "KH-TEST.toml"
    contract.write_text("format = 1\n")
    args = [a.format(file=delivery, contract=contract) for a in command]
    before = data_digest(settled)
    capsys.readouterr()
    status, out = run_cli("--db", settled, *args, "--by", "Talous ID131052-308t")
    err = capsys.readouterr().err
    assert status == 2
    assert out == ""
    assert err == (
        "virhe: --by näyttää sisältävän henkilötunnuksen; henkilötietoja ei tallenneta: "
        "anna nimi ilman tunnusta\n"
    )
    assert data_digest(settled) == before
    with store.reading(settled) as con:
        assert con.execute("SELECT DISTINCT status, approved_by FROM settlement").fetchall() == [
            ("draft", None)
        ]
