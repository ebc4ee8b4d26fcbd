"""Four-eyes approval: prepared by one finance user, approved by another; a rejection sends it
back to draft with its reason; roles are checked by the workflow itself, whoever calls it."""

from pathlib import Path

import duckdb
import pytest

from etl import approval, settle
from etl.access import AccessError, Actor, Grant, cli_actor
from tests.conftest import Cli, data_digest, write

HEADER = "sopimus;mittari;kausi;arvo;n;osoittaja;nimittäjä;poissuljetut;asiakas;huom\n"
WHERE = ("--contract", "KH-TEST", "--period", "2025-Q1")


@pytest.fixture
def settled(tmp_path: Path, db: Path, cli: Cli) -> Path:
    """KH-TEST with one quarter of data, settled: 2025-Q1 v1 is a draft."""
    rows = "KH-TEST;adl;2025-01;;;80;100;;;\nKH-TEST;rikkeet;2025-01;2;;;;;;\n"
    assert cli("load", write(tmp_path / "q1.csv", HEADER + rows))[0] == 0
    assert cli("settle", "--by", "Laskija")[0] == 0
    return db


def state(db: Path) -> tuple[object, ...]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT status, prepared_by, approved_by, approval_comment, rejected_by, "
            "rejection_reason FROM settlement_latest WHERE contract_id = 'KH-TEST' "
            "AND period = '2025-Q1'"
        ).fetchone()
    assert row is not None
    return tuple(row)


def audit_rows(db: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT actor_name, channel, action, outcome, contract_id, period, detail "
            "FROM audit_event WHERE action IN ('prepare', 'approve', 'reject') ORDER BY event_id"
        ).fetchall()


def test_one_person_prepares_and_another_approves(settled: Path, cli: Cli) -> None:
    status, out = cli("prepare", *WHERE, "--by", "Paula Valmistelija")
    assert (status, out) == (
        0,
        "KH-TEST 2025-Q1 v1 (alkuperäinen) valmisteltu, valmistelija Paula Valmistelija "
        "(komentorivi); toinen talouden käyttäjä hyväksyy sen\n",
    )
    status, out = cli("approve", *WHERE, "--by", "Aino Hyväksyjä", "--comment", "Tarkistettu")
    assert status == 0, out
    assert state(settled) == (
        "approved", "Paula Valmistelija (komentorivi)", "Aino Hyväksyjä (komentorivi)",
        "Tarkistettu", None, None,
    )  # fmt: skip
    assert audit_rows(settled) == [
        ("Paula Valmistelija", "cli", "prepare", "done", "KH-TEST", "2025-Q1", None),
        ("Aino Hyväksyjä", "cli", "approve", "done", "KH-TEST", "2025-Q1",
         '{"comment": "Tarkistettu"}'),
    ]  # fmt: skip


def test_the_preparer_cannot_approve(
    settled: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("prepare", *WHERE, "--by", "Paula")[0] == 0
    before = data_digest(settled)
    status, out = cli("approve", *WHERE, "--by", "Paula")
    assert (status, out) == (2, "")
    assert "sama henkilö ei voi valmistella ja hyväksyä" in capsys.readouterr().err
    assert state(settled)[0] == "prepared"
    assert audit_rows(settled)[-1][:4] == ("Paula", "cli", "approve", "refused")
    assert data_digest(settled) == before  # only the refusal's audit row was added


def test_a_draft_must_be_prepared_before_it_is_approved(settled: Path, cli: Cli) -> None:
    status, _ = cli("approve", *WHERE, "--by", "Aino")
    assert status == 2
    assert state(settled)[0] == "draft"


def test_a_rejection_sends_it_back_to_draft_with_its_reason(settled: Path, cli: Cli) -> None:
    assert cli("prepare", *WHERE, "--by", "Paula")[0] == 0
    status, out = cli(
        "--lang", "sv", "reject", *WHERE, "--by", "Aino", "--reason", "ADL-luku tarkistettava"
    )
    assert (status, out) == (
        0,
        "KH-TEST 2025-Q1 v1 (ursprunglig) återsänd till utkast av Aino (komentorivi) "
        "(ADL-luku tarkistettava)\n",
    )
    assert state(settled) == (
        "draft",
        None,
        None,
        None,
        "Aino (komentorivi)",
        "ADL-luku tarkistettava",
    )
    assert cli("prepare", *WHERE, "--by", "Paula")[0] == 0
    assert cli("approve", *WHERE, "--by", "Aino")[0] == 0
    assert state(settled)[0] == "approved"


def test_a_rejection_needs_a_reason(settled: Path, cli: Cli) -> None:
    assert cli("prepare", *WHERE, "--by", "Paula")[0] == 0
    assert cli("reject", *WHERE, "--by", "Aino", "--reason", "  ")[0] == 2
    assert state(settled)[0] == "prepared"


def test_an_identity_code_in_a_comment_is_refused_and_not_kept(settled: Path, cli: Cli) -> None:
    assert cli("prepare", *WHERE, "--by", "Paula")[0] == 0
    status, _ = cli("approve", *WHERE, "--by", "Aino", "--comment", "ks. 010180-123A")
    assert status == 2
    assert state(settled)[0] == "prepared"
    with duckdb.connect(str(settled), read_only=True) as con:
        kept = con.execute("SELECT count(*) FROM audit_event WHERE detail LIKE '%123A%'").fetchone()
    assert kept == (0,)


def test_the_installation_may_relax_four_eyes_and_the_trail_says_so(
    settled: Path, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roles = tmp_path / "roles.toml"
    roles.write_text('claim = "groups"\nfour_eyes = false\n', encoding="utf-8")
    monkeypatch.setenv("VAIKUTTAVUUS_ROLES", str(roles))
    assert cli("prepare", *WHERE, "--by", "Yksin")[0] == 0
    status, out = cli("approve", *WHERE, "--by", "Yksin")
    assert status == 0, out
    assert out.endswith("(neljän silmän periaatteesta poikettu asetuksella)\n")
    detail = audit_rows(settled)[-1][-1]
    assert detail == '{"four_eyes": "relaxed by configuration: the preparer approved"}'


def actor(role: str, **scope: object) -> Actor:
    grant = Grant(role, **scope)  # type: ignore[arg-type]
    return Actor(id=f"test|{role}", name=f"Testi {role}", email=None, channel="browser",
                 grants=(grant,))  # fmt: skip


@pytest.mark.parametrize(
    "who",
    [
        actor("johto"),
        actor("sopimusvastaava"),
        actor("toimittaja", business_id="2345678-0"),
        actor("paakayttaja"),
    ],
    ids=["leadership", "contract-manager", "supplier", "administrator"],
)
def test_only_finance_prepares_and_approves_whoever_calls_the_workflow(
    settled: Path, who: Actor
) -> None:
    for step in (approval.prepare, approval.approve):
        with pytest.raises(AccessError, match="ei ole oikeutta"):
            step(settled, who, "KH-TEST", "2025-Q1")
    with pytest.raises(AccessError, match="ei ole oikeutta"):
        settle.settle(settled, who)
    assert state(settled)[0] == "draft"
    with duckdb.connect(str(settled), read_only=True) as con:
        refused = con.execute(
            "SELECT actor_name, channel, action, outcome FROM audit_event "
            "WHERE outcome = 'refused' ORDER BY event_id"
        ).fetchall()
    assert refused == [
        (who.name, "browser", "prepare", "refused"),
        (who.name, "browser", "approve", "refused"),
        (who.name, "browser", "settle", "refused"),
    ]


def test_two_finance_users_in_the_browser_complete_the_four_eyes(settled: Path) -> None:
    paula = Actor("idp|paula", "Paula", "paula@example.fi", "browser", (Grant("talous"),))
    aino = Actor("idp|aino", "Aino", "aino@example.fi", "browser", (Grant("talous"),))
    approval.prepare(settled, paula, "KH-TEST", "2025-Q1")
    with pytest.raises(settle.SettleError, match="sama henkilö"):
        approval.approve(settled, paula, "KH-TEST", "2025-Q1")
    decision = approval.approve(settled, aino, "KH-TEST", "2025-Q1", "ok")
    assert (decision.status, decision.version) == ("approved", 1)
    assert state(settled)[:3] == ("approved", "Paula (paula@example.fi)", "Aino (aino@example.fi)")
    assert cli_actor("Paula").id != paula.id
