"""Delivery files that a loader must refuse, each with a sibling `<file>.why.txt`.

Every file is a valid Finnish CSV (UTF-8, `;`, decimal comma) except for the one named problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sample_data.formats import csv_bytes

HEADER = ["sopimus", "mittari", "kuukausi", "arvo", "n", "osoittaja", "nimittäjä"]
RECORD_HEADER = ["sopimus", "mittari", "kuukausi", "asiakas", "arvo"]
ADL = ["KH-2024-001", "adl", "2025-01", "", "", "41", "50"]
NPS = ["KH-2024-001", "nps", "2025-01", "38,5", "22", "", ""]
FALLS = ["KH-2024-001", "kaatumiset", "2025-01", "", "", "52", "9480"]
HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def hetu_like(birth: str, century: str, individual: int) -> str:
    """A code shaped like a henkilötunnus (DDMMYY, century sign, three digits, check character).
    Built here rather than written out so that no such code appears in the sources."""
    check = HETU_CHECK_CHARS[int(f"{birth}{individual:03d}") % 31]
    return f"{birth}{century}{individual:03d}{check}"


# The synthetic example used in the DVV documentation of the personal identity code.
HETU_LIKE = hetu_like("131052", "-", 308)


@dataclass(frozen=True)
class Rejected:
    name: str
    content: bytes
    why: str


def report(*rows: list[str]) -> bytes:
    return csv_bytes([HEADER, *rows], "utf-8")


def with_cell(row: list[str], column: str, value: str) -> list[str]:
    changed = list(row)
    changed[HEADER.index(column)] = value
    return changed


def staffing_rows(breaches: str) -> list[list[str]]:
    return [
        ["TPA-2024-001", "mitoitus", "2025-01", "0,74", "48", "", ""],
        ["TPA-2024-001", "painehaavat", "2025-01", "", "", "2", "47"],
        ["TPA-2024-001", "rikkeet", "2025-01", breaches, "", "", ""],
    ]


def nps_answers() -> bytes:
    clients = ["A0482913", "A1739046", HETU_LIKE, "A5520871", "A9034417"]
    answers = ["100", "0", "100", "-100", "100"]
    rows = [["KH-2024-002", "nps", "2025-04", c, a] for c, a in zip(clients, answers, strict=True)]
    return csv_bytes([RECORD_HEADER, *rows], "utf-8")


def rejected_files() -> list[Rejected]:
    return [
        Rejected(
            "a-tuntematon-sopimus.csv",
            report(ADL, NPS, with_cell(FALLS, "sopimus", "KH-2024-999")),
            "Unknown contract: data row 3 (line 4), column `sopimus`, names KH-2024-999, "
            "which is not a known contract; the other rows are valid KH-2024-001 rows.",
        ),
        Rejected(
            "b-tuntematon-mittari.csv",
            report(ADL, with_cell(NPS, "mittari", "kotiutukset"), FALLS),
            "Unknown indicator: data row 2 (line 3), column `mittari`, is `kotiutukset`, "
            "which contract KH-2024-001 does not have (it has adl, nps, kaatumiset).",
        ),
        Rejected(
            "c-kuukausi-sopimuksen-ulkopuolella.csv",
            report(
                with_cell(ADL, "kuukausi", "2025-12"),
                with_cell(NPS, "kuukausi", "2026-01"),
            ),
            "Month outside the contract: data row 2 (line 3), column `kuukausi`, is 2026-01, "
            "but KH-2024-001 ends on 2025-12-31.",
        ),
        Rejected(
            "d-osoittaja-suurempi-kuin-nimittaja.csv",
            report(with_cell(with_cell(ADL, "osoittaja", "52"), "nimittäjä", "48"), NPS),
            "Numerator greater than denominator: data row 1 (line 2), columns `osoittaja` = 52 "
            "and `nimittäjä` = 48, a share above 100 %.",
        ),
        Rejected(
            "e-negatiivinen-maara.csv",
            report(*staffing_rows("-2")),
            "Negative count: data row 3 (line 4), column `arvo`, gives -2 staffing breaches "
            "(`rikkeet` is a count and cannot be negative).",
        ),
        Rejected(
            "f-tekstia-numerokentassa.csv",
            report(
                ADL,
                with_cell(NPS, "arvo", "n/a"),
                ["KH-2024-002", "vaihtuvuus", "2025-01", "12,5 %", "31", "", ""],
            ),
            "Text in numeric cells: column `arvo` holds `n/a` in data row 2 (line 3) and "
            "`12,5 %` (with a percent sign) in data row 3 (line 4).",
        ),
        Rejected(
            "g-kaksoisrivi.csv",
            report(ADL, NPS, FALLS, with_cell(with_cell(NPS, "arvo", "41,0"), "n", "25")),
            "Duplicate row: data rows 2 and 4 (lines 3 and 5) are both KH-2024-001 × nps × "
            "2025-01, with different values (38,5 and 41,0); the file is ambiguous.",
        ),
        Rejected(
            "h-tyhja.csv",
            b"",
            "Empty file: 0 bytes, not even a header row.",
        ),
        Rejected(
            "h-vain-otsikko.csv",
            csv_bytes([HEADER], "utf-8"),
            "Header only: the column names are there but there is no data row.",
        ),
        Rejected(
            "i-henkilotunnus.csv",
            nps_answers(),
            "Personal identity code: data row 3 (line 4), column `asiakas`, holds a code shaped "
            "like a henkilötunnus (DDMMYY-NNNC with a valid check character; the synthetic DVV "
            "example, not a real person) instead of a pseudonymous client code; the whole file "
            "must be refused, not just the row.",
        ),
        Rejected(
            "j-suhdeluku-arvona.csv",
            report(["KH-2024-001", "adl", "2025-01", "82,0", "50", "", ""], NPS),
            "Fields do not fit the aggregate: data row 1 (line 2) gives `arvo` = 82,0 and `n` "
            "for `adl`, a ratio indicator that needs `osoittaja` and `nimittäjä`.",
        ),
    ]


def write_rejected(folder: Path) -> list[Rejected]:
    folder.mkdir(parents=True, exist_ok=True)
    files = rejected_files()
    for item in files:
        (folder / item.name).write_bytes(item.content)
        (folder / f"{item.name}.why.txt").write_text(item.why + "\n", encoding="utf-8")
    return files
