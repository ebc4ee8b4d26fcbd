"""Who delivers what, how: one style per supplier (encoding, delimiter, headers, period style,
file format, batching), the free-text remarks, per-file highlights and the correction."""

from __future__ import annotations

from dataclasses import dataclass

REPORT = ("contract", "indicator", "period", "value", "n", "numerator", "denominator")
RECORD = ("contract", "indicator", "period", "client", "value")
FINNISH = {
    "contract": "sopimus",
    "indicator": "mittari",
    "client": "asiakas",
    "value": "arvo",
    "n": "n",
    "numerator": "osoittaja",
    "denominator": "nimittäjä",
    "excluded": "poissuljetut",
    "note": "huomautus",
}


@dataclass(frozen=True)
class Style:
    """How one supplier writes its files."""

    fields: tuple[str, ...] = REPORT
    fmt: str = "csv"
    encoding: str = "utf-8"
    delimiter: str = ";"
    decimal: str = ","
    english: bool = False
    period_header: str = "kuukausi"
    period_style: str = "iso"
    capitalise: bool = False
    newline: str = "\n"


@dataclass(frozen=True)
class Delivery:
    slug: str
    supplier: str
    contracts: tuple[str, ...]
    style: Style
    batch: str
    prefix: str
    demonstrates: str
    indicators: tuple[str, ...] = ()
    record_level: bool = False


DELIVERIES = (
    Delivery(
        "hoiva-aalto",
        "Hoiva Aalto Oy",
        ("KH-2024-001", "TPA-2024-002"),
        Style(
            fields=(*REPORT[:3], "numerator", "denominator", "excluded", "value", "n", "note"),
            encoding="cp1252",
            period_style="slash",
            newline="\r\n",
        ),
        "quarter",
        "aalto",
        "old Excel export: Windows-1252, CRLF, exclusions (`poissuljetut`), free-text column "
        "`huomautus` with € – “ ”; two contracts per file; NPS missing for 7/2024",
    ),
    Delivery(
        "kotihoiva-koivu",
        "Kotihoiva Koivu Oy",
        ("KH-2024-002",),
        Style(encoding="utf-8-sig", period_header="kausi", period_style="dotted", capitalise=True),
        "quarter",
        "koivu-mittarit",
        "Excel 'CSV UTF-8' with BOM, capitalised headers (`Kausi`, `Nimittäjä`); July with "
        "few ADL assessments (not assessable)",
        indicators=("adl", "kaatumiset", "vaihtuvuus"),
    ),
    Delivery(
        "kotihoiva-koivu",
        "Kotihoiva Koivu Oy",
        ("KH-2024-002",),
        Style(fields=RECORD, encoding="utf-8-sig"),
        "year",
        "koivu-nps-vastaukset",
        "record-level NPS answers (-100/0/100) with pseudonymous client codes; mean = NPS",
        indicators=("nps",),
        record_level=True,
    ),
    Delivery(
        "lahiapu-tammi",
        "Lähiapu Tammi Oy",
        ("KH-2024-003",),
        Style(fmt="xlsx", period_style="date-cell"),
        "quarter",
        "tammi-tulokset",
        ".xlsx: numeric cells, period as real date cells 1.3.2025, a second sheet to ignore; "
        "contract starts 15.2.2024; the improving supplier",
    ),
    Delivery(
        "palvelukoti-kaski",
        "Palvelukoti Kaski Oy",
        ("TPA-2024-001",),
        Style(encoding="utf-8", delimiter=",", decimal=".", english=True),
        "quarter",
        "kaski-results",
        "English headers, `,` + decimal point; staffing below 0.70 in 8/2024 and 1/2025 "
        "(gate), 12 breaches in 8/2024 (sanction cap)",
    ),
    Delivery(
        "vanhuspalvelu-kuusi",
        "Vanhuspalvelu Kuusi Oy",
        ("TPA-2024-003",),
        Style(fmt="parquet", english=True),
        "year",
        "kuusi",
        "Parquet with typed columns (value float, counts int64, nulls)",
    ),
    Delivery(
        "perhekoti-pihlaja",
        "Perhekoti Pihlaja Oy",
        ("LS-2024-001",),
        Style(period_header="kausi", period_style="settlement"),
        "half-year",
        "pihlaja",
        "one row per settlement period (`2024-H1`) instead of months",
    ),
    Delivery(
        "kuntoutuskeskus-lahde",
        "Kuntoutuskeskus Lähde Oy",
        ("PK-2024-001",),
        Style(period_header="kausi", period_style="slash"),
        "year",
        "lahde",
        "small monthly counts that only the yearly settlement makes assessable",
    ),
    Delivery(
        "tyopolku",
        "Työpolku Oy",
        ("TY-2024-001",),
        Style(fields=RECORD, delimiter=",", decimal=".", english=True),
        "quarter",
        "tyopolku-outcomes",
        "record-level outcomes (value 1 per employed client); one client twice a quarter "
        "(max_per_client)",
        record_level=True,
    ),
)

# Free text in the Windows-1252 file: € – “ ” must survive the encoding.
NOTES = {
    ("KH-2024-001", "kaatumiset", "2024-02"): "Liukkaat kelit – kaatumisia tavallista enemmän",
    ("KH-2024-001", "adl", "2024-10"): "RAI-arvioita siirtyi “sijaisvajeen” vuoksi",
    ("KH-2024-001", "nps", "2024-08"): "Kysely tauolla heinäkuussa – kesälomat",
    ("TPA-2024-002", "mitoitus", "2025-06"): "Kesälomakausi – sijaisia ei saatu",
    ("TPA-2024-002", "rikkeet", "2025-06"): "Sakko 200 € / rike, katto 2 000 €",
    ("TPA-2024-002", "vaihtuvuus", "2024-03"): "Lisäkoulutus 1 500 € / työntekijä",
}
# What a particular file shows beyond its supplier's style (see profiles.PROFILES).
HIGHLIGHTS = {
    "hoiva-aalto/aalto-2024-Q1.csv": "falls above 8 / 1 000 care days all quarter (below minimum)",
    "hoiva-aalto/aalto-2024-Q3.csv": "no NPS row for 7/2024 (survey paused)",
    "hoiva-aalto/aalto-2024-Q4.csv": "ADL dips to partial",
    "hoiva-aalto/aalto-2025-Q1.csv": "ADL as first delivered (achieved); see the correction",
    "hoiva-aalto/aalto-2025-Q2.csv": "TPA-2024-002 staffing 0.69 in 6/2025 (gate closes) and a "
    "spike of staffing breaches",
    "kotihoiva-koivu/koivu-mittarit-2024-Q3.csv": "ADL 7/2024 n < min_n 20 (not assessable)",
    "kotihoiva-koivu/koivu-mittarit-2024-Q4.csv": "falls above 8 in 12/2024 (sanction)",
    "kotihoiva-koivu/koivu-mittarit-2025-Q1.csv": "falls above 8 in 1/2025; ADL 2/2025 below "
    "minimum",
    "kotihoiva-koivu/koivu-mittarit-2025-Q3.csv": "ADL 7/2025 n < min_n (not assessable)",
    "kotihoiva-koivu/koivu-nps-vastaukset-2024.csv": "7/2024 under 20 answers (not assessable)",
    "kotihoiva-koivu/koivu-nps-vastaukset-2025.csv": "7/2025 fewer than 20 answers again",
    "lahiapu-tammi/tammi-tulokset-2024-Q3.xlsx": "NPS n < 30 for the quarter (not assessable)",
    "lahiapu-tammi/tammi-tulokset-2025-Q4.xlsx": "ADL and falls on target at last",
    "palvelukoti-kaski/kaski-results-2024-Q4.csv": "pressure ulcers 12/2024 n < 30 (not "
    "assessable)",
    "palvelukoti-kaski/kaski-results-2025-Q1.csv": "staffing 0.69 in 1/2025 (gate, 2 % sanction)",
    "palvelukoti-kaski/kaski-results-2025-Q3.csv": "NPS 7/2025 n < 12 (not assessable)",
    "tyopolku/tyopolku-outcomes-2025-Q4.csv": "more outcomes than max_per_period pays",
}
CORRECTION_NOTE = "Korjattu RAI-aineisto – vertailutieto päivitetty (“ADL-H”)"
CORRECTED = ("KH-2024-001", "adl", ("2025-01", "2025-02", "2025-03"))
