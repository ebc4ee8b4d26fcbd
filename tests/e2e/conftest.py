"""Browser tests: a real `vaikuttavuus serve` on a copy of the demo database, with a real
OpenID sign-in through the local test provider (`oidc-provider-mock`, the one `make demo`
starts, with the demo users), driven by Playwright through the system's Chromium (never a
downloaded browser)."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from sample_data.serve_demo import provider_command, secrets_text
from tests.demo_users import ROLES_FILE
from tests.e2e.demo_db import copy_db, demo_template

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]  # fmt: skip
STARTUP_SECONDS = 120
# Every wait in the browser may take this long: CI machines are slow and shared, and a step
# that waited 60 s, and later one that waited 180 s, timed out there; on a quiet machine
# the same steps take seconds.
ACTION_MS = int(os.environ.get("VAIKUTTAVUUS_E2E_WAIT_MS", "300000"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives a real browser against `vaikuttavuus serve`")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(
    url: str, process: subprocess.Popen[bytes], seconds: float, path: str = "/_stcore/health"
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}{path}", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the dashboard did not answer at {url} within {seconds} s")


def start_server(
    db: Path, log: Path, secrets: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """`vaikuttavuus --db DB serve --port PORT` in its own process group; (process, url).
    With `secrets` (an [auth] section) users sign in; without, the server runs --no-auth."""
    port = free_port()
    command = [sys.executable, "-m", "etl.cli", "--db", str(db), "serve", "--port", str(port)]
    if secrets is None:
        command += ["--no-auth", "--address", "127.0.0.1"]
        url = f"http://127.0.0.1:{port}"
    else:
        # the redirect URI names localhost: the browser must use the same host for its cookie
        command += ["--address", "localhost", "--secrets", str(secrets), "--roles", str(ROLES_FILE)]
        url = f"http://localhost:{port}"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
    try:
        wait_healthy(url, process, STARTUP_SECONDS)
    except BaseException:
        stop_server(process)
        raise
    return process, url


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """End the server and anything it started (its process group), and wait until they are
    gone: a server left running would slow every later test."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and group_alive(process.pid):
        process.poll()
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="session")
def e2e_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = demo_template(request.config, tmp_path_factory.mktemp("e2e-demo"))
    return copy_db(template, tmp_path_factory.mktemp("e2e-live"))


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The local OpenID provider with every demo user; yields its port."""
    port = free_port()
    log = tmp_path_factory.mktemp("oidc-log") / "provider.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            provider_command(port), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_healthy(f"http://localhost:{port}", process, STARTUP_SECONDS,
                     path="/.well-known/openid-configuration")  # fmt: skip
        yield port
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def secrets_file(identity_provider: int, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Streamlit's secrets with the [auth] section for the local provider."""
    path = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    path.write_text(secrets_text(identity_provider), encoding="utf-8")
    return path


SERVER_LOGS: list[Path] = []


@contextlib.contextmanager
def serving(db: Path, log: Path, secrets: Path | None = None) -> Iterator[str]:
    """A running `vaikuttavuus serve` (start_server) whose log a failed test reports; stopped
    when the block ends. Yields its url."""
    process, url = start_server(db, log, secrets)
    SERVER_LOGS.append(log)
    try:
        yield url
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def server(
    e2e_db: Path, secrets_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with serving(e2e_db, tmp_path_factory.mktemp("e2e-log") / "serve.log", secrets_file) as url:
        yield url


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed browser test carries the end of the server's log in its report."""
    report = yield
    if report.failed and SERVER_LOGS and SERVER_LOGS[-1].exists():
        tail = SERVER_LOGS[-1].read_text(errors="replace").splitlines()[-60:]
        report.sections.append(("vaikuttavuus serve log (last 60 lines)", "\n".join(tail)))
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: `apt-get install -y chromium` (.ci/run does it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


LOCAL = re.compile(r"^(https?|wss?)://(localhost|127\.0\.0\.1)(:\d+)?(/|$)|^(data|blob|about):")


def new_context(browser: Any, **options: Any) -> Any:
    """A browser context whose requests to any other host fail at once (the test provider's
    sign-in page links a stylesheet on a CDN: offline it must not wait for it). The requests
    are still made, and seen by tests that record them."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, **options)
    context.route(lambda url: not LOCAL.match(url), lambda route: route.abort())
    return context


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = new_context(browser, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(ACTION_MS)
    try:
        yield tab
    finally:
        context.close()


_SIGNED_IN: dict[tuple[str, str], list[Any]] = {}
"""The app's cookies after a real sign-in, per server and user: the first sign-in of a user to
a server goes through the provider's page; later ones in the same run start a new browser
context with those cookies (the identity cookie the app set, as a returning user's browser
keeps it), so each test does not pay the provider round trip again."""


def sign_in(page: Any, server: str, user: str) -> None:
    """Sign in: the first time for this server and user the real way (the app's sign-in
    button, the provider's page, the demo user's button there, and back to the app), later
    with the cookies that sign-in left; either way the app's sidebar must name the user."""
    signed = page.get_by_text("Kirjautunut:").or_(page.get_by_text("ei ole roolia"))
    button = page.get_by_role("button", name="Kirjaudu sisään")
    cookies = _SIGNED_IN.get((server, user))
    if cookies is not None:
        page.context.add_cookies(cookies)
        page.goto(server, wait_until="domcontentloaded", timeout=ACTION_MS)
        signed.or_(button).first.wait_for(timeout=ACTION_MS)
        if signed.count():
            return
        # the cookies no longer hold (another server now on that port): sign in again
    else:
        page.goto(server, wait_until="domcontentloaded", timeout=ACTION_MS)
    button.click(timeout=ACTION_MS)
    page.locator(f'button[name="sub"][value="{user}"]').click(timeout=ACTION_MS)
    page.wait_for_url(f"{server}/**", timeout=ACTION_MS)
    signed.first.wait_for(timeout=ACTION_MS)
    _SIGNED_IN[(server, user)] = page.context.cookies(server)


@contextlib.contextmanager
def signed_in_tab(browser: Any, server: str, user: str) -> Iterator[Any]:
    """A page in a browser of its own (its own cookies: another person), signed in as `user`;
    closed when the block ends."""
    context = new_context(browser)
    try:
        tab = context.new_page()
        tab.set_default_timeout(ACTION_MS)
        sign_in(tab, server, user)
        yield tab
    finally:
        context.close()
