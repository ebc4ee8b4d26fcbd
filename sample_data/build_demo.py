"""Build the demo database from sample_data/: terms, every good delivery, then the
corrections, the priority order of each framework and year, the procurement strategy
(strategy/*.toml), then each file in deliveries/rejected/ (which must be rejected).

    uv run python sample_data/build_demo.py --db vaikuttavuus.duckdb

Exits 1 if a good file is rejected or a bad one accepted, so `make demo` notices.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from etl.cli import main as vaikuttavuus

HERE = Path(__file__).resolve().parent
CORRECTION_PREFIX = "korjaus-"
PREPARER = "Talous / valmistelija"
APPROVER = "Talous / hyväksyjä"
# Approved before the correction arrives, so that the demo shows a correction version.
APPROVED = [("KH-2024-001", "2025-Q1"), ("KH-2024-001", "2024-Q4")]
# The frameworks of the sample contracts and the years their deliveries cover.
RANKED = [("KH-PUITE-2024", 2024), ("KH-PUITE-2024", 2025),
          ("TPA-PUITE-2024", 2024), ("TPA-PUITE-2024", 2025)]  # fmt: skip


def delivery_files(folder: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """(originals, corrections, files that must be rejected), each in name order."""
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix in (".csv", ".xlsx", ".parquet")
    )
    rejected = [p for p in files if p.parent.name == "rejected"]
    good = [p for p in files if p not in rejected]
    corrections = [p for p in good if p.name.startswith(CORRECTION_PREFIX)]
    originals = [p for p in good if p not in corrections]
    return originals, corrections, rejected


def build(db: Path, root: Path = HERE) -> int:
    """Build the demo store; return the number of surprises (0 when all went as expected)."""
    for stale in (db, db.with_name(db.name + ".lock")):
        stale.unlink(missing_ok=True)
    originals, corrections, rejected = delivery_files(root / "deliveries")
    surprises = 0
    contracts = sorted((root / "contracts").glob("*.toml"))
    strategies = sorted((root / "strategy").glob("*.toml"))
    approvals = [
        [step, "--contract", c, "--period", p, "--by", who]
        for c, p in APPROVED
        for step, who in (("prepare", PREPARER), ("approve", APPROVER))
    ]
    steps = [
        ["init"],
        ["contracts", "add", *map(str, contracts), "--by", "demo"],
        ["load", "--quiet", "--by", "demo", *map(str, originals)],
        ["settle", "--by", "demo"],
        *approvals,
        ["load", "--quiet", "--by", "demo", *map(str, corrections)],
        ["settle", "--by", "demo"],
        *[["rank", "--framework", f, "--year", str(y)] for f, y in RANKED],
        *[["strategy", "add", str(path), "--by", "demo"] for path in strategies],
    ]
    for step in steps:
        print(f"$ vaikuttavuus {' '.join(step[:5])} ...", flush=True)
        if vaikuttavuus(["--db", str(db), *step]) != 0:
            surprises += 1
    print(f"$ vaikuttavuus load (the {len(rejected)} files that must be rejected, one by one)")
    for path in rejected:
        if vaikuttavuus(["--db", str(db), "load", "--quiet", str(path)]) != 2:
            print(f"SURPRISE: {path} was not rejected")
            surprises += 1
    return surprises


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", type=Path, default=Path("vaikuttavuus.duckdb"))
    args = parser.parse_args()
    surprises = build(args.db)
    verdict = "as expected" if not surprises else f"{surprises} surprise(s)"
    print(f"demo database: {args.db} ({verdict})")
    return 1 if surprises else 0


if __name__ == "__main__":
    sys.exit(main())
