"""Everything the pages need, imported and drawn once per server process before any page runs.

Streamlit runs each session's script in a thread of its own, so the first visits after a
restart import the pages' modules concurrently; Python's import locks then give up on
circular imports (numpy, plotly's lazily loaded classes) and a page fails with "partially
initialized module". The app calls `up()` first: the first session imports what every page
imports, and draws one figure, under one lock while the others wait; then each only finds
it done.
"""

import ast
import importlib
import sys
import threading
from pathlib import Path

VIEWS = Path(__file__).resolve().parent / "views"

LOADED_ON_FIRST_USE = (
    "numpy",
    "pandas",
    "pyarrow",
    "openpyxl",
    "plotly.graph_objects",
    "plotly.io",
    "streamlit.elements.plotly_chart",
)
"""Modules the pages do not import themselves but reach on first use: tables (pandas,
pyarrow), charts (plotly), the .xlsx export."""

TRACES = ("Bar", "Box", "Scatter", "Waterfall")
"""The plotly trace types dashboard.charts draws: plotly imports each class and its
validators on first use (tests/test_dashboard_warm.py checks the list against charts.py)."""

OUR_PACKAGES = ("contracts", "etl", "dashboard")

_lock = threading.Lock()
_done = False


def imported_modules(path: Path) -> set[str]:
    """The modules a file imports (outside the standard library), as import_module names
    them: `from dashboard import charts` is dashboard.charts."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in OUR_PACKAGES:
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
            else:
                found.add(node.module)
    return {name for name in found if name.split(".")[0] not in sys.stdlib_module_names}


def page_modules() -> list[str]:
    """What the pages import, sorted."""
    return sorted(set().union(*(imported_modules(page) for page in VIEWS.glob("*.py"))))


def up() -> None:
    """Import every module the pages use and build and serialise one figure of each trace
    type, once per process; concurrent callers wait for the first."""
    global _done
    with _lock:
        if _done:
            return
        for name in (*LOADED_ON_FIRST_USE, *page_modules()):
            importlib.import_module(name)
        _draw_once()
        _done = True


def _draw_once() -> None:
    import plotly.graph_objects as go
    import plotly.io as pio

    figure = go.Figure([getattr(go, trace)() for trace in TRACES])
    figure.update_layout(title="warm", xaxis_title="x", yaxis_title="y")
    pio.to_json(figure, validate=False)
