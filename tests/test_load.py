"""Loading supplier deliveries: formats, exact values, rejection reports, all or nothing."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook
from polars.testing import assert_frame_equal

from etl import store
from etl.load import load_file
from etl.messages import render
from tests.conftest import Cli, data_digest, write

HEADER_FI = "sopimus;mittari;kuukausi;arvo;n;osoittaja;nimittäjä;poissuljetut;asiakas;huomautus\n"


def observations(db: Path, view: str = "observation") -> pl.DataFrame:
    with store.reading(db) as con:
        frame: pl.DataFrame = con.sql(
            f"SELECT delivery_id, source_row, contract_id, indicator_id, period, value, n, "
            f"numerator, denominator, excluded, client, note FROM {view} "
            "ORDER BY delivery_id, source_row"
        ).pl()
    return frame


def expected_rows(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    decimal = pl.Decimal(18, 6)
    schema: dict[str, pl.DataType] = {
        "delivery_id": pl.Int32(), "source_row": pl.Int64(), "contract_id": pl.String(),
        "indicator_id": pl.String(), "period": pl.String(), "value": decimal, "n": pl.Int64(),
        "numerator": decimal, "denominator": decimal, "excluded": decimal,
        "client": pl.String(), "note": pl.String(),
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema, orient="row")


def D(text: str) -> Decimal:  # noqa: N802
    return Decimal(text)


def test_finnish_windows_1252_csv_with_decimal_comma_loads_exact_values(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    text = (
        HEADER_FI
        + "KH-TEST;adl;1/2025;;;80;100;3;;RAI-arvio – “tarkistettu”\n"
        + "KH-TEST;nps;1.2.2025;42,5;35;;;;;maksu 5 €\n"
        + "KH-TEST;rikkeet;2025-03;2;;;;;;\n"
        + "KH-TEST;mitoitus;2025-03;0,71;;;;;;\n"
    )
    path = write(tmp_path / "toimitus.csv", text, "cp1252")
    status, out = cli("--lang", "en", "load", path, "--by", "Hoiva Testi")
    assert status == 0, out
    assert "LOADED" in out and "4 rows" in out
    assert_frame_equal(
        observations(db),
        expected_rows(
            [
                (
                    1,
                    2,
                    "KH-TEST",
                    "adl",
                    "2025-01",
                    None,
                    None,
                    D("80"),
                    D("100"),
                    D("3"),
                    None,
                    "RAI-arvio – “tarkistettu”",
                ),
                (
                    1,
                    3,
                    "KH-TEST",
                    "nps",
                    "2025-02",
                    D("42.5"),
                    35,
                    None,
                    None,
                    None,
                    None,
                    "maksu 5 €",
                ),
                (1, 4, "KH-TEST", "rikkeet", "2025-03", D("2"), None, None, None, None, None, None),
                (
                    1,
                    5,
                    "KH-TEST",
                    "mitoitus",
                    "2025-03",
                    D("0.71"),
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ),
            ]
        ),
    )
    with store.reading(db) as con:
        delivery = con.execute(
            "SELECT file_name, loaded_by, row_count, shape, file_format, encoding, delimiter "
            "FROM delivery"
        ).fetchall()
    assert delivery == [
        (
            "toimitus.csv",
            "Hoiva Testi (komentorivi)",
            4,
            "indicator-report",
            "csv",
            "windows-1252",
            ";",
        )
    ]


def test_utf8_bom_and_english_comma_file_load_alike(tmp_path: Path, db: Path, cli: Cli) -> None:
    bom = write(
        tmp_path / "bom.csv",
        "\ufeffsopimus;mittari;kausi;osoittaja;nimittäjä\r\nKH-TEST;adl;2025-04;81;100\r\n",
    )
    english = write(
        tmp_path / "english.csv",
        'contract,indicator,period,value,n\nKH-TEST,nps,2025-05,"41,5",40\nKH-TEST,nps,2025-06,39.25,31\n',
    )
    status, out = cli("--lang", "en", "load", bom, english)
    assert status == 0, out
    rows = observations(db).select("delivery_id", "period", "value", "numerator", "n")
    assert rows.rows() == [
        (1, "2025-04", None, D("81"), None),
        (2, "2025-05", D("41.5"), None, 40),
        (2, "2025-06", D("39.25"), None, 31),
    ]


def test_xlsx_first_sheet_with_numeric_and_date_cells(tmp_path: Path, db: Path, cli: Cli) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Sopimus", "Mittari", "Kuukausi", "Arvo", "N"])
    sheet.append(["KH-TEST", "nps", dt.datetime(2025, 7, 1), 44.5, 52])
    sheet.append(["KH-TEST", "mitoitus", "8/2025", 0.72, None])
    other = workbook.create_sheet("muistiinpanot")
    other.append(["not", "read"])
    path = tmp_path / "toimitus.xlsx"
    workbook.save(path)
    status, out = cli("--lang", "en", "load", path)
    assert status == 0, out
    rows = observations(db).select("source_row", "indicator_id", "period", "value", "n")
    assert rows.rows() == [
        (2, "nps", "2025-07", D("44.5"), 52),
        (3, "mitoitus", "2025-08", D("0.72"), None),
    ]


def test_parquet_delivery(tmp_path: Path, db: Path, cli: Cli) -> None:
    path = tmp_path / "toimitus.parquet"
    pl.DataFrame(
        {
            "contract": ["KH-TEST", "KH-TEST"],
            "indicator": ["adl", "nps"],
            "period": ["2025-09", "2025-09"],
            "numerator": [85, None],
            "denominator": [100, None],
            "value": [None, 38.5],
            "n": [None, 33],
        }
    ).write_parquet(path)
    status, out = cli("--lang", "en", "load", path)
    assert status == 0, out
    rows = observations(db).select("indicator_id", "value", "n", "numerator", "denominator")
    assert rows.rows() == [
        ("adl", None, None, D("85"), D("100")),
        ("nps", D("38.5"), 33, None, None),
    ]


def test_record_level_rows_keep_the_client_code(tmp_path: Path, db: Path, cli: Cli) -> None:
    text = (
        "sopimus;mittari;kuukausi;asiakas;arvo;osoittaja;nimittäjä\n"
        "KH-TEST;nps;2025-03;A0000001;100;;\n"
        "KH-TEST;nps;2025-03;A0000002;-100;;\n"
        "KH-TEST;adl;2025-03;A0000001;;1;1\n"
    )
    status, out = cli("--lang", "en", "load", write(tmp_path / "asiakkaat.csv", text))
    assert status == 0, out
    assert "record-level" in out
    assert observations(db).select("client", "value", "numerator").rows() == [
        ("A0000001", D("100"), None),
        ("A0000002", D("-100"), None),
        ("A0000001", None, D("1")),
    ]


def test_blank_lines_are_skipped_and_rows_keep_excel_numbers(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    text = (
        "sopimus;mittari;kuukausi;arvo;n\n\nKH-TEST;nps;2025-03;40;31\n;;;;\n\n"
        "KH-TEST;nps;x;40;31\n"
    )
    status, out = cli("--lang", "en", "load", write(tmp_path / "tyhjat.csv", text))
    assert status == 2
    assert '    6  kuukausi  "x"' in out


REJECTIONS = [
    pytest.param(
        "KH-9999;adl;2025-01;;;80;100;;;\n", 2, "sopimus", '"KH-9999"', "unknown contract",
        id="unknown-contract",
    ),
    pytest.param(
        "KH-TEST;kaatumiset;2025-01;;;1;100;;;\n", 2, "mittari", '"kaatumiset"',
        "no such indicator", id="unknown-indicator",
    ),
    pytest.param(
        "KH-TEST;adl;12/2024;;;80;100;;;\n", 2, "kuukausi", '"12/2024"', "outside the contract",
        id="month-outside-contract",
    ),
    pytest.param(
        "KH-TEST;adl;2025-H1;;;80;100;;;\n", 2, "kuukausi", '"2025-H1"',
        "settles by another period", id="period-kind-not-the-contracts",
    ),
    pytest.param(
        "KH-TEST;adl;2025-01;81,5;;;;;;\n", 2, "arvo", '"81,5"',
        "takes numerator and denominator", id="value-on-a-ratio-indicator",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;40;30;20;30;;;\n", 2, "osoittaja", '"20"', "takes value",
        id="numerator-on-a-mean-indicator",
    ),
    pytest.param(
        "KH-TEST;rikkeet;2025-01;2;5;;;;;\n", 2, "n", '"5"', "n is not used", id="n-on-a-sum",
    ),
    pytest.param(
        "KH-TEST;adl;2025-01;;;101;100;;;\n", 2, "osoittaja", '"101"',
        "numerator is greater than denominator", id="numerator-over-denominator",
    ),
    pytest.param(
        "KH-TEST;adl;2025-01;;;90;100;20;;\n", 2, "osoittaja", '"90"',
        "greater than denominator minus excluded", id="numerator-over-effective-denominator",
    ),
    pytest.param(
        "KH-TEST;adl;2025-01;;;-3;100;;;\n", 2, "osoittaja", '"-3"', "negative count",
        id="negative-count",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;40;-5;;;;;\n", 2, "n", '"-5"', "negative count", id="negative-n",
    ),
    pytest.param(
        "KH-TEST;rikkeet;2025-01;-1;;;;;;\n", 2, "arvo", '"-1"', "cannot be negative",
        id="negative-sum-value",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;n/a;30;;;;;\n", 2, "arvo", '"n/a"', "not a number",
        id="text-for-a-number",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;12,5 %;30;;;;;\n", 2, "arvo", '"12,5 %"', "not a number",
        id="number-with-unit",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;40;30,5;;;;;\n", 2, "n", '"30,5"', "whole number",
        id="fractional-n",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;40,1234567;30;;;;;\n", 2, "arvo", '"40,1234567"',
        "more than 6 decimals", id="too-many-decimals",
    ),
    pytest.param(
        "KH-TEST;nps;2025-13;40;30;;;;;\n", 2, "kuukausi", '"2025-13"', "not a period",
        id="unreadable-period",
    ),
    pytest.param(
        ";nps;2025-01;40;30;;;;;\n", 2, "sopimus", "(empty)", "contract id is empty",
        id="empty-contract",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;40;30;;;;A1;\nKH-TEST;nps;2025-01;41;30;;;;A1;\n", 3, "kuukausi",
        '"2025-01"', "already on row 2", id="duplicate-record-row",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;40;30;;;;;\nKH-TEST;nps;1.1.2025;41;30;;;;;\n", 3, "kuukausi",
        '"2025-01"', "duplicate: KH-TEST x nps x 2025-01 is already on row 2",
        id="duplicate-month-written-two-ways",
    ),
    pytest.param(
        "KH-TEST;nps;2025-01;40;2;;;;A1;\n", 2, "n", '"2"', "record-level row",
        id="n-on-a-record-level-row",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("body", "row", "column", "text", "reason"), REJECTIONS)
def test_invalid_row_rejects_the_file_and_names_row_column_text_reason(
    tmp_path: Path, db: Path, cli: Cli, body: str, row: int, column: str, text: str, reason: str
) -> None:
    before = data_digest(db)
    path = write(tmp_path / "huono.csv", HEADER_FI + body)
    status, out = cli("--lang", "en", "load", path)
    assert status == 2, out
    assert f"REJECTED {path}" in out
    line = next((ln for ln in out.splitlines() if ln.strip().startswith(f"{row}  {column} ")), None)
    assert line is not None, out
    assert text in line and reason in line, line
    assert data_digest(db) == before


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path, db: Path) -> None:
    body = (
        "KH-9999;adl;2025-01;;;80;100;;;\n"
        "KH-TEST;adl;2025-02;;;101;100;;;\n"
        "KH-TEST;nps;2025-03;hyvä;30;;;;;\n"
    )
    result = load_file(db, write(tmp_path / "monta.csv", HEADER_FI + body))
    assert result.status == "rejected"
    assert [(p.row, p.column, p.text, render(p.reason, "fi")) for p in result.problems] == [
        (2, "sopimus", "KH-9999", "tuntematon sopimus (ei tallennetuissa sopimusehdoissa)"),
        (3, "osoittaja", "101", "osoittaja on suurempi kuin nimittäjä"),
        (
            4,
            "arvo",
            "hyvä",
            "ei ole luku (kirjoita esim. 12,5 tai 12.5 ilman yksiköitä tai tekstiä)",
        ),
    ]


def test_identity_code_refuses_the_file_without_echoing_it(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    hetu = "131052-308T"
    body = f"KH-TEST;nps;2025-01;40;;;;;A1;\nKH-TEST;nps;2025-01;40;;;;;{hetu};\n"
    before = data_digest(db)
    status, out = cli("--lang", "en", "load", write(tmp_path / "hetu.csv", HEADER_FI + body))
    assert status == 2
    assert hetu not in out
    assert "henkilötunnus" in out
    assert "    3  asiakas" in out
    assert data_digest(db) == before


def test_identity_code_in_an_unknown_column_is_found_too(tmp_path: Path, db: Path) -> None:
    text = "sopimus;mittari;kuukausi;arvo;n;nimi\nKH-TEST;nps;2025-01;40;30;Testi 010203A1234\n"
    result = load_file(db, write(tmp_path / "hetu2.csv", text))
    assert result.status == "rejected"
    assert [(p.row, p.column) for p in result.problems] == [(2, "nimi")]
    assert "1234" not in str(result.problems)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"", "the file is empty (0 bytes)", id="empty"),
        pytest.param(HEADER_FI.encode(), "the file has no data rows", id="header-only"),
        pytest.param(
            b"sopimus;arvo\nKH-TEST;1\n", "missing column(s) indicator, period", id="no-columns"
        ),
        pytest.param(
            b"sopimus;mittari;kuukausi;arvo\nKH-TEST;nps;2025-01;\x81\n",
            "neither UTF-8 nor Windows-1252",
            id="unknown-encoding",
        ),
        pytest.param(
            b"sopimus;mittari;kuukausi;arvo\nKH-TEST;nps;2025-01;4;5;6\n",
            "row has 6 fields but the header has 4",
            id="ragged-row",
        ),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(
    tmp_path: Path, db: Path, content: bytes, reason: str
) -> None:
    before = data_digest(db)
    path = tmp_path / "huono.csv"
    path.write_bytes(content)
    result = load_file(db, path)
    assert result.status == "rejected"
    assert any(reason in render(p.reason, "en") for p in result.problems), result.problems
    assert data_digest(db) == before


def test_loading_the_same_bytes_again_changes_nothing(tmp_path: Path, db: Path, cli: Cli) -> None:
    path = write(tmp_path / "a.csv", HEADER_FI + "KH-TEST;nps;2025-01;40;30;;;;;\n")
    assert cli("--lang", "en", "load", path)[0] == 0
    before = data_digest(db)
    copy = write(tmp_path / "copy-with-other-name.csv", path.read_text())
    status, out = cli("--lang", "en", "load", copy)
    assert status == 0
    assert "UNCHANGED" in out and "delivery 1" in out
    assert data_digest(db) == before


def test_a_correction_supersedes_and_both_stay_queryable(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    original = write(
        tmp_path / "2025-01.csv",
        HEADER_FI + "KH-TEST;adl;2025-01;;;80;100;;;\nKH-TEST;nps;2025-01;40;30;;;;;\n",
    )
    correction = write(
        tmp_path / "korjaus-2025-01.csv",
        HEADER_FI + "KH-TEST;adl;2025-01;;;57;100;;;RAI-vertailu korjattu\n",
    )
    assert cli("--lang", "en", "load", original)[0] == 0
    status, out = cli("--lang", "en", "load", correction)
    assert status == 0
    assert "superseding earlier data for 1 contract x indicator x period" in out
    assert observations(db, "observation_current").select(
        "delivery_id", "indicator_id", "numerator"
    ).rows() == [(1, "nps", None), (2, "adl", D("57"))]
    assert observations(db).height == 3
    status, out = cli("deliveries")
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["nro", "tiedosto", "ladattu", "lataaja", "rivejä"]
    assert "osittain korvattu (1/2)" in lines[1] and "mittariraportti" in lines[1]
    assert "oikaisee 1" in lines[2] and "voimassa" in lines[2]
    assert lines[-1] == "toimituksia 2"
    status, out = cli("--lang", "sv", "deliveries")
    lines = out.splitlines()
    assert "delvis ersatt (1/2)" in lines[1]
    assert "korrigerar 1" in lines[2] and "gällande" in lines[2]
    assert lines[-1] == "2 leveranser"


def test_each_file_of_a_call_is_its_own_unit(tmp_path: Path, db: Path, cli: Cli) -> None:
    good = write(tmp_path / "a.csv", HEADER_FI + "KH-TEST;nps;2025-01;40;30;;;;;\n")
    bad = write(tmp_path / "b.csv", HEADER_FI + "KH-TEST;nps;2025-02;x;30;;;;;\n")
    other = write(tmp_path / "c.csv", HEADER_FI + "KH-TEST;nps;2025-03;40;30;;;;;\n")
    status, out = cli("--lang", "en", "load", good, bad, other)
    assert status == 2
    assert [ln.split()[0] for ln in out.splitlines() if ln and not ln.startswith(" ")] == [
        "LOADED",
        "REJECTED",
        "LOADED",
    ]
    assert observations(db).select("delivery_id", "period").rows() == [
        (1, "2025-01"),
        (2, "2025-03"),
    ]


def test_unknown_columns_are_named_in_a_note(tmp_path: Path, db: Path, cli: Cli) -> None:
    path = write(
        tmp_path / "a.csv",
        "sopimus;mittari;kausi;arvo;n;yksikkö\nKH-TEST;nps;2025-01;40;30;Koivu\n",
    )
    status, out = cli("--lang", "en", "load", path)
    assert status == 0
    assert "note: ignored column(s) not used by the format: yksikkö" in out


def test_utf16_excel_unicode_text_export(tmp_path: Path, db: Path, cli: Cli) -> None:
    path = write(
        tmp_path / "unicode.txt",
        "sopimus\tmittari\tkausi\tarvo\tn\nKH-TEST\tnps\t2025-01\t40,5\t30\n",
        "utf-16",
    )
    status, out = cli("--lang", "en", "load", path)
    assert status == 0, out
    assert observations(db).select("value").item() == D("40.5")
