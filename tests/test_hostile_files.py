"""Hostile supplier files: each is refused (or read exactly) with a plain report, in bounded
memory and time, without the write lock, and without leaving files behind. Every hostile file
is made by its test; the zip bombs are small on disk."""

import fcntl
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from etl import limits, store, temp_files
from etl.load import load_file, load_upload
from etl.messages import render
from tests.conftest import REPO, TEST_CONTRACT, Cli, data_digest, file_digest, run_cli, write
from tests.test_store import big_record_level_file

VAIKUTTAVUUS = [sys.executable, "-m", "etl.cli"]
HEADER = "sopimus;mittari;kuukausi;arvo;n\n"
GiB = 1 << 30
INTERNAL_WORDS = ("Traceback", "_csv", "truncate_ragged_lines", "polars", "Polars", "Error:")

# -- building workbooks by hand, part by part -------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}
SHEET_START = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
HEADER_ROW = (
    b'<row r="1"><c t="inlineStr"><is><t>sopimus</t></is></c><c t="inlineStr"><is><t>mittari'
    b'</t></is></c><c t="inlineStr"><is><t>kuukausi</t></is></c><c t="inlineStr"><is><t>arvo'
    b"</t></is></c></row>"
)
DATA_ROW = (
    b'<row><c t="inlineStr"><is><t>KH-TEST</t></is></c><c t="inlineStr"><is><t>nps</t></is>'
    b'</c><c t="inlineStr"><is><t>2025-01</t></is></c><c><v>40</v></c></row>'
)
SHEET_END = b"</sheetData></worksheet>"


def workbook(
    path: Path,
    rows: Iterator[bytes],
    texts: Iterator[bytes] | None = None,
    extra_parts: int = 0,
) -> Path:
    """An .xlsx of the given sheet rows (after the header row) and shared texts, streamed into
    the archive so that nothing large is ever in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in PARTS.items():
            archive.writestr(name, content)
        if texts is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(f'<?xml version="1.0"?><sst xmlns="{MAIN}">'.encode())
                for text in texts:
                    part.write(b"<si><t>" + text + b"</t></si>")
                part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(SHEET_START + HEADER_ROW)
            for row in rows:
                part.write(row)
            part.write(SHEET_END)
        for number in range(extra_parts):
            archive.writestr(f"customXml/item{number}.xml", "<a/>")
    return path


def repeated(chunk: bytes, times: int, per_write: int = 10_000) -> Iterator[bytes]:
    block = chunk * per_write
    for _ in range(times // per_write):
        yield block
    yield chunk * (times % per_write)


def rows_bomb(path: Path) -> Path:
    """3 000 000 identical rows: 465 MB of sheet in under 2 MB."""
    return workbook(path, repeated(DATA_ROW, 3_000_000))


def shared_text_bomb(path: Path) -> Path:
    """One 400 MB text in the workbook's text table, in under 500 KB."""
    return workbook(
        path, iter([b'<row><c t="s"><v>0</v></c></row>']), repeated(b"x" * (1 << 20), 400, 1)
    )


def expansion_bomb(path: Path) -> Path:
    """A 32 000-character text referred to by 30 000 rows: 1 GB of cell text from a sheet of
    under 1 MiB, which no compression ratio reveals."""
    texts = iter([b"y" * 32_000])
    return workbook(path, repeated(b'<row><c t="s"><v>0</v></c></row>', 30_000), texts)


def lying_bomb(path: Path) -> Path:
    """A sheet whose archive directory declares 1 MB while its data expand to 200 MB."""
    workbook(path, repeated(DATA_ROW, 1_300_000))
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_length]) == name:
            data[at + 24 : at + 28] = (1_000_000).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def delivery_count(db: Path) -> tuple[int, int]:
    with store.reading(db) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM delivery), (SELECT count(*) FROM observation)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def report_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines()]


def assert_plain(out: str) -> None:
    for word in INTERNAL_WORDS:
        assert word not in out, out


# -- 1. exactly the file given ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["d[1].csv", "d*.csv", "d?.csv"])
def test_a_name_with_glob_characters_loads_exactly_that_file(
    tmp_path: Path, db: Path, cli: Cli, name: str
) -> None:
    write(tmp_path / "d1.csv", HEADER + "KH-TEST;nps;2025-01;10;30\n")
    hostile = write(tmp_path / name, HEADER + "KH-TEST;nps;2025-01;99;30\n")
    status, out = cli("load", hostile)
    assert status == 0, out
    with store.reading(db) as con:
        rows = con.execute(
            "SELECT d.file_name, d.sha256, o.value FROM delivery d JOIN observation o "
            "USING (delivery_id)"
        ).fetchall()
    assert [(f, str(v)) for f, _, v in rows] == [(name, "99.000000")]
    assert rows[0][1] == file_digest(hostile)


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_a_workbook_or_parquet_name_with_brackets_loads_exactly_that_file(
    tmp_path: Path, db: Path, cli: Cli, kind: str
) -> None:
    for name, value in ((f"d1.{kind}", 10), (f"d[1].{kind}", 99)):
        if kind == "xlsx":
            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.append(["sopimus", "mittari", "kuukausi", "arvo", "n"])
            sheet.append(["KH-TEST", "nps", "2025-01", value, 30])
            book.save(tmp_path / name)
        else:
            pl.DataFrame(
                {"sopimus": ["KH-TEST"], "mittari": ["nps"], "kuukausi": ["2025-01"],
                 "arvo": [value], "n": [30]}
            ).write_parquet(tmp_path / name)  # fmt: skip
    status, out = cli("load", tmp_path / f"d[1].{kind}")
    assert status == 0, out
    with store.reading(db) as con:
        assert con.execute("SELECT value FROM observation").fetchall() == [(99,)]


def test_an_upload_is_written_under_our_name_and_the_browsers_name_is_only_recorded(
    tmp_path: Path, db: Path
) -> None:
    write(tmp_path / "d1.csv", HEADER + "KH-TEST;nps;2025-01;10;30\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    browser_name = "../../d[1].csv"
    result = load_upload(db, browser_name, (HEADER + "KH-TEST;nps;2025-01;99;30\n").encode())
    assert result.status == "loaded", result.problems
    assert result.file == "d[1].csv"
    with store.reading(db) as con:
        assert con.execute(
            "SELECT file_name, value FROM delivery JOIN observation USING (delivery_id)"
        ).fetchall() == [("d[1].csv", 99)]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not (tmp_path.parent.parent / "d[1].csv").exists()


# -- 2. zip bombs -----------------------------------------------------------------------------


def test_a_workbook_of_millions_of_rows_is_refused_by_its_compression_ratio(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    bomb = rows_bomb(tmp_path / "rivit.xlsx")
    assert bomb.stat().st_size < 3_000_000
    before = data_digest(db)
    status, out = cli("--lang", "en", "load", bomb)
    assert status == 2, out
    assert "xl/worksheets/sheet1.xml is compressed" in out and "possible zip bomb" in out
    assert_plain(out)
    assert data_digest(db) == before


def test_a_workbook_with_a_400_mb_shared_text_is_refused_before_reading_it(
    tmp_path: Path, db: Path
) -> None:
    result = load_file(db, shared_text_bomb(tmp_path / "teksti.xlsx"))
    assert result.status == "rejected"
    assert len(result.problems) == 1
    reason = render(result.problems[0].reason, "en")
    assert reason.startswith("xl/sharedStrings.xml is compressed ")
    assert "(400 MiB from " in reason and reason.endswith("refused as a possible zip bomb")


def test_a_shared_text_past_its_size_limit_is_refused_even_when_it_compresses_modestly(
    tmp_path: Path, db: Path
) -> None:
    noise = random.Random(9)
    texts = (noise.randbytes(1 << 14).hex().encode() + b"t" * (1 << 20) for _ in range(67))
    result = load_file(db, workbook(tmp_path / "tekstit.xlsx", iter([]), texts))
    assert result.status == "rejected"
    assert render(result.problems[0].reason, "en") == (
        "the workbook's table of texts (xl/sharedStrings.xml) would take 69.1 MiB; at most "
        "64 MiB is read"
    )


def test_one_long_text_referred_to_by_every_row_is_refused_before_it_fills_memory(
    tmp_path: Path, db: Path
) -> None:
    result = load_file(db, expansion_bomb(tmp_path / "viittaukset.xlsx"))
    assert result.status == "rejected"
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.column == "sopimus" and problem.row is not None and problem.row < 1000
    reason = render(problem.reason, "en")
    assert "possible zip bomb" in reason
    assert "over 16 times the size of the sheet itself" in reason


def test_a_workbook_that_declares_less_than_it_expands_to_is_read_no_further(
    tmp_path: Path, db: Path
) -> None:
    result = load_file(db, lying_bomb(tmp_path / "valhe.xlsx"))
    assert result.status == "rejected"
    reasons = [render(p.reason, "en") for p in result.problems]
    assert [reason.split(":")[0] for reason in reasons] == ["the workbook is damaged"]
    assert "Bad CRC-32" in reasons[0]


def test_a_workbook_of_too_many_parts_is_refused_before_its_directory_is_read(
    tmp_path: Path, db: Path
) -> None:
    book = workbook(tmp_path / "osat.xlsx", iter([DATA_ROW]), extra_parts=limits.XLSX_MAX_PARTS)
    result = load_file(db, book)
    assert result.status == "rejected"
    reason = render(result.problems[0].reason, "en")
    assert reason.startswith("the workbook's zip archive has 1,005 parts")
    assert reason.endswith("a workbook has at most 1,000")


def test_a_row_past_excels_last_row_is_refused_without_reading_the_rows_between(
    tmp_path: Path, db: Path
) -> None:
    row = DATA_ROW.replace(b"<row>", b'<row r="1048577">')
    result = load_file(db, workbook(tmp_path / "rivi.xlsx", iter([DATA_ROW, row])))
    assert [(p.row, render(p.reason, "en")) for p in result.problems] == [
        (1_048_577, "the sheet has a row 1,048,577; Excel's last row is 1,048,576")
    ]


def test_a_workbook_cell_longer_than_excel_allows_is_refused_with_its_row_and_column(
    tmp_path: Path, db: Path
) -> None:
    long = DATA_ROW.replace(b"<t>nps</t>", b"<t>" + b"n" * 40_000 + b"</t>")
    result = load_file(db, workbook(tmp_path / "pitka.xlsx", iter([DATA_ROW, long])))
    assert [(p.row, p.column, render(p.reason, "en")) for p in result.problems] == [
        (3, "mittari", "the cell is longer than 32,767 characters (Excel's own limit for a cell)")
    ]


def test_a_parquet_file_of_one_long_text_repeated_is_refused_before_it_is_expanded(
    tmp_path: Path, db: Path
) -> None:
    rows = 300_000
    zeros = pa.array([0] * rows, type=pa.int32())

    def column(text: str) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(zeros, pa.array([text]))

    path = tmp_path / "toisto.parquet"
    pq.write_table(
        pa.table({"sopimus": column("KH-TEST"), "mittari": column("nps"),
                  "kuukausi": column("2025-01"), "huomautus": column("z" * 32_000)}),
        path,
    )  # fmt: skip
    assert path.stat().st_size < 100_000
    result = load_file(db, path)
    assert result.status == "rejected"
    assert [render(p.reason, "en") for p in result.problems] == [
        "the cells hold more than 512 MiB of text together; that is refused (a few long "
        "texts repeated?)"
    ]


BOMBS = {
    "rows": rows_bomb,
    "shared-text": shared_text_bomb,
    "expansion": expansion_bomb,
    "lying-sizes": lying_bomb,
}
MEASURED = (
    "import sys\n"
    "from etl.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "status_lines = open('/proc/self/status').read().splitlines()\n"
    "peak = next(line.split()[1] for line in status_lines if line.startswith('VmHWM'))\n"
    "print('PEAK_KIB', peak, file=sys.stderr)\n"
    "sys.exit(status)\n"
)
"""Runs the command and prints its peak resident memory. Not getrusage(): a child forked from
this (large) test process would report the test process's peak, which Linux keeps across
exec; VmHWM is the peak of the command's own address space."""


@pytest.mark.slow
@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_zip_bomb_load_stays_under_1_gib_and_is_refused_in_under_10_s(
    tmp_path: Path, db: Path, bomb: str
) -> None:
    path = BOMBS[bomb](tmp_path / f"{bomb}.xlsx")
    before = data_digest(db)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, "--db", str(db), "load", str(path)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    peak = int(done.stderr.split("PEAK_KIB")[1].split()[0]) * 1024
    print(f"{bomb}: {path.stat().st_size} bytes on disk, {seconds:.2f} s, {peak / GiB:.3f} GiB")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "HYLÄTTY" in done.stdout
    assert_plain(done.stdout + done.stderr.split("PEAK_KIB")[0])
    assert peak < GiB
    assert seconds < 10
    assert data_digest(db) == before


def test_the_dashboard_upload_refuses_a_zip_bomb_like_the_command(tmp_path: Path, db: Path) -> None:
    content = rows_bomb(tmp_path / "b.xlsx").read_bytes()
    result = load_upload(db, "rivit.xlsx", content)
    assert result.status == "rejected"
    assert "possible zip bomb" in render(result.problems[0].reason, "en")
    assert temp_files.leftovers(db) == []


# -- 3. columns, and no checking under the write lock -----------------------------------------


@pytest.fixture
def write_lock_held(db: Path) -> Iterator[None]:
    """The database's write lock, held by someone else for the whole test."""
    with open(db.with_name(db.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def load_in_subprocess(db: Path, *files: Path, timeout: float = 60) -> tuple[int, str]:
    done = subprocess.run(
        [*VAIKUTTAVUUS, "--db", str(db), "load", *map(str, files)],
        cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


@pytest.mark.slow
def test_twenty_thousand_columns_are_refused_without_waiting_for_the_write_lock(
    tmp_path: Path, db: Path, write_lock_held: None
) -> None:
    names = ";".join(f"sarake{i}" for i in range(20_000))
    path = write(
        tmp_path / "leveä.csv",
        f"sopimus;mittari;kuukausi;arvo;n;{names}\nKH-TEST;nps;2025-01;40;30\n",
    )
    status, out = load_in_subprocess(db, path)
    assert status == 2, out
    assert "otsikkorivillä on 20\u00a0000 saraketta, joita muoto ei käytä; enintään 50" in out
    assert delivery_count(db) == (0, 0)


@pytest.mark.slow
def test_a_file_with_problems_is_checked_and_refused_without_taking_the_write_lock(
    tmp_path: Path, db: Path, write_lock_held: None
) -> None:
    body = "KH-9999;nps;2025-01;40;30\nKH-TEST;nps;2025-02;x;30\nKH-TEST;nps;2025-02;41;30\n"
    status, out = load_in_subprocess(db, write(tmp_path / "huono.csv", HEADER + body))
    assert status == 2, out
    assert "ongelmia 3" in out
    assert "tuntematon sopimus" in out and "ei ole luku" in out and "kaksoiskappale" in out


def test_terms_changed_between_the_check_and_the_write_lock_make_the_file_checked_again(
    tmp_path: Path, db: Path
) -> None:
    shorter = write(
        tmp_path / "KH-TEST.toml",
        TEST_CONTRACT.read_text(encoding="utf-8").replace("end = 2025-12-31", "end = 2025-06-30"),
    )
    changed: list[int] = []

    def change_terms_once(rows: int) -> None:
        if not changed:
            changed.append(run_cli("--db", db, "contracts", "add", shorter)[0])

    body = "KH-TEST;nps;2025-05;40;30\nKH-TEST;nps;2025-09;40;30\n"
    result = load_file(db, write(tmp_path / "a.csv", HEADER + body), progress=change_terms_once)
    assert changed == [0]
    assert result.status == "rejected"
    assert [(p.row, p.column) for p in result.problems] == [(3, "kuukausi")]
    assert "outside the contract" in render(result.problems[0].reason, "en")
    assert delivery_count(db) == (0, 0)


# -- 4. CSV files the parser cannot read ------------------------------------------------------


def test_a_5_mb_header_cell_is_refused_with_row_column_and_reason(tmp_path: Path, cli: Cli) -> None:
    path = write(tmp_path / "otsikko.csv", "sopimus;mittari;kuukausi;" + "x" * 5_000_000 + "\n")
    status, out = cli("--lang", "en", "load", path)
    assert status == 2, out
    assert "1  column 4" in out
    assert "the header cell is longer than 1,000 characters (a column name)" in out
    assert_plain(out)


def test_cr_only_line_ends_are_refused_in_plain_words(tmp_path: Path, cli: Cli) -> None:
    path = write(tmp_path / "mac.csv", HEADER.replace("\n", "\r") + "KH-TEST;nps;2025-01;40;30\r")
    status, out = cli("--lang", "en", "load", path)
    assert status == 2, out
    assert "the lines end in a carriage return alone (CR, the old Mac format)" in out
    assert_plain(out)


def test_an_unterminated_quote_names_its_row_and_column(tmp_path: Path, cli: Cli) -> None:
    body = 'KH-TEST;nps;2025-01;40;30\nKH-TEST;nps;2025-02;"41;30\nKH-TEST;nps;2025-03;42;30\n'
    status, out = cli("--lang", "en", "load", write(tmp_path / "lainaus.csv", HEADER + body))
    assert status == 2, out
    line = next(ln for ln in report_lines(out) if ln.startswith("3 "))
    assert line.split()[:2] == ["3", "arvo"]
    assert 'a quote (") opens this cell but never closes' in line
    assert_plain(out)


def test_a_quote_out_of_place_names_its_row_and_column(tmp_path: Path, cli: Cli) -> None:
    body = 'KH-TEST;nps;2025-01;40;30\nKH-TEST;"nps"x;2025-02;41;30;\n'
    status, out = cli("--lang", "en", "load", write(tmp_path / "lainaus2.csv", HEADER + body))
    assert status == 2, out
    line = next(ln for ln in report_lines(out) if ln.startswith("3 "))
    assert line.split()[:2] == ["3", "mittari"]
    assert 'a quote (") is out of place in this cell' in line
    assert_plain(out)


def test_a_csv_cell_longer_than_excel_allows_is_refused_with_row_and_column(
    tmp_path: Path, db: Path
) -> None:
    text = "sopimus;mittari;kuukausi;arvo;n;huomautus\n" + "KH-TEST;nps;2025-01;40;30;ok\n"
    text += "KH-TEST;nps;2025-02;40;30;" + "h" * 40_000 + "\n"
    result = load_file(db, write(tmp_path / "huom.csv", text))
    assert [(p.row, p.column, render(p.reason, "en")) for p in result.problems] == [
        (3, "huomautus", "the cell is longer than 32,767 characters (Excel's own limit for a cell)")
    ]


# -- 5. a verdict for every file --------------------------------------------------------------


def test_parquet_list_and_binary_columns_get_their_own_rejection_report(
    tmp_path: Path, cli: Cli
) -> None:
    path = tmp_path / "listat.parquet"
    pl.DataFrame(
        {"sopimus": ["KH-TEST"], "mittari": ["nps"], "kuukausi": ["2025-01"],
         "arvo": [[40, 41]], "liite": [b"\x00\x01"]}
    ).write_parquet(path)  # fmt: skip
    status, out = cli("--lang", "en", "load", path)
    assert status == 2, out
    assert "2 problem(s)" in out
    lines = [ln.split(None, 3) for ln in report_lines(out) if ln.startswith("1 ")]
    assert [(column, reason) for _, column, _, reason in lines] == [
        ("arvo", "the column holds lists of values: a cell must hold one text, number or date"),
        ("liite", "the column holds binary data (bytes, not text): a cell must hold one text, "
         "number or date"),
    ]  # fmt: skip
    assert_plain(out)


def test_each_file_of_a_multi_file_load_gets_its_own_verdict(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    listed = tmp_path / "a.parquet"
    pl.DataFrame(
        {"sopimus": ["KH-TEST"], "mittari": [["nps"]], "kuukausi": ["2025-01"]}
    ).write_parquet(listed)
    files = [
        listed,
        write(tmp_path / "b.csv", HEADER + "KH-TEST;nps;2025-01;40;30\n"),
        rows_bomb(tmp_path / "c.xlsx"),
        write(tmp_path / "d.csv", HEADER.replace("\n", "\r") + "KH-TEST;nps;2025-02;40;30\r"),
        tmp_path / "e-missing.csv",
        write(tmp_path / "f.csv", HEADER + "KH-TEST;nps;2025-03;40;30\n"),
    ]
    status, out = cli("--lang", "en", "load", *files)
    assert status == 2, out
    verdicts = [ln.split()[0] for ln in out.splitlines() if ln and not ln.startswith(" ")]
    assert verdicts == ["REJECTED", "LOADED", "REJECTED", "REJECTED", "REJECTED", "LOADED"]
    assert delivery_count(db) == (2, 2)
    assert_plain(out)


# -- 6. temporary files -----------------------------------------------------------------------


def test_a_windows_1252_copy_is_made_beside_the_database_and_removed_on_rejection(
    tmp_path: Path, db: Path
) -> None:
    seen: list[list[str]] = []

    def look(rows: int) -> None:
        seen.append(
            [
                f"{folder.name}/{f.name}"
                for folder in temp_files.leftovers(db)
                for f in folder.iterdir()
            ]
        )

    body = "KH-TEST;nps;2025-01;40;30\nKH-TEST;nps;2025-02;hyvä €;30\n"
    result = load_file(db, write(tmp_path / "ansi.csv", HEADER + body, "cp1252"), progress=look)
    assert result.status == "rejected"
    assert seen and any(name.split("/")[1].startswith("utf8-") for name in seen[0]), seen
    assert all(name.startswith(f".{db.name}.tmp-") for name in seen[0])
    assert temp_files.leftovers(db) == []
    assert sorted(p.name for p in db.parent.iterdir()) == sorted(
        [db.name, db.name + ".lock", "ansi.csv"]
    )


@pytest.mark.slow
def test_a_killed_loads_temporary_files_are_removed_by_the_next_load(
    tmp_path: Path, db: Path
) -> None:
    big = big_record_level_file(tmp_path / "iso.csv", 1_000_000)
    with open(big, "ab") as handle:
        handle.write("KH-TEST;nps;2025-01;B000000001;40 €\n".encode("cp1252"))
    loader = subprocess.Popen(
        [*VAIKUTTAVUUS, "--db", str(db), "load", str(big)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not any(
            f.name.startswith("utf8-") for d in temp_files.leftovers(db) for f in d.iterdir()
        ):
            assert loader.poll() is None, "the load ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(loader.pid, signal.SIGKILL)
    finally:
        loader.wait()
    left = temp_files.leftovers(db)
    assert len(left) == 1
    status, out = load_in_subprocess(
        db, write(tmp_path / "pieni.csv", HEADER + "KH-TEST;nps;2025-01;40;30\n")
    )
    assert status == 0, out
    assert temp_files.leftovers(db) == []


def test_a_temporary_folder_still_in_use_is_left_alone(tmp_path: Path, db: Path) -> None:
    with temp_files.folder_for(db) as other:
        (other / "in-use.csv").write_text("x")
        result = load_file(db, write(tmp_path / "a.csv", HEADER + "KH-TEST;nps;2025-01;40;30\n"))
        assert result.status == "loaded"
        assert (other / "in-use.csv").exists()
    assert temp_files.leftovers(db) == []


def test_staged_rows_and_sums_reach_the_store_as_a_direct_load_would(
    tmp_path: Path, db: Path
) -> None:
    body = "KH-TEST;nps;2025-01;40;30\nKH-TEST;nps;2025-02;41,5;20\nKH-TEST;rikkeet;2025-02;2;\n"
    result = load_file(db, write(tmp_path / "a.csv", HEADER + body))
    assert result.status == "loaded"
    with store.reading(db) as con:
        tally = con.execute(
            "SELECT delivery_id, indicator_id, period, rows, value_sum, weighted_sum, weight_sum "
            "FROM scope_tally ORDER BY period, indicator_id"
        ).fetchall()
    assert [tuple(map(str, row)) for row in tally] == [
        ("1", "nps", "2025-01", "1", "40.000000", "1200.000000", "30"),
        ("1", "nps", "2025-02", "1", "41.500000", "830.000000", "20"),
        ("1", "rikkeet", "2025-02", "1", "2.000000", "2.000000", "1"),
    ]
