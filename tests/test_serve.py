"""`vaikuttavuus serve`: refuses to start without sign-in configured unless --no-auth is given,
and then listens on 127.0.0.1 only with a banner on every page; with [auth] it checks the role
mapping before starting and records it in the audit trail."""

import contextlib
import io
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.access import NO_AUTH_ENV, ROLES_ENV
from etl.cli import main
from sample_data.serve_demo import secrets_text
from tests.conftest import audit_rows, run_cli
from tests.demo_users import ROLES_FILE

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


class Became(Exception):
    """`serve` replaced itself with Streamlit (os.execve never returns): (argv, env)."""


@pytest.fixture
def execve(monkeypatch: pytest.MonkeyPatch) -> None:
    def become(path: str, argv: list[str], env: dict[str, str]) -> None:
        raise Became(argv, env)

    monkeypatch.setattr("os.execve", become)


def test_without_auth_it_refuses_to_start(
    db: Path, tmp_path: Path, execve: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = run_cli("--db", db, "serve", "--secrets", tmp_path / "none.toml")
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("hylätty: ") and "--no-auth" in err
    assert "salaisuustiedostoa ei ole, joten kirjautumiselle ei ole [auth]-osiota" in err
    partial = tmp_path / "secrets.toml"
    partial.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    assert run_cli("--db", db, "serve", "--secrets", partial)[0] == 2
    assert "[auth]-osiosta puuttuu cookie_secret, client_id, client_secret" in (
        capsys.readouterr().err
    )
    assert run_cli("--db", db, "--lang", "sv", "serve", "--secrets", partial)[0] == 2
    assert "[auth] saknar cookie_secret, client_id" in capsys.readouterr().err


def test_no_auth_listens_on_127_0_0_1_only(
    db: Path, execve: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("--db", db, "serve", "--no-auth", "--address", "0.0.0.0")[0] == 2
    assert "--no-auth kuuntelee vain osoitetta 127.0.0.1" in capsys.readouterr().err
    with pytest.raises(Became) as became:
        run_cli("--db", db, "serve", "--no-auth")
    argv, env = became.value.args
    assert argv[:3] == [sys.executable, "-m", "streamlit"]
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert "--secrets.files" not in argv
    assert env[NO_AUTH_ENV] == "1"
    said = io.StringIO()
    with contextlib.redirect_stdout(said), pytest.raises(Became):
        main(["--db", str(db), "--lang", "sv", "serve", "--no-auth", "--port", "8599"])
    assert said.getvalue().startswith("VARNING: ingen inloggning (--no-auth): endast för lokalt")
    assert "översikten på http://127.0.0.1:8599 (databas " in said.getvalue()


def test_with_auth_it_checks_the_role_mapping_and_records_it(
    db: Path, tmp_path: Path, execve: None, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(secrets_text(9400), encoding="utf-8")
    broken = tmp_path / "roles.toml"
    broken.write_text('claim = "groups"\n[groups."x"]\nroles = ["kuningas"]\n', encoding="utf-8")
    assert run_cli("--db", db, "serve", "--secrets", secrets, "--roles", broken)[0] == 2
    assert 'groups."x".roles: must be a list of roles' in capsys.readouterr().err
    with pytest.raises(Became) as became:
        run_cli("--db", db, "serve", "--secrets", secrets, "--roles", ROLES_FILE,
                "--address", "0.0.0.0")  # fmt: skip
    argv, env = became.value.args
    assert argv[argv.index("--secrets.files") + 1] == str(secrets.resolve())
    assert argv[argv.index("--server.address") + 1] == "0.0.0.0"
    assert env[ROLES_ENV] == str(ROLES_FILE.resolve()) and NO_AUTH_ENV not in env
    assert audit_rows(db)[-1] == ("role-mapping", "done")


def test_without_sign_in_every_page_shows_the_banner(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAIKUTTAVUUS_DB", str(db))
    monkeypatch.setenv(NO_AUTH_ENV, "1")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.user = {}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    banners = [w for w in at.warning if w.value.startswith("Ei kirjautumista")]
    assert [b.value for b in banners] == [
        "Ei kirjautumista: paikallinen käyttö (127.0.0.1). Kaikki toimet kirjataan "
        "palvelimen käynnistäjän nimiin."
    ]  # once, not again by the page
    assert at.title[0].value == "Sopimukset"
