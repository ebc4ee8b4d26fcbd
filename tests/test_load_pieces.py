"""A large CSV file is read in pieces of whole lines (`etl.readers.CSV_PIECE_BYTES`) and its
rows are checked batch by batch: the pieces give the rows, row numbers and problems of one
read of the whole file, and what is stored has the observation table's declared shape."""

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from etl import readers, store
from etl.load import load_file
from etl.readers import inspect_file, open_text_frames
from etl.schemas import observation_schema
from tests.conftest import write

HEADER = "sopimus;mittari;kuukausi;arvo;n;asiakas;huomautus\n"


def rows_read(path: Path, work: Path) -> pl.DataFrame:
    frames = open_text_frames(path, inspect_file(path), work)
    try:
        return pl.concat(list(frames.batches))
    finally:
        frames.close()


def record_lines(count: int) -> str:
    return "".join(f"KH-TEST;nps;2025-{1 + i % 12:02d};{i % 11};;A{i:07d};\n" for i in range(count))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(HEADER + record_lines(300), id="plain"),
        pytest.param(
            HEADER + "\n" + record_lines(40) + ";;;;;;\n\nKH-TEST;nps\n" + record_lines(40),
            id="blank-and-short-lines",
        ),
        pytest.param(
            (HEADER + record_lines(100)).replace("\n", "\r\n") + "KH-TEST;nps;2025-01;1;;B1;",
            id="crlf-and-no-last-newline",
        ),
        pytest.param(
            HEADER
            + record_lines(60)
            + 'KH-TEST;nps;2025-01;1;;B1;"two\nlines; quoted"\n'
            + record_lines(60),
            id="quoted-line-break-after-the-first-pieces",
        ),
    ],
)
def test_a_csv_file_read_in_pieces_gives_the_rows_of_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    path = write(tmp_path / "rivit.csv", text)
    whole = rows_read(path, tmp_path)
    monkeypatch.setattr(readers, "CSV_PIECE_BYTES", 256)
    pieces = rows_read(path, tmp_path)
    assert_frame_equal(pieces, whole)
    assert pieces.height > 1


def test_a_line_longer_than_a_piece_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = HEADER + record_lines(20) + "KH-TEST;nps;2025-01;1;;B1;" + "x" * 600 + "\n"
    path = write(tmp_path / "pitka.csv", text + record_lines(20))
    whole = rows_read(path, tmp_path)
    monkeypatch.setattr(readers, "CSV_PIECE_BYTES", 256)
    assert_frame_equal(rows_read(path, tmp_path), whole)


def test_a_duplicate_in_a_later_piece_names_the_row_of_the_first(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CSV_PIECE_BYTES", 256)
    text = HEADER + record_lines(100) + "KH-TEST;nps;2025-01;5;;A0000000;\n"
    result = load_file(db, write(tmp_path / "kahdesti.csv", text))
    assert result.status == "rejected"
    assert [(p.row, p.column, p.text) for p in result.problems] == [(102, "kuukausi", "2025-01")]
    assert result.problems[0].reason.values["first"] == 2


def test_stored_rows_have_the_declared_observation_shape(tmp_path: Path, db: Path) -> None:
    result = load_file(db, write(tmp_path / "rivit.csv", HEADER + record_lines(50)))
    assert result.status == "loaded", result.problems
    assert result.rows == 50
    with store.reading(db) as con:
        stored: pl.DataFrame = con.sql("SELECT * FROM observation ORDER BY source_row").pl()
    observation_schema().validate(stored)
    assert stored["source_row"].to_list() == list(range(2, 52))


def test_a_parquet_file_read_in_batches_gives_the_rows_of_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rivit.parquet"
    pl.DataFrame(
        {
            "sopimus": ["KH-TEST"] * 1000,
            "mittari": ["nps"] * 1000,
            "kuukausi": [f"2025-{1 + i % 12:02d}" for i in range(1000)],
            "arvo": list(range(1000)),
            "asiakas": [f"A{i:07d}" for i in range(1000)],
        }
    ).write_parquet(path, row_group_size=100)
    whole = rows_read(path, tmp_path)
    monkeypatch.setattr(readers, "BATCH_ROWS", 64)
    frames = open_text_frames(path, inspect_file(path), tmp_path)
    try:
        batches = list(frames.batches)
    finally:
        frames.close()
    assert [b.height for b in batches] == [64] * 15 + [40]
    assert_frame_equal(pl.concat(batches), whole)
    assert whole[readers.ROW].to_list() == list(range(2, 1002))
