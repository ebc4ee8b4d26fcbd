"""The dashboard and the loader never hand Python functions to polars to call (map_elements,
map_batches, map_rows): polars calls them from its own thread pool, which must take the GIL,
while another session's thread may hold the GIL waiting for that pool (a to_pandas for a
table). The server then hangs for good; five pages opened at once after a restart did so
(tests/e2e/test_dashboard_first_visits.py). Format values with dashboard.ui.each instead."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON_CALLBACKS = {"map_elements", "map_batches", "map_rows", "map_groups"}


def test_no_module_passes_a_python_function_to_polars() -> None:
    found = []
    for package in ("contracts", "etl", "dashboard"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in PYTHON_CALLBACKS:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert found == []
