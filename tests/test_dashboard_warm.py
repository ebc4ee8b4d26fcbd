"""The warm-up imports everything a page imports: a module it missed would be imported
concurrently by the first visits after a restart."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

from dashboard import warm
from tests.conftest import REPO

CHECK = textwrap.dedent(
    """
    import sys
    from dashboard import warm
    warm.up()
    missing = [name for name in warm.page_modules() if name not in sys.modules]
    print(len(warm.page_modules()), missing)
    """
)


def test_after_the_warm_up_every_module_a_page_imports_is_loaded() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=REPO, capture_output=True, text=True, check=True,
        timeout=300,
    )  # fmt: skip
    count, missing = done.stdout.split(" ", 1)
    assert missing.strip() == "[]"
    assert int(count) >= 10  # dashboard.charts, .data, .ui, etl.settle, polars, ...
    assert {"dashboard.charts", "dashboard.data", "polars"} <= set(warm.page_modules())


def test_every_trace_type_the_charts_draw_is_warmed_up() -> None:
    tree = ast.parse((Path(warm.__file__).parent / "charts.py").read_text(encoding="utf-8"))
    drawn = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        and node.value.id == "go" and node.attr != "Figure"
    }  # fmt: skip
    assert drawn == set(warm.TRACES)
