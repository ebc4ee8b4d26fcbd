"""Dashboard timings on a store: each page's script run server-side (AppTest, cold and warm
cache) and, for each chart page, the time to its first chart in Chromium (Playwright) beside
the floor measured in the same run: Streamlit's own shell, a minimal Streamlit app served the
same way (`vaikuttavuus serve`'s settings), timed to its first element.

    uv run python bench/load.py        # builds bench/out/bench.duckdb (10M rows)
    uv run python bench/dashboard_pages.py [--db bench/out/bench.duckdb] [--no-browser]
    uv run python bench/dashboard_pages.py --demo      # the demo data (built once if missing)

The pages show settlements, so the benchmark works on a settled and ranked copy of the store,
bench/out/dashboard-<store>.duckdb, made once with the real `vaikuttavuus settle` and `rank`
(minutes) and reused while it is newer than the store.

In the browser, each round visits the floor app and then each chart page, each in a fresh
browser context (nothing cached in the browser); the first round meets the server's caches
cold, the next --visits rounds warm (their median is printed). Run it alone on a quiet
machine: the load average before and after is printed to show whether it was.

Goals (issue 12): first chart <= 2 x the floor; server side (warm) <= 0.12 s, cold <= 0.8 s.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VIEWS = REPO / "dashboard" / "views"
PAGES = ("sopimukset", "sopimus", "maksut", "johto", "toimitukset")
CHART_PAGES = ("sopimus", "maksut", "johto")
TIMEOUT_S = 600
GOAL_RATIO = 2.0
GOAL_WARM_S = 0.12
GOAL_COLD_S = 0.8


def vaikuttavuus(db: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "etl.cli", "--db", str(db), *args], cwd=REPO,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def prepared(store_db: Path) -> Path:
    """A settled, ranked copy of the store (made when missing or older than the store)."""
    import duckdb

    work = REPO / "bench" / "out" / f"dashboard-{store_db.stem}.duckdb"
    if work.exists() and work.stat().st_mtime > store_db.stat().st_mtime:
        vaikuttavuus(work, "init")  # a copy made before a new migration gets it now
        return work
    print(f"preparing {work.name}: copy, settle, rank (once) ...", flush=True)
    started = time.perf_counter()
    partial = work.with_name(work.name + ".partial")
    shutil.copyfile(store_db, partial)
    vaikuttavuus(partial, "init")
    vaikuttavuus(partial, "settle", "--by", "bench")
    with duckdb.connect(str(partial), read_only=True) as con:
        frameworks = [r[0] for r in con.sql(
            "SELECT DISTINCT framework FROM contract_current WHERE framework IS NOT NULL "
            "ORDER BY 1").fetchall()]  # fmt: skip
    for framework in frameworks:
        for year in ("2024", "2025"):
            vaikuttavuus(partial, "rank", "--framework", framework, "--year", year)
    partial.replace(work)
    partial.with_name(partial.name + ".lock").unlink(missing_ok=True)
    print(f"prepared in {time.perf_counter() - started:.0f} s", flush=True)
    return work


WARM_RUNS = 9
BASELINE = 'import streamlit as st\nst.title("baseline")\n'
"""An empty page: what AppTest and the machine cost by themselves, measured the same way."""


def server_side(pages: tuple[str, ...]) -> list[tuple[str, float, float, float]]:
    """(page, cold seconds, warm median, warm minimum) of AppTest runs, Finnish: one cold run
    on an empty cache, then WARM_RUNS runs; the median, because single runs on a shared
    machine jump by a second when it stalls."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    results = []
    for name in ("(empty page)", *pages):
        st.cache_data.clear()
        if name in pages:
            app = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=TIMEOUT_S)
        else:
            app = AppTest.from_string(BASELINE, default_timeout=TIMEOUT_S)
        app.session_state["lang"] = "fi"
        started = time.perf_counter()
        app.run()
        cold = time.perf_counter() - started
        if app.exception:
            raise SystemExit(f"{name}: {app.exception[0].value}")
        warm = []
        for _ in range(WARM_RUNS):
            started = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - started)
        results.append((name, cold, statistics.median(warm), min(warm)))
    return results


FLOOR_TEXT = "Streamlit floor"
FLOOR_APP = f"""import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.markdown("{FLOOR_TEXT}")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])))
"""
"""The floor: Streamlit's shell and one element (the time compared with), then one small
plotly chart (what plotly.js costs on its own, printed beside)."""


@dataclass(frozen=True)
class Visit:
    """Seconds from navigating to Streamlit's app shell, to the first element (the floor app
    only), and to the first plotly chart."""

    shell: float
    element: float
    chart: float


def visit(browser: Any, url: str, element: str | None = None) -> Visit:
    """One visit in a fresh browser context (no cache, no cookies)."""
    wait = TIMEOUT_S * 1000
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        started = time.perf_counter()
        tab.goto(url, wait_until="commit", timeout=wait)
        tab.locator('[data-testid="stApp"]').first.wait_for(timeout=wait)
        shell = time.perf_counter() - started
        if element is not None:
            tab.get_by_text(element).first.wait_for(timeout=wait)
        shown = time.perf_counter() - started
        tab.locator(".js-plotly-plot").first.wait_for(timeout=wait)
        return Visit(shell, shown, time.perf_counter() - started)
    finally:
        tab.close()


def floor_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The minimal app, started as `vaikuttavuus serve` starts the dashboard; (process, url)."""
    from etl.cli import streamlit_command
    from tests.e2e.conftest import STARTUP_SECONDS, free_port, stop_server, wait_healthy

    app = folder / "floor_app.py"
    app.write_text(FLOOR_APP, encoding="utf-8")
    port = free_port()
    command = [*streamlit_command(app, port), "--server.address", "127.0.0.1"]
    with open(folder / "floor.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=folder,
                                   start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, STARTUP_SECONDS)
    except BaseException:
        stop_server(process)
        raise
    return process, url


FLOOR = "(floor)"


def first_chart(db: Path, pages: tuple[str, ...], visits: int) -> dict[str, list[Visit]]:
    """Each chart page's visits and the floor app's, by name (FLOOR): round 0 first (cold
    server caches), then `visits` rounds, the floor first in each round."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

    timings: dict[str, list[Visit]] = {FLOOR: [], **{name: [] for name in pages}}
    with tempfile.TemporaryDirectory() as folder:
        floor, floor_url = floor_server(Path(folder))
        try:
            process, url = start_server(db, Path(folder) / "dashboard.log")
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS
                    )
                    for _ in range(1 + visits):
                        timings[FLOOR].append(visit(browser, floor_url, FLOOR_TEXT))
                        for name in pages:
                            timings[name].append(visit(browser, f"{url}/{name}"))
                    browser.close()
            finally:
                stop_server(process)
        finally:
            stop_server(floor)
    return timings


def print_browser(timings: dict[str, list[Visit]]) -> bool:
    """The browser's table; whether every chart page met the goal (first visit and warm).

    Each page's first chart against the floor's first element: on the first visit (the
    server's caches cold) and warm (medians). Beside it, against the floor app's own small
    chart: how much of the page's time plotly.js alone takes."""
    floor = timings[FLOOR]
    element_first = floor[0].element
    element_warm = statistics.median(v.element for v in floor[1:])
    chart_warm = statistics.median(v.chart for v in floor[1:])
    print(f"{'browser':<14}{'shell s':>9}{'first s':>9}{'warm s':>9}{'min s':>8}"
          f"{'ratio':>8}{'warm':>7}{'/chart':>8}   (navigate -> Streamlit shell -> first chart; "
          f"ratio = to the floor's first element, first visit and warm; goal <= {GOAL_RATIO}; "
          f"/chart = warm, to the floor's own chart)")  # fmt: skip
    print(f"{'floor element':<14}{floor[0].shell:>9.2f}{element_first:>9.2f}{element_warm:>9.2f}"
          f"{min(v.element for v in floor[1:]):>8.2f}")  # fmt: skip
    print(f"{'floor chart':<14}{'':>9}{floor[0].chart:>9.2f}{chart_warm:>9.2f}"
          f"{min(v.chart for v in floor[1:]):>8.2f}{chart_warm / element_warm:>15.2f}"
          f"{'':>8}   (one small plotly chart: what plotly.js costs on its own)")  # fmt: skip
    met = True
    for name, visits in timings.items():
        if name == FLOOR:
            continue
        first, warm = visits[0].chart, statistics.median(v.chart for v in visits[1:])
        ratio, warm_ratio = first / element_first, warm / element_warm
        missed = ratio > GOAL_RATIO or warm_ratio > GOAL_RATIO
        met = met and not missed
        print(f"{name:<14}{visits[0].shell:>9.2f}{first:>9.2f}{warm:>9.2f}"
              f"{min(v.chart for v in visits[1:]):>8.2f}{ratio:>8.2f}{warm_ratio:>7.2f}"
              f"{warm / chart_warm:>8.2f}{'  > goal' if missed else ''}")  # fmt: skip
    return met


def cpu_calibration() -> float:
    """Seconds for 10 million iterations of a Python loop: how fast this machine is now."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def demo_store() -> Path:
    """The demo database as `make demo` builds it, in bench/out (built when missing)."""
    from sample_data.build_demo import build

    db = REPO / "bench" / "out" / "demo.duckdb"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {db.name} from sample_data/ (once) ...", flush=True)
        if build(db) != 0:
            raise SystemExit("the demo database did not build as expected")
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, default=REPO / "bench" / "out" / "bench.duckdb")
    parser.add_argument("--demo", action="store_true", help="the demo data instead of --db")
    parser.add_argument("--no-browser", action="store_true", help="server-side timings only")
    parser.add_argument(
        "--visits", type=int, default=5, help="warm browser rounds after the first (5)"
    )
    args = parser.parse_args()
    store_db = demo_store() if args.demo else args.db
    if not store_db.exists():
        print(f"{store_db}: no database; run bench/load.py first (or --demo)", file=sys.stderr)
        return 1
    db = prepared(store_db.resolve())
    os.environ["VAIKUTTAVUUS_DB"] = str(db)
    print(f"database {db} ({db.stat().st_size / 1e6:.1f} MB)")
    print(f"load average before: {load_average()}")
    print(f"machine: 10M-iteration Python loop {cpu_calibration():.2f} s (compare runs by it)")
    print(f"{'page':<14}{'cold s':>9}{'warm s':>9}{'min s':>9}   (server-side script run, "
          f"AppTest; warm = median of {WARM_RUNS}; goal warm <= {GOAL_WARM_S}, cold <= "
          f"{GOAL_COLD_S})")  # fmt: skip
    met = True
    for name, cold, warm, fastest in server_side(PAGES):
        missed = name in PAGES and (warm > GOAL_WARM_S or cold > GOAL_COLD_S)
        met = met and not missed
        print(f"{name:<14}{cold:>9.2f}{warm:>9.2f}{fastest:>9.2f}{'  > goal' if missed else ''}")
    if not args.no_browser:
        met = print_browser(first_chart(db, CHART_PAGES, max(args.visits, 1))) and met
    print(f"load average after: {load_average()}")
    if not met:
        print("GOAL MISSED")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
