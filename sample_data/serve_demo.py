"""`make demo`'s server: the dashboard with a real OpenID sign-in on a machine that has no
identity provider.

Starts the local test provider (`oidc-provider-mock`, on 127.0.0.1) with the demo users of
sample_data/auth/users.json, writes the dashboard's secrets file (.demo/secrets.toml, with a
fresh cookie secret) pointing at it, and runs `vaikuttavuus serve` with the demo role mapping
(sample_data/auth/roles.toml). On the sign-in page, pick a user by its subject (demo-johto,
demo-valmistelija, ...); README lists who is who. Ctrl-C stops both servers.
"""

import argparse
import json
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUTH = HERE / "auth"
DEMO = HERE.parent / ".demo"


def provider_command(port: int) -> list[str]:
    """The local OpenID provider with every demo user predefined (one click to sign in)."""
    users = json.loads((AUTH / "users.json").read_text(encoding="utf-8"))
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)]
    for user in users:
        command += ["--user-claims", json.dumps(user, ensure_ascii=False)]
    return command


def secrets_text(provider_port: int, client_id: str = "vaikuttavuus-demo") -> str:
    """Streamlit's [auth] section for the local provider; {port} is the dashboard's own."""
    return (
        "[auth]\n"
        'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{client_id}"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "http://localhost:{provider_port}/.well-known/openid-configuration"\n'
    )


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the OpenID provider exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the OpenID provider did not answer at {url} within {seconds} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="vaikuttavuus.duckdb")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--provider-port", type=int, default=9400)
    args = parser.parse_args()
    DEMO.mkdir(exist_ok=True)
    secrets_file = DEMO / "secrets.toml"
    secrets_file.write_text(secrets_text(args.provider_port), encoding="utf-8")
    secrets_file.chmod(0o600)
    provider = subprocess.Popen(
        provider_command(args.provider_port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(
            f"http://localhost:{args.provider_port}/.well-known/openid-configuration", provider
        )
        print(f"OpenID provider (demo users) on http://localhost:{args.provider_port}")
        print(f"sign in at http://localhost:{args.port} as e.g. demo-valmistelija or demo-johto")
        dashboard = subprocess.Popen(
            [sys.executable, "-m", "etl.cli", "--db", args.db, "serve", "--port", str(args.port),
             "--secrets", str(secrets_file), "--roles", str(AUTH / "roles.toml")],
            cwd=HERE.parent,
        )  # fmt: skip
        signal.signal(signal.SIGTERM, lambda *_: dashboard.terminate())
        try:
            return dashboard.wait()
        except KeyboardInterrupt:
            dashboard.terminate()
            return dashboard.wait()
    finally:
        provider.terminate()
        provider.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main())
