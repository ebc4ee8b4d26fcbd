"""The dashboard's upload takes only .csv, .xlsx and .parquet files up to the configured size
(`etl.limits`): any other is a rejected file with a plain reason, never an exception, and
nothing of it is read or stored. `vaikuttavuus serve` gives Streamlit the same size."""

import io
import sys
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from etl import limits, store, temp_files
from etl.load import load_upload
from etl.messages import render
from tests.conftest import audit_rows, data_digest, run_cli

HEADER = "sopimus;mittari;kuukausi;arvo;n\n"
ROW = "KH-TEST;nps;2025-01;42;30\n"
ONLY = "ladata voi vain tiedostoja, joiden pääte on jokin näistä: .csv, .xlsx, .parquet"


@pytest.mark.parametrize(
    "name",
    ["toimitus.txt", "toimitus.tsv", "toimitus.xls", "toimitus.xlsm", "toimitus", "toimitus.exe",
     "toimitus.csv.exe", ".csv", "toimitus.CSV.zip", "../toimitus.json"],
)  # fmt: skip
def test_an_upload_of_another_kind_is_rejected_unread(db: Path, name: str) -> None:
    before = data_digest(db)
    result = load_upload(db, name, (HEADER + ROW).encode())
    assert result.status == "rejected"
    assert [(p.row, p.column, render(p.reason, "fi")) for p in result.problems] == [
        (None, None, ONLY)
    ]
    assert result.problem_count == 1
    assert data_digest(db) == before
    assert temp_files.leftovers(db) == []


def test_a_refused_upload_is_recorded_in_the_audit_trail(db: Path) -> None:
    load_upload(db, "toimitus.exe", (HEADER + ROW).encode())
    assert audit_rows(db)[-1] == ("load", "rejected")
    with store.reading(db) as con:
        detail = con.execute("SELECT detail FROM audit_event ORDER BY event_id DESC").fetchone()
    assert detail is not None and ONLY in str(detail[0])


@pytest.mark.parametrize("name", ["toimitus.csv", "TOIMITUS.CSV", "toimitus.xlsx", "t.parquet"])
def test_each_accepted_kind_loads(db: Path, name: str) -> None:
    suffix = name.lower().rsplit(".", 1)[1]
    if suffix == "csv":
        content = (HEADER + ROW).encode()
    elif suffix == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["sopimus", "mittari", "kuukausi", "arvo", "n"])
        sheet.append(["KH-TEST", "nps", "2025-01", 42, 30])
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    else:
        buffer = io.BytesIO()
        pl.DataFrame({"sopimus": ["KH-TEST"], "mittari": ["nps"], "kuukausi": ["2025-01"],
                      "arvo": [42], "n": [30]}).write_parquet(buffer)  # fmt: skip
        content = buffer.getvalue()
    result = load_upload(db, name, content)
    assert result.status == "loaded", result.problems


def test_an_upload_over_the_size_limit_is_rejected_unread(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = (HEADER + ROW).encode()
    # the installation's limit, set low for this test: the file is one byte over it
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", len(content) - 1)
    before = data_digest(db)
    result = load_upload(db, "toimitus.csv", content)
    assert result.status == "rejected"
    assert len(result.problems) == 1
    reason = render(result.problems[0].reason, "en")
    assert reason.startswith("the file is 0 MiB; an upload may be at most")
    assert "`vaikuttavuus load`" in reason
    assert data_digest(db) == before
    # exactly at the limit it is read
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", len(content))
    assert load_upload(db, "toimitus.csv", content).status == "loaded"


def test_the_default_limit_is_200_mib_and_serve_gives_it_to_streamlit(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert 200 * limits.MiB == limits.MAX_UPLOAD_BYTES

    class Became(Exception):
        """`serve` replaced itself with this command (os.execve never returns)."""

    def execve(path: str, argv: list[str], env: dict[str, str]) -> None:
        raise Became(argv)

    monkeypatch.setattr("os.execve", execve)
    with pytest.raises(Became) as became:
        run_cli("--db", db, "serve", "--no-auth", "--port", "8599")
    argv = became.value.args[0]
    assert argv[:3] == [sys.executable, "-m", "streamlit"]
    assert argv[argv.index("--server.maxUploadSize") + 1] == "200"
    assert argv[argv.index("--server.enableXsrfProtection") + 1] == "true"
    assert argv[argv.index("--client.showErrorDetails") + 1] == "none"
    assert argv[argv.index("--client.showErrorLinks") + 1] == "false"  # no "Ask Google"
