"""Benchmark mode: K generated contracts and one large record-level Finnish CSV.

Rows are built column-wise with polars integer arithmetic, never with a Python loop per row.
Row i goes to cell i mod C (C = contract-indicator pairs × 24 months) and is that cell's
(i div C)-th row; its client is pool[(i div C + pair × 104729) mod P] from a pool of P distinct
codes, P at least the number of rows per cell, so each (contract, indicator, month, client)
occurs at most once. Text is made once per cell or per pool code and gathered per row.
"""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path

import polars as pl

from sample_data.model import (
    Contract,
    Indicator,
    TomlValue,
    d,
    level,
    render_contract,
    ytunnus_check_digit,
)

HEADER = ("sopimus", "mittari", "kuukausi", "asiakas", "arvo", "osoittaja", "nimittäjä")
MONTH_LABELS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
INDICATORS = ("adl", "nps", "tyytyvaisyys", "tulokset")
PERIODS = ("quarter", "month", "half-year", "year")
PERIOD_VALUES = {"month": "50000.00", "quarter": "150000.00", "half-year": "300000.00"}
SUPPLIERS = 40
CHUNK_ROWS = 1_000_000
CLIENT_SPACE = 10_000_000
MIN_POOL = 50_000
PRIME = 2_147_483_647


def indicator_codes(contract: int) -> list[int]:
    """Indicators of contract number `contract` (0-based): odd ones have all four, even ones
    the ratio, one of the two means (alternating) and the sum."""
    if contract % 2 == 1:
        return [0, 1, 2, 3]
    return [0, 1 + (contract // 2) % 2, 3]


def pair_count(contracts: int) -> int:
    return 7 * (contracts // 2) + 3 * (contracts % 2)


def contract_id(contract: int) -> str:
    return f"BENCH-{contract + 1:04d}"


def supplier_id(index: int) -> str:
    body = 3_100_000 + index * 7919
    while ytunnus_check_digit(f"{body:07d}") is None:
        body += 1
    return f"{body:07d}-{ytunnus_check_digit(f'{body:07d}')}"


def bench_indicator(code: int) -> Indicator:
    start = date(2024, 1, 1)
    if code == 0:
        return Indicator(
            id="adl",
            name="RAI ADL-H ei heikentynyt",
            theme="vaikuttavuus",
            unit="%",
            direction="higher",
            aggregate="ratio",
            per=100,
            min_n=30,
            levels=[level(start, "70", "85")],
            bonus={"scale": "linear", "eur": d("3000.00")},
            sanction={"below": "minimum", "eur": d("1000.00")},
        )
    if code == 1:
        return Indicator(
            id="nps",
            name="Suositteluhalukkuus (NPS)",
            theme="asiakaskokemus",
            unit="NPS",
            direction="higher",
            aggregate="mean",
            min_n=30,
            levels=[level(start, "20", "40")],
            bonus={"scale": "linear", "eur": d("2000.00")},
        )
    if code == 2:
        bands: list[TomlValue] = [
            {"at": d("8"), "fraction": d("0.5")},
            {"at": d("8.5"), "fraction": d("1.0")},
        ]
        return Indicator(
            id="tyytyvaisyys",
            name="Asiakastyytyväisyys (4–10)",
            theme="hyva-johtaminen",
            unit="arvosana",
            direction="higher",
            aggregate="mean",
            min_n=30,
            levels=[level(start, "7", "8.5")],
            bonus={"scale": "bands", "bands": bands, "eur": d("1500.00")},
        )
    return Indicator(
        id="tulokset",
        name="Saavutetut tulokset (kpl)",
        theme="talouden-tasapaino",
        unit="kpl",
        direction="higher",
        aggregate="sum",
        min_n=1,
        levels=[level(start, "0", "0")],
        bonus={"scale": "rate", "eur_per_outcome": d("20.00"), "max_per_period": d("10000.00")},
    )


def bench_contract(contract: int) -> Contract:
    period = PERIODS[contract % 4]
    supplier = contract % SUPPLIERS
    return Contract(
        id=contract_id(contract),
        title=f"Vertailusopimus {contract + 1:04d} (suorituskykytesti)",
        service="kotihoito",
        buyer="Kanta-Hämeen hyvinvointialue",
        supplier=f"Vertailuhoiva {supplier + 1:02d} Oy",
        business_id=supplier_id(supplier),
        framework=f"BENCH-PUITE-{contract % 5 + 1}",
        start=date(2024, 1, 1),
        end=date(2025, 12, 31),
        period=period,
        period_value=d(PERIOD_VALUES.get(period, "600000.00")),
        payment={"bonus_cap": {"percent": d("5.0")}} if contract % 3 == 0 else {},
        indicators=[bench_indicator(code) for code in indicator_codes(contract)],
    )


def write_contracts(folder: Path, contracts: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("BENCH-*.toml"):
        stale.unlink()
    for contract in range(contracts):
        text = render_contract(bench_contract(contract), "Benchmark contract (generated)")
        (folder / f"{contract_id(contract)}.toml").write_text(text, encoding="utf-8")


def cell_table(contracts: int) -> pl.DataFrame:
    """One row per (contract, indicator, month) cell: its three text columns and the integers
    the values depend on. Row i of the CSV belongs to cell i mod (number of cells)."""
    cell = pl.col("cell")
    pair = cell // 24
    block, rest = pair // 7, pair % 7
    first_of_block = rest < 3
    contract = pl.when(first_of_block).then(2 * block).otherwise(2 * block + 1)
    slot = pl.when(first_of_block).then(rest).otherwise(rest - 3)
    code = (
        pl.when(contract % 2 == 1).then(slot)
        .when(slot == 0).then(0)
        .when(slot == 1).then(1 + block % 2)
        .otherwise(3)
    )  # fmt: skip
    frame = pl.select(pl.int_range(0, pair_count(contracts) * 24, dtype=pl.Int64).alias("cell"))
    frame = frame.with_columns(contract.alias("contract"), code.alias("code"))
    return frame.select(
        pl.format("BENCH-{}", (pl.col("contract") + 1).cast(pl.String).str.zfill(4)).alias("c_id"),
        pl.col("code")
        .replace_strict(list(range(4)), list(INDICATORS), return_dtype=pl.String)
        .alias("i_id"),
        (cell % 24)
        .replace_strict(list(range(24)), MONTH_LABELS, return_dtype=pl.String)
        .alias("month"),
        pl.col("code").cast(pl.Int8),
        (650 + (pl.col("contract") * 37) % 300).cast(pl.Int64).alias("share"),
        (100 + (pl.col("contract") * 53) % 150).cast(pl.Int64).alias("detractors"),
    )


def client_pool(size: int) -> pl.Series:
    """`size` distinct pseudonymous client codes: "A" and seven digits, scattered."""
    number = (pl.int_range(0, size, dtype=pl.Int64) * 7919 + 1_234_567) % CLIENT_SPACE
    return pl.select(pl.format("A{}", number.cast(pl.String).str.zfill(7))).to_series()


def row_numbers(start: int, stop: int, cells: int, pool: int) -> pl.DataFrame:
    """Per row: its cell, its client's index in the pool (distinct within the cell as long as
    the cell has at most `pool` rows) and a draw in 0..999."""
    i = pl.col("i")
    pair = (i % cells) // 24
    client = (i // cells + pair * 104_729) % pool
    draw = (((i * 1_103_515_245 + 12_345) % PRIME) ** 2 + 9871) % PRIME % 1000
    frame = pl.select(pl.int_range(start, stop, dtype=pl.Int64).alias("i"))
    return frame.select((i % cells).alias("cell"), client.alias("client"), draw.alias("u"))


SCORES = [f"{4 + half // 2}" + (",5" if half % 2 else "") for half in range(13)]
# Value keys: 0-2 NPS answers, 3-15 scores 4..10 in half steps, 16 an outcome.
VALUE_LABELS = ["-100", "0", "100", *SCORES, "1"]


def value_columns() -> list[pl.Expr]:
    """The value columns of a row from its cell's kind and its draw, as a small integer key
    mapped to text once (string building per row is the slow part)."""
    code, u, detractors = pl.col("code"), pl.col("u"), pl.col("detractors")
    nps = pl.when(u < detractors).then(0).when(u < detractors + 250).then(1).otherwise(2)
    half = pl.max_horizontal(u % 13, (u // 13) % 13)
    key = (
        pl.when(code == 1).then(nps)
        .when(code == 2).then(3 + half)
        .when(code == 3).then(16)
    )  # fmt: skip
    ratio = code == 0
    numerator = pl.when(u < pl.col("share")).then(pl.lit("1")).otherwise(pl.lit("0"))
    labels = pl.Series(VALUE_LABELS, dtype=pl.String)
    return [
        key.replace_strict(list(range(len(VALUE_LABELS))), labels, return_dtype=pl.String).alias(
            HEADER[4]
        ),
        pl.when(ratio).then(numerator).alias(HEADER[5]),
        pl.when(ratio).then(pl.lit("1")).alias(HEADER[6]),
    ]


def chunk(start: int, stop: int, table: pl.DataFrame, pool: pl.Series) -> pl.DataFrame:
    """Rows start..stop-1 as the seven CSV columns (text, nulls for empty cells)."""
    rows = row_numbers(start, stop, table.height, pool.len())
    cells = table.select(pl.all().gather(rows.get_column("cell")))
    clients = pool.gather(rows.get_column("client")).alias(HEADER[3])
    frame = pl.concat([cells, rows.drop("client")], how="horizontal")
    return frame.select(
        pl.col("c_id").alias(HEADER[0]),
        pl.col("i_id").alias(HEADER[1]),
        pl.col("month").alias(HEADER[2]),
        pl.lit(clients),
        *value_columns(),
    )


def write_rows(out: Path, rows: int, contracts: int) -> None:
    """The CSV, chunk by chunk: each chunk is written to memory in one go and then to the
    file (much faster than letting polars write to a Python file object piece by piece)."""
    table = cell_table(contracts)
    per_cell = -(-rows // table.height)
    if per_cell > CLIENT_SPACE:
        raise ValueError(f"{rows} rows do not fit {contracts} contracts without repeating clients")
    pool = client_pool(max(per_cell, MIN_POOL))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        if rows == 0:
            handle.write((";".join(HEADER) + "\n").encode("utf-8"))
        for start in range(0, rows, CHUNK_ROWS):
            buffer = io.BytesIO()
            frame = chunk(start, min(rows, start + CHUNK_ROWS), table, pool)
            frame.write_csv(buffer, separator=";", include_header=start == 0)
            handle.write(buffer.getbuffer())


def run(rows: int, out: Path, contracts_dir: Path | None, contracts: int) -> None:
    """Benchmark mode: write the contracts and the CSV, and print what was written."""
    if contracts < 1 or rows < 0:
        raise ValueError("--contracts must be at least 1 and --rows at least 0")
    began = time.perf_counter()
    folder = contracts_dir or out.parent / "bench_contracts"
    write_contracts(folder, contracts)
    contracts_done = time.perf_counter()
    write_rows(out, rows, contracts)
    ended = time.perf_counter()
    print(f"contracts: {contracts} files in {folder} ({contracts_done - began:.1f} s)")
    size = out.stat().st_size
    print(f"rows: {rows:,} in {out}: {size:,} bytes ({size / 2**20:.1f} MiB)")
    print(f"seconds: {ended - contracts_done:.1f} for the rows, {ended - began:.1f} in all")
