"""Text that a page must show as text: contracts, a delivery, names and reasons that would be
a link, an image request, HTML or formatting if a page read them as Markdown or HTML. They are
put in a copy of the demo database the real way (the command line), for the AppTest and the
browser tests of tests/test_literal_text.py and tests/e2e/test_security_browser.py."""

import shutil
from pathlib import Path

from tests.conftest import run_cli, write

OUTSIDE = "127.0.0.2"
"""A host no page may ask for: every hostile image and link points here."""

TITLE_IMG = "<img src=x onerror=alert(1)>"
TITLE_LINK = "[x](javascript:alert(1))"
SUPPLIER = f"![x](http://{OUTSIDE}/px.png)"
PERSON = f"[Talous](http://{OUTSIDE}/) ![x](http://{OUTSIDE}/person.png)"
CHECKER = f"<b>Tarkastaja</b> ![x](http://{OUTSIDE}/checker.png)"
INDICATOR = '<b>Lihavoitu</b> :red[punainen] $x^2$ <a href="javascript:alert(1)">linkki</a>'
UNIT = "<br>%"
SERVICE = f"**palvelu** <img src=http://{OUTSIDE}/service.png>"
FRAMEWORK = f"[puite](http://{OUTSIDE}/puite)"
REASON = f"![r](http://{OUTSIDE}/reason.png) <script>alert(1)</script>"
FILE_NAME = "[f](javascript:alert(1)).csv"

CONTRACTS = {"XSS-1": TITLE_IMG, "XSS-2": TITLE_LINK}
EVERY_TEXT = (
    TITLE_IMG, TITLE_LINK, SUPPLIER, PERSON, CHECKER, INDICATOR, UNIT, SERVICE, FRAMEWORK,
    REASON, FILE_NAME,
)  # fmt: skip


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def contract_text(contract_id: str, title: str) -> str:
    return f"""
format = 1
id = "{contract_id}"
title = {toml_string(title)}
service = {toml_string(SERVICE)}
buyer = "Testikaupunki"
supplier = {{ name = {toml_string(SUPPLIER)}, business_id = "1234567-1" }}
framework = {toml_string(FRAMEWORK)}
start = 2025-01-01
end = 2025-12-31
period = "quarter"
period_value = 100000.00

[[indicator]]
id = "mittari"
name = {toml_string(INDICATOR)}
theme = "vaikuttavuus"
unit = {toml_string(UNIT)}
direction = "higher"
aggregate = "ratio"
per = 100
min_n = 1
levels = [{{ from = 2025-01-01, minimum = 70, target = 85 }}]
bonus = {{ scale = "linear", eur = 2000.00 }}
sanction = {{ below = "minimum", eur = 1000.00 }}

[next_tender]
subject = {toml_string(title)}
preparers = [{toml_string(PERSON)}, {toml_string(CHECKER)}]
publication_estimate = 2027-03-01
"""


STRATEGY_ID = "XSS-STRATEGIA"
GOAL_ID = "XSS-G1"


def strategy_text() -> str:
    """A strategy whose goal's title, description, measures and owner are hostile text, its
    goal verified by XSS-1's indicator."""
    themes = "\n".join(
        f"{theme} = {toml_string(TITLE_LINK)}"
        for theme in ("asiakaskokemus", "henkilostokokemus", "hyva-johtaminen",
                      "talouden-tasapaino", "vaikuttavuus")
    )  # fmt: skip
    return f"""
format = 1
id = "{STRATEGY_ID}"
name = {toml_string(TITLE_LINK)}
start = 2025-01-01
end = 2025-12-31

[themes]
{themes}

[[goal]]
id = "{GOAL_ID}"
theme = "vaikuttavuus"
title = {toml_string(TITLE_IMG)}
description = {toml_string(REASON)}
measures = [{toml_string(CHECKER)}, {toml_string(INDICATOR)}]
schedule = {{ start = 2025-01-01, due = 2025-12-31 }}
owner = {toml_string(PERSON)}
indicators = [{{ contract = "XSS-1", indicator = "mittari" }}]
target_share = 0.5
"""


def delivery_text() -> str:
    rows = ["sopimus;mittari;kuukausi;osoittaja;nimittäjä"]
    for number, contract in enumerate(CONTRACTS):
        for month in range(1, 13):
            rows.append(f"{contract};mittari;2025-{month:02d};{60 + month + number * 5};100")
    return "\n".join(rows) + "\n"


def cli(db: Path, *args: str | Path) -> str:
    status, out = run_cli("--db", db, *args)
    assert status == 0, out
    return out


def add_hostile_text(db: Path, folder: Path) -> Path:
    """Add both contracts, their delivery (named FILE_NAME, loaded by PERSON), settle and rank;
    XSS-1 2025-Q1 approved by PERSON, 2025-Q2 rejected with REASON, 2025-Q3 prepared by
    CHECKER; the strategy STRATEGY_ID with its hostile goal. Returns `db`."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [write(folder / f"{c}.toml", contract_text(c, t)) for c, t in CONTRACTS.items()]
    cli(db, "contracts", "add", *files)
    cli(db, "load", write(folder / FILE_NAME, delivery_text()), "--by", PERSON)
    cli(db, "settle")
    cli(db, "rank", "--framework", FRAMEWORK, "--year", "2025")
    for period in ("2025-Q1", "2025-Q2", "2025-Q3"):
        cli(db, "prepare", "--contract", "XSS-1", "--period", period, "--by", CHECKER)
    cli(db, "approve", "--contract", "XSS-1", "--period", "2025-Q1", "--by", PERSON)
    cli(db, "reject", "--contract", "XSS-1", "--period", "2025-Q2", "--by", PERSON,
        "--reason", REASON)  # fmt: skip
    cli(db, "strategy", "add", write(folder / "xss-strategia.toml", strategy_text()))
    return db


def hostile_copy(template: Path, folder: Path) -> Path:
    """A copy of the demo database with the hostile text added."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "hostile.duckdb"
    shutil.copyfile(template, db)
    return add_hostile_text(db, folder / "inputs")
