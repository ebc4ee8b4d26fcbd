"""The loader says why it refuses a file as messages (a key and its values); the command line
and the Toimitukset page put them into Finnish, Swedish or English (etl/texts/*/loader.toml).
A henkilötunnus is never echoed in any language."""

import re
import string
import tomllib
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from contracts.messages import Message, Value
from etl import formats, messages
from etl.load import load_file
from etl.messages import render
from etl.personal_data import PersonalData, refuse_hetu
from tests.conftest import Cli, data_digest, write
from tests.demo_users import open_as, show

ETL = Path(__file__).resolve().parents[1] / "etl"
VIEWS = ETL.parent / "dashboard" / "views"
LOADER_MODULES = ("load", "readers", "workbook", "schemas", "personal_data", "cli")
TABLES = ("loader", "personal", "cli_load")
HEADER = "sopimus;mittari;kuukausi;arvo;n;osoittaja;nimittäjä;poissuljetut;asiakas;huomautus\n"
HETU = "131052-308T"
REFUSED = (
    "KH-TEST;nps;2025-01;12,5x;30;;;;;\n"  # row 2: text where a number belongs
    f"KH-TEST;nps;2025-02;40;30;;;;;soitettu {HETU}\n"  # row 3: a henkilötunnus in a note
)


def loader_texts(lang: str) -> dict[str, str]:
    with (ETL / "texts" / lang / "loader.toml").open("rb") as file:
        return messages._flatten(tomllib.load(file))


def placeholders(text: str) -> set[tuple[str, str]]:
    """(name, format) of every placeholder of a text."""
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name}


def test_every_loader_key_is_in_finnish_swedish_and_english_with_the_same_placeholders() -> None:
    finnish = loader_texts("fi")
    assert {key.split(".")[0] for key in finnish} == set(TABLES)
    for lang in ("sv", "en"):
        other = loader_texts(lang)
        assert sorted(other) == sorted(finnish), lang
        differ = {
            key: (placeholders(finnish[key]), placeholders(other[key]))
            for key in finnish
            if placeholders(finnish[key]) != placeholders(other[key])
        }
        assert differ == {}, lang


def test_every_message_key_the_loader_uses_has_a_text() -> None:
    used = set()
    for module in LOADER_MODULES:
        source = (ETL / f"{module}.py").read_text(encoding="utf-8")
        used |= set(re.findall(r'"((?:loader|personal|cli_load)\.[a-z_]+)"', source))
    assert len(used) > 90
    assert sorted(key for key in used if not messages.has(key)) == []


SAMPLE: dict[str, Value] = {
    "int": 1234,
    "num": Decimal("12.5"),
    "moment": datetime(2025, 3, 31, 14, 5),
    "": "x",
}


@pytest.mark.parametrize("lang", formats.LANGUAGES)
def test_every_loader_text_renders_with_values_of_its_formats(lang: str) -> None:
    for key, template in loader_texts(lang).items():
        values = {name: SAMPLE[spec] for name, spec in placeholders(template)}
        rendered = render(Message(key, values), lang)
        assert "{" not in rendered.replace("{types}", ""), (key, rendered)


def refused_report(out: str) -> dict[str, str]:
    """The report's table lines by their row number."""
    return {
        line.split()[0]: line
        for line in (ln.strip() for ln in out.splitlines())
        if line[:1] in "23"
    }


def test_a_refused_file_is_reported_in_finnish_by_default(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    path = write(tmp_path / "toimitus.csv", HEADER + REFUSED)
    before = data_digest(db)
    status, out = cli("load", path)
    assert status == 2, out
    assert f"HYLÄTTY {path}: ongelmia 2; tiedostosta ei tallennettu mitään" in out
    assert out.splitlines()[1].split() == ["rivi", "sarake", "teksti", "syy"]
    lines = refused_report(out)
    assert lines["2"].split()[:3] == ["2", "arvo", '"12,5x"']
    assert lines["2"].endswith(
        "ei ole luku (kirjoita esim. 12,5 tai 12.5 ilman yksiköitä tai tekstiä)"
    )
    assert lines["3"].split()[:2] == ["3", "huomautus"]
    assert "(piilotettu: näyttää henkilötunnukselta)" in lines["3"]
    assert "henkilötunnuksia sisältäviä tiedostoja ei oteta vastaan" in lines["3"]
    assert "308T" not in out
    assert data_digest(db) == before


def test_a_refused_file_is_reported_in_swedish_with_lang_sv(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    path = write(tmp_path / "leverans.csv", HEADER + REFUSED)
    status, out = cli("--lang", "sv", "load", path)
    assert status == 2, out
    assert f"AVVISAD {path}: 2 problem; ingenting från filen sparades" in out
    assert out.splitlines()[1].split() == ["rad", "kolumn", "text", "orsak"]
    lines = refused_report(out)
    assert lines["2"].split()[:3] == ["2", "arvo", '"12,5x"']
    assert lines["2"].endswith("inget tal (skriv t.ex. 12,5 eller 12.5, utan enheter eller text)")
    assert lines["3"].split()[:2] == ["3", "huomautus"]
    assert "(dold: ser ut som en personbeteckning)" in lines["3"]
    assert "308T" not in out


@pytest.mark.parametrize("lang", formats.LANGUAGES)
def test_a_henkilotunnus_is_never_echoed_in_any_language(
    tmp_path: Path, db: Path, cli: Cli, lang: str
) -> None:
    # in a cell, as a duplicate client, as an unknown contract and in the file's name
    body = (
        f"KH-TEST;nps;2025-01;40;;;;;{HETU};\n"
        f"KH-TEST;nps;2025-01;41;;;;;{HETU};\n"
        f"{HETU};nps;2025-01;40;30;;;;;\n"
    )
    for name in ("hetu.csv", f"Matti {HETU} tulokset.csv"):
        status, out = cli("--lang", lang, "load", write(tmp_path / name, HEADER + body))
        assert status == 2, out
        assert "308T" not in out, out
        assert "308t" not in out.lower(), out
    assert "131052-****" in out


def test_problems_are_counted_by_reason_beyond_the_shown_ones(
    tmp_path: Path, db: Path, cli: Cli
) -> None:
    rows = "".join(f"KH-TEST;nps;2025-01;{i}x;30;;;;;\n" for i in range(60))
    status, out = cli("--lang", "sv", "load", write(tmp_path / "monta.csv", HEADER + rows))
    assert status == 2, out
    assert "AVVISAD" in out and ": 119 problem;" in out
    assert "… och 69 till:" in out
    assert "    59 × dubblett: KH-TEST × nps × 2025-01 finns redan på rad 2" in out
    assert "    60 × inget tal (skriv t.ex. 12,5 eller 12.5, utan enheter eller text)" in out


def test_a_rejection_is_audited_with_its_reasons_in_finnish(tmp_path: Path, db: Path) -> None:
    result = load_file(db, write(tmp_path / "huono.csv", HEADER + REFUSED))
    assert result.status == "rejected"
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT detail FROM audit_event WHERE action = 'load' AND outcome = 'rejected'"
        ).fetchall()
    assert len(rows) == 1
    stored = rows[0][0]
    assert "ei ole luku (kirjoita esim. 12,5 tai 12.5" in stored
    assert "308T" not in stored


def test_a_personal_data_refusal_is_a_message() -> None:
    with pytest.raises(PersonalData) as refused:
        refuse_hetu("--by", f"Talous {HETU}")
    assert refused.value.message == Message("personal.hetu_in_by")
    assert str(refused.value).startswith("--by näyttää sisältävän henkilötunnuksen")
    assert render(refused.value.message, "sv").startswith("--by ser ut att innehålla")
    assert render(refused.value.message, "en").startswith("--by looks like it contains")


def test_the_toimitukset_page_reports_a_refused_upload_in_its_language(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show(db, monkeypatch)
    at = open_as(VIEWS / "toimitukset.py", "demo-kaikki", "sv")
    at.file_uploader(key="uploads").set_value(
        ("leverans.csv", (HEADER + REFUSED).encode(), "text/csv")
    )
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    report: pd.DataFrame = at.dataframe[0].value
    assert list(report.columns) == ["Rad", "Kolumn", "Ursprunglig text", "Orsak"]
    rows = report.to_dict("split")["data"]
    assert [row[:3] for row in rows] == [
        [2, "arvo", "12,5x"],
        [3, "huomautus", "(dold: ser ut som en personbeteckning)"],
    ]
    assert rows[0][3] == "inget tal (skriv t.ex. 12,5 eller 12.5, utan enheter eller text)"
    assert rows[1][3].startswith("ser ut som en personbeteckning (henkilötunnus)")
    assert "308T" not in str(report.to_dict()) + str([e.value for e in at.error])
