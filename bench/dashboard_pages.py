"""Dashboard timings on a store: each page's script run server-side (AppTest, cold and warm
cache) and the time to the first chart in Chromium (Playwright).

    uv run python bench/load.py        # builds bench/out/bench.duckdb (10M rows)
    uv run python bench/dashboard_pages.py [--db bench/out/bench.duckdb] [--no-browser]

The pages show settlements, so the benchmark works on a settled and ranked copy of the store,
bench/out/dashboard-bench.duckdb, made once with the real `vaikuttavuus settle` and `rank`
(minutes) and reused while it is newer than the store.

Goals: every page <= 1 s server-side (warm), first chart <= 3 s in the browser.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VIEWS = REPO / "dashboard" / "views"
PAGES = ("sopimukset", "sopimus", "maksut", "johto", "toimitukset")
CHART_PAGES = ("sopimus", "maksut", "johto")
TIMEOUT_S = 600


def vaikuttavuus(db: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "etl.cli", "--db", str(db), *args], cwd=REPO,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def prepared(store_db: Path) -> Path:
    """A settled, ranked copy of the store (made when missing or older than the store)."""
    import duckdb

    work = store_db.with_name("dashboard-bench.duckdb")
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


def first_chart(db: Path, pages: tuple[str, ...]) -> list[tuple[str, float, float, float]]:
    """(page, seconds to Streamlit's app shell, to the first chart on a first visit, to the
    first chart on a second visit) in Chromium. The shell (Streamlit's own static bundle,
    before any of our code runs) is the baseline the chart time is compared with."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

    process, url = start_server(db, Path(os.devnull))
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name in pages:
                shell, timings = 0.0, []
                for visit in range(2):
                    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
                    started = time.perf_counter()
                    tab.goto(f"{url}/{name}", wait_until="commit", timeout=TIMEOUT_S * 1000)
                    tab.locator('[data-testid="stApp"]').first.wait_for(timeout=TIMEOUT_S * 1000)
                    if visit == 0:
                        shell = time.perf_counter() - started
                    tab.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_S * 1000)
                    timings.append(time.perf_counter() - started)
                    tab.close()
                results.append((name, shell, timings[0], timings[1]))
            browser.close()
    finally:
        stop_server(process)
    return results


def cpu_calibration() -> float:
    """Seconds for 10 million iterations of a Python loop: how fast this machine is now."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, default=REPO / "bench" / "out" / "bench.duckdb")
    parser.add_argument("--no-browser", action="store_true", help="server-side timings only")
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db}: no database; run bench/load.py first", file=sys.stderr)
        return 1
    db = prepared(args.db.resolve())
    os.environ["VAIKUTTAVUUS_DB"] = str(db)
    print(f"database {db} ({db.stat().st_size / 1e6:.1f} MB)")
    print(f"machine: 10M-iteration Python loop {cpu_calibration():.2f} s (compare runs by it)")
    print(f"{'page':<14}{'cold s':>9}{'warm s':>9}{'min s':>9}   "
          f"(server-side script run, AppTest; warm = median of {WARM_RUNS})")  # fmt: skip
    for name, cold, warm, fastest in server_side(PAGES):
        flag = "" if warm <= 1.0 else "  > 1 s"
        print(f"{name:<14}{cold:>9.2f}{warm:>9.2f}{fastest:>9.2f}{flag}")
    if not args.no_browser:
        print(f"{'page':<14}{'shell s':>9}{'first s':>9}{'again s':>9}   "
              "(browser: navigate -> Streamlit shell, -> first chart)")  # fmt: skip
        for name, shell, first, again in first_chart(db, CHART_PAGES):
            flag = "" if first <= 3.0 else "  > 3 s"
            print(f"{name:<14}{shell:>9.2f}{first:>9.2f}{again:>9.2f}{flag}"
                  f"   ratio to shell {first / shell:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
