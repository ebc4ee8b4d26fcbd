"""The OCDS export: valid against the local OCDS 1.1.5 release package schema with the
metrics extension applied, approved money only, aggregates only."""

import copy
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from etl import ocds, store
from etl.personal_data import SUPPRESS_BELOW
from tests.conftest import SHARED, audit_rows, run_cli
from tests.e2e.demo_db import demo_template

SCHEMAS = SHARED / "schemas"
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
HETU = re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: `patch` applied onto `target` (neither changed)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def validator() -> jsonschema.protocols.Validator:
    """The release package schema, its release schema taken from the local patched copy (no
    network: the registry holds the only schemas there are)."""
    release = merge_patch(
        load(SCHEMAS / "ocds-1.1.5" / "release-schema.json"),
        load(SCHEMAS / "ocds-metrics-extension" / "release-schema.json"),
    )
    package = load(SCHEMAS / "ocds-1.1.5" / "release-package-schema.json")
    assert package["properties"]["releases"]["items"]["$ref"] == RELEASE_URL
    registry: Registry[Any] = Registry().with_resources([
        (RELEASE_URL, Resource.from_contents(release, default_specification=DRAFT4)),
        (package["id"], Resource.from_contents(package, default_specification=DRAFT4)),
    ])  # fmt: skip
    checker = jsonschema.Draft4Validator.FORMAT_CHECKER
    return jsonschema.Draft4Validator(package, registry=registry, format_checker=checker)


@pytest.fixture(scope="session")
def exported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The sample database (as `make demo` builds it) with one more settlement approved from
    the command line (the correction KH-2024-001 2025-Q1 v2), and its OCDS export of every
    contract."""
    folder = tmp_path_factory.mktemp("ocds")
    db = demo_template(request.config, folder)
    where = ("--contract", "KH-2024-001", "--period", "2025-Q1")
    assert run_cli("--db", db, "prepare", *where, "--by", "Valmistelija")[0] == 0
    assert run_cli("--db", db, "approve", *where, "--by", "Hyväksyjä")[0] == 0
    out = folder / "ocds.json"
    status, said = run_cli("--db", db, "export", "ocds", "--out", out, "--by", "Talous")
    assert status == 0, said
    return db, out


def package_of(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    assert isinstance(data, dict)
    return data


def test_the_export_of_every_sample_contract_validates(
    exported: tuple[Path, Path], validator: jsonschema.protocols.Validator
) -> None:
    db, out = exported
    package = json.loads(out.read_text(encoding="utf-8"))
    errors = [e.message for e in validator.iter_errors(package)]
    assert errors == []
    with store.reading(db) as con:
        contracts = ocds.contract_ids(con)
    assert len(contracts) == 9
    assert [r["ocid"] for r in package["releases"]] == [ocds.OCID_PREFIX + c for c in contracts]
    for contract in contracts:
        status, text = run_cli("--db", db, "export", "ocds", "--contract", contract)
        assert status == 0
        single = json.loads(text)
        assert [e.message for e in validator.iter_errors(single)] == []
        assert [r["ocid"] for r in single["releases"]] == [ocds.OCID_PREFIX + contract]


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ((), "ocid"),
        ((), "tag"),
        (("contracts", 0), "awardID"),
        (("awards", 0), "id"),
        (("contracts", 0, "agreedMetrics", 0, "observations", 0), "id"),  # the extension's
        (("contracts", 0, "implementation", "metrics", 0), "id"),
        (("contracts", 0, "implementation", "transactions", 0), "id"),
    ],
)
def test_a_broken_export_fails_validation(
    exported: tuple[Path, Path],
    validator: jsonschema.protocols.Validator,
    where: tuple[str | int, ...],
    field: str,
) -> None:
    package = json.loads(exported[1].read_text(encoding="utf-8"))
    assert validator.is_valid(package)
    node: Any = package["releases"][0]
    for step in where:
        node = node[step]
    del node[field]
    assert not validator.is_valid(package)


def test_an_unknown_type_of_value_fails_validation(
    exported: tuple[Path, Path], validator: jsonschema.protocols.Validator
) -> None:
    package = json.loads(exported[1].read_text(encoding="utf-8"))
    contract = package["releases"][0]["contracts"][0]
    contract["implementation"]["transactions"][0]["value"]["amount"] = "9000,00"
    assert not validator.is_valid(package)


def test_the_contract_parties_metrics_and_approved_money_of_kh_2024_001(
    exported: tuple[Path, Path],
) -> None:
    package = package_of(exported[1])
    assert package["version"] == "1.1"
    (release,) = [r for r in package["releases"] if r["ocid"] == "ocds-vaikuttavuus-KH-2024-001"]
    assert release["initiationType"] == "tender"
    supplier = release["parties"][1]
    assert supplier["identifier"] == {
        "scheme": "FI-PRO", "id": "2345678-0", "legalName": "Hoiva Aalto Oy",
    }  # fmt: skip
    assert supplier["roles"] == ["supplier", "payee"]
    assert release["buyer"]["name"] == "Kanta-Hämeen hyvinvointialue"
    (contract,) = release["contracts"]
    assert contract["value"] == {"amount": Decimal("1440000.00"), "currency": "EUR"}
    assert contract["period"] == {
        "startDate": "2024-01-01T00:00:00Z", "endDate": "2025-12-31T23:59:59Z",
    }  # fmt: skip
    adl = contract["agreedMetrics"][0]
    levels = [(o["period"]["startDate"][:10], o["dimensions"]["level"], o["measure"])
              for o in adl["observations"]]  # fmt: skip
    assert levels == [
        ("2024-01-01", "minimum", Decimal(70)), ("2024-01-01", "target", Decimal(85)),
        ("2025-01-01", "minimum", Decimal(72)), ("2025-01-01", "target", Decimal(87)),
    ]  # fmt: skip
    assert adl["observations"][0]["period"]["endDate"] == "2024-12-31T23:59:59Z"
    paid = [(t["id"], t["value"]["amount"]) for t in contract["implementation"]["transactions"]]
    assert paid == [
        ("KH-2024-001-2024-Q4-v1", Decimal("7376.42")),
        ("KH-2024-001-2025-Q1-v1", Decimal("9000.00")),
        ("KH-2024-001-2025-Q1-v2", Decimal("-2440.51")),
    ]
    realised = {m["id"]: m["observations"] for m in contract["implementation"]["metrics"]}
    (q1,) = [o for o in realised["adl"] if o["id"] == "adl-2025-Q1"]
    assert q1["dimensions"]["n"].isdigit()
    assert isinstance(q1["measure"], Decimal)


def test_the_amounts_are_written_exactly_as_decimal_numbers(exported: tuple[Path, Path]) -> None:
    text = exported[1].read_text(encoding="utf-8")
    assert '"amount": -2440.51,' in text
    assert '"amount": 9000.00,' in text
    assert "Kanta-Hämeen" in text  # UTF-8, not \u escapes


def test_only_approved_settlements_money_leaves(exported: tuple[Path, Path]) -> None:
    db, out = exported
    with store.reading(db) as con:
        approved = con.execute(
            "SELECT contract_id || '-' || period || '-v' || version FROM settlement "
            "WHERE status = 'approved' ORDER BY ALL"
        ).fetchall()
    package = package_of(out)
    paid = sorted(
        t["id"]
        for r in package["releases"]
        for c in r["contracts"]
        for t in c.get("implementation", {}).get("transactions", [])
    )
    assert paid == [a[0] for a in approved]
    assert len(paid) == 3


def observations(package: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        o
        for r in package["releases"]
        for c in r["contracts"]
        for m in c.get("implementation", {}).get("metrics", [])
        for o in m["observations"]
    ]


def test_no_cell_under_five_and_no_client_code_or_henkilotunnus(
    exported: tuple[Path, Path],
) -> None:
    db, out = exported
    package = package_of(out)
    seen = observations(package)
    suppressed = [o for o in seen if "suppressed" in o.get("dimensions", {})]
    shown = [o for o in seen if o not in suppressed]
    assert suppressed, "the sample data has periods on fewer than 5 (TPA rikkeet, n 1)"
    assert shown
    assert all("measure" not in o and "n" not in o["dimensions"] for o in suppressed)
    assert all(Decimal(o["dimensions"]["n"]) >= SUPPRESS_BELOW for o in shown)
    text = out.read_text(encoding="utf-8")
    with store.reading(db) as con:
        clients = {
            str(c[0])
            for c in con.execute(
                "SELECT DISTINCT client FROM observation WHERE client IS NOT NULL"
            ).fetchall()
        }
    assert clients, "the sample data has record-level deliveries"
    strings = set(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
    assert clients & strings == set()
    assert HETU.search(text) is None


def test_an_unknown_contract_is_refused_with_exit_2_and_the_reason(
    exported: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(exported[0], db)
    out = tmp_path / "x.json"
    capsys.readouterr()
    status, said = run_cli("--db", db, "export", "ocds", "--contract", "EI-OLE", "--out", out)
    assert (status, said) == (2, "")
    assert capsys.readouterr().err == "virhe: Tuntematon sopimus: EI-OLE.\n"
    assert not out.exists()
    status, _ = run_cli("--db", db, "--lang", "en", "export", "ocds", "--contract", "EI-OLE")
    assert status == 2
    assert capsys.readouterr().err == "error: Unknown contract: EI-OLE.\n"


def test_the_export_is_recorded_in_the_audit_trail(exported: tuple[Path, Path]) -> None:
    db, out = exported
    assert ("export", "done") in audit_rows(db)
    status, said = run_cli("--db", db, "audit", "--action", "export")
    assert status == 0
    assert str(out) in said
    assert "ocds" in said


def test_a_publisher_gives_its_own_ocid_prefix(exported: tuple[Path, Path]) -> None:
    db, _ = exported
    args = ("--db", db, "export", "ocds", "--contract", "TY-2024-001")
    status, text = run_cli(*args, "--ocid-prefix", "ocds-abc123-")
    assert status == 0
    assert [r["ocid"] for r in json.loads(text)["releases"]] == ["ocds-abc123-TY-2024-001"]
