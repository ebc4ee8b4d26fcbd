"""The sample contracts: nine contracts, eight suppliers, two framework agreements.

Every bonus scale, sanction kind, cap kind, the pool mode, gates, dated levels, all four
settlement period kinds and all five strategy themes occur at least once (see README.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sample_data.model import Contract, Indicator, TomlValue, d, level, toml_value

START = date(2024, 1, 1)
END = date(2025, 12, 31)
LEVELS_2025 = date(2025, 1, 1)
HYVAE = "Kanta-Hämeen hyvinvointialue"
CITY = "Hämeenlinnan kaupunki"
KH_FRAMEWORK = "KH-PUITE-2024"
TPA_FRAMEWORK = "TPA-PUITE-2024"

Levels = list[dict[str, TomlValue]]
Clause = dict[str, TomlValue] | None


def eur(amount: str) -> dict[str, TomlValue]:
    return {"eur": d(amount)}


def percent(amount: str) -> dict[str, TomlValue]:
    return {"percent": d(amount)}


def linear(amount: str) -> dict[str, TomlValue]:
    return {"scale": "linear", "eur": d(amount)}


def below_minimum(amount: str) -> dict[str, TomlValue]:
    return {"below": "minimum", "eur": d(amount)}


def adl(levels: Levels, bonus: Clause, sanction: Clause = None, min_n: int = 30) -> Indicator:
    return Indicator(
        id="adl",
        name={
            "fi": "Asiakkaat, joiden toimintakyky (RAI ADL-H) ei heikentynyt",
            "sv": "Klienter vars funktionsförmåga (RAI ADL-H) inte försämrades",
            "en": "Clients whose functional ability (RAI ADL-H) did not decline",
        },
        theme="vaikuttavuus",
        unit="%",
        direction="higher",
        aggregate="ratio",
        per=100,
        min_n=min_n,
        levels=levels,
        bonus=bonus,
        sanction=sanction,
    )


def nps(levels: Levels, bonus: Clause, sanction: Clause = None, min_n: int = 30) -> Indicator:
    return Indicator(
        id="nps",
        name={
            "fi": "Suositteluhalukkuus (NPS)",
            "sv": "Rekommendationsvilja (NPS)",
            "en": "Net Promoter Score",
        },
        theme="asiakaskokemus",
        unit="NPS",
        direction="higher",
        aggregate="mean",
        min_n=min_n,
        levels=levels,
        bonus=bonus,
        sanction=sanction,
    )


def falls(levels: Levels, bonus: Clause, sanction: Clause, min_n: int) -> Indicator:
    return Indicator(
        id="kaatumiset",
        name="Kaatumiset / 1 000 hoitopäivää",
        theme="vaikuttavuus",
        unit="/1000 hoitopäivää",
        direction="lower",
        aggregate="ratio",
        per=1000,
        min_n=min_n,
        levels=levels,
        bonus=bonus,
        sanction=sanction,
    )


def staffing(sanction_percent: str) -> Indicator:
    return Indicator(
        id="mitoitus",
        name="Toteutunut hoitajamitoitus (hoitajaa / asiakas)",
        theme="henkilostokokemus",
        unit="hoitajaa/asiakas",
        direction="higher",
        aggregate="last",
        min_n=1,
        missing="fail",
        levels=[level(START, "0.70", "0.70")],
        sanction={"below": "minimum", "percent": d(sanction_percent)},
    )


def ulcers(levels: Levels, bonus: Clause, sanction: Clause = None, min_n: int = 30) -> Indicator:
    return Indicator(
        id="painehaavat",
        name="Painehaavojen esiintyvyys",
        theme="vaikuttavuus",
        unit="%",
        direction="lower",
        aggregate="ratio",
        per=100,
        min_n=min_n,
        levels=levels,
        bonus=bonus,
        sanction=sanction,
    )


def breaches(per_unit: str, cap: str) -> Indicator:
    return Indicator(
        id="rikkeet",
        name="Mitoitusrikkeet (kpl)",
        theme="hyva-johtaminen",
        unit="kpl",
        direction="lower",
        aggregate="sum",
        min_n=1,
        missing="fail",
        levels=[level(START, "0", "0")],
        sanction={"per_unit": d(per_unit), "cap": d(cap)},
    )


def turnover(levels: Levels, bonus: Clause, weight: Decimal | None = None) -> Indicator:
    return Indicator(
        id="vaihtuvuus",
        name={
            "fi": "Henkilöstön vaihtuvuus",
            "sv": "Personalomsättning",
            "en": "Staff turnover",
        },
        theme="henkilostokokemus",
        unit="%",
        direction="lower",
        aggregate="last",
        min_n=10,
        weight=weight,
        levels=levels,
        bonus=bonus,
    )


def kh_aalto() -> Contract:
    return Contract(
        id="KH-2024-001",
        title="Kotihoidon ostopalvelu, Hämeenlinnan keskusta",
        service="kotihoito",
        buyer=HYVAE,
        supplier="Hoiva Aalto Oy",
        business_id="2345678-0",
        framework=KH_FRAMEWORK,
        start=START,
        end=END,
        period="quarter",
        period_value=d("180000.00"),
        payment={"bonus_cap": percent("5.0"), "sanction_cap": eur("6000.00")},
        indicators=[
            adl(
                [level(START, "70", "85"), level(LEVELS_2025, "72", "87")],
                linear("4000.00"),
                below_minimum("2000.00"),
            ),
            nps([level(START, "20", "40")], linear("3000.00"), below_minimum("1000.00")),
            falls(
                [level(START, "8", "5")],
                {"scale": "binary", "eur": d("2000.00")},
                below_minimum("1500.00"),
                min_n=5000,
            ),
        ],
    )


def kh_koivu() -> Contract:
    return Contract(
        id="KH-2024-002",
        title="Kotihoidon ostopalvelu, Riihimäen seutu",
        service="kotihoito",
        buyer=HYVAE,
        supplier="Kotihoiva Koivu Oy",
        business_id="1934567-4",
        framework=KH_FRAMEWORK,
        start=START,
        end=END,
        period="month",
        period_value=d("60000.00"),
        payment={
            "bonus_pool": percent("3.0"),
            "annual_bonus_cap": eur("18000.00"),
        },
        indicators=[
            pooled(adl([level(START, "70", "85")], {"scale": "linear"}, min_n=20), "0.4"),
            pooled(
                nps(
                    [level(START, "20", "40"), level(LEVELS_2025, "25", "45")],
                    {"scale": "linear"},
                    min_n=20,
                ),
                "0.3",
            ),
            pooled(
                falls(
                    [level(START, "8", "5")],
                    {"scale": "binary"},
                    below_minimum("800.00"),
                    min_n=1000,
                ),
                "0.2",
            ),
            turnover([level(START, "25", "15")], {"scale": "binary"}, weight=d("0.1")),
        ],
    )


def pooled(indicator: Indicator, weight: str) -> Indicator:
    """The same indicator with a pool weight."""
    return replace(indicator, weight=d(weight))


def kh_tammi() -> Contract:
    return Contract(
        id="KH-2024-003",
        title="Kotihoidon ostopalvelu, Forssan seutu",
        service="kotihoito",
        buyer=HYVAE,
        supplier="Lähiapu Tammi Oy",
        business_id="2960478-0",
        framework=KH_FRAMEWORK,
        start=date(2024, 2, 15),
        end=END,
        period="quarter",
        period_value=d("120000.00"),
        payment={"bonus_cap": eur("6000.00"), "annual_sanction_cap": eur("8000.00")},
        indicators=[
            adl(
                [level(START, "70", "85")],
                {"scale": "improvement", "baseline": "previous-year", "eur": d("3000.00")},
                below_minimum("1500.00"),
            ),
            nps(
                [level(START, "20", "40")],
                {
                    "scale": "bands",
                    "bands": [
                        {"at": d("30"), "fraction": d("0.5")},
                        {"at": d("40"), "fraction": d("1.0")},
                    ],
                    "eur": d("2000.00"),
                },
            ),
            falls(
                [level(START, "8", "5", threshold="7")],
                linear("2000.00"),
                below_minimum("1000.00"),
                min_n=5000,
            ),
        ],
    )


def tpa_kaski() -> Contract:
    return Contract(
        id="TPA-2024-001",
        title="Tehostettu palveluasuminen, Palvelukoti Kaski",
        service="tehostettu-palveluasuminen",
        buyer=HYVAE,
        supplier="Palvelukoti Kaski Oy",
        business_id="3058112-5",
        framework=TPA_FRAMEWORK,
        start=START,
        end=END,
        period="month",
        period_value=d("95000.00"),
        payment={
            "bonus_cap": eur("2500.00"),
            "sanction_cap": eur("5000.00"),
            "gates": ["mitoitus"],
        },
        indicators=[
            staffing("2.0"),
            ulcers(
                [level(START, "10", "5"), level(LEVELS_2025, "8", "4")],
                linear("1500.00"),
                below_minimum("1000.00"),
            ),
            breaches("150.00", "1500.00"),
            nps([level(START, "20", "40")], linear("1500.00"), min_n=12),
        ],
    )


def tpa_aalto() -> Contract:
    return Contract(
        id="TPA-2024-002",
        title="Tehostettu palveluasuminen, Hoivakoti Aalto",
        service="tehostettu-palveluasuminen",
        buyer=HYVAE,
        supplier="Hoiva Aalto Oy",
        business_id="2345678-0",
        framework=TPA_FRAMEWORK,
        start=START,
        end=END,
        period="quarter",
        period_value=d("270000.00"),
        payment={
            "annual_bonus_cap": eur("15000.00"),
            "annual_sanction_cap": eur("12000.00"),
            "gates": ["mitoitus"],
        },
        indicators=[
            staffing("1.5"),
            ulcers(
                [level(START, "8", "4")],
                {"scale": "binary", "eur": d("2500.00")},
                below_minimum("1500.00"),
            ),
            breaches("200.00", "2000.00"),
            turnover(
                [level(START, "25", "15")],
                {
                    "scale": "bands",
                    "bands": [
                        {"at": d("20"), "fraction": d("0.5")},
                        {"at": d("15"), "fraction": d("1.0")},
                    ],
                    "eur": d("2000.00"),
                },
            ),
        ],
    )


def tpa_kuusi() -> Contract:
    return Contract(
        id="TPA-2024-003",
        title="Tehostettu palveluasuminen, Kuusikoti",
        service="tehostettu-palveluasuminen",
        buyer=HYVAE,
        supplier="Vanhuspalvelu Kuusi Oy",
        business_id="2483117-5",
        framework=TPA_FRAMEWORK,
        start=START,
        end=END,
        period="half-year",
        period_value=d("520000.00"),
        payment={
            "bonus_cap": percent("2.0"),
            "sanction_cap": eur("15000.00"),
            "gates": ["mitoitus"],
        },
        indicators=[
            staffing("2.0"),
            ulcers([level(START, "8", "4", threshold="6")], linear("5000.00"), min_n=100),
            breaches("150.00", "3000.00"),
            nps([level(START, "20", "40")], linear("3000.00"), min_n=40),
        ],
    )


def ls_pihlaja() -> Contract:
    return Contract(
        id="LS-2024-001",
        title="Lastensuojelun sijaishuolto, ammatilliset perhekodit",
        service="lastensuojelu",
        buyer=HYVAE,
        supplier="Perhekoti Pihlaja Oy",
        business_id="2654321-4",
        start=START,
        end=END,
        period="half-year",
        period_value=d("210000.00"),
        payment={"sanction_cap": eur("4000.00")},
        indicators=[
            Indicator(
                id="pysyvyys",
                name="Sijoitukset ilman suunnittelematonta katkosta",
                theme="vaikuttavuus",
                unit="%",
                direction="higher",
                aggregate="ratio",
                per=100,
                min_n=20,
                levels=[level(START, "50", "80", threshold="60")],
                bonus=linear("4000.00"),
                sanction=below_minimum("2000.00"),
            ),
            turnover([level(START, "30", "20")], {"scale": "binary", "eur": d("1000.00")}),
        ],
    )


def pk_lahde() -> Contract:
    return Contract(
        id="PK-2024-001",
        title="Päihdekuntoutus, laitoskuntoutus ja asumisen tuki",
        service="paihdekuntoutus",
        buyer=HYVAE,
        supplier="Kuntoutuskeskus Lähde Oy",
        business_id="3196742-5",
        start=START,
        end=END,
        period="year",
        period_value=d("640000.00"),
        payment={"bonus_cap": eur("14000.00")},
        indicators=[
            Indicator(
                id="asuminen",
                name="Vakituisesti asuvat 6 kk kuntoutuksen jälkeen",
                theme="vaikuttavuus",
                unit="%",
                direction="higher",
                aggregate="ratio",
                per=100,
                min_n=30,
                levels=[level(START, "50", "70")],
                bonus={"scale": "improvement", "baseline": d("55"), "eur": d("12000.00")},
                sanction=below_minimum("5000.00"),
            ),
            nps(
                [level(START, "10", "30")],
                {"scale": "binary", "eur": d("4000.00")},
                min_n=40,
            ),
        ],
    )


def ty_tyopolku() -> Contract:
    return Contract(
        id="TY-2024-001",
        title="Työllisyyspalvelut, tulosperusteinen työhönvalmennus",
        service="tyollisyyspalvelut",
        buyer=CITY,
        supplier="Työpolku Oy",
        business_id="1827364-8",
        start=START,
        end=END,
        period="quarter",
        period_value=d("150000.00"),
        payment={"annual_bonus_cap": eur("60000.00")},
        indicators=[
            Indicator(
                id="tyollistyneet",
                name="Työllistyneet 6 kk valmennuksen jälkeen (kpl)",
                theme="talouden-tasapaino",
                unit="kpl",
                direction="higher",
                aggregate="sum",
                min_n=1,
                levels=[level(START, "0", "0")],
                bonus={
                    "scale": "rate",
                    "eur_per_outcome": d("800.00"),
                    "max_per_client": d("800.00"),
                    "max_per_period": d("20000.00"),
                },
            ),
        ],
    )


def sample_contracts() -> list[Contract]:
    """All sample contracts, in file-name order."""
    contracts = [
        kh_aalto(),
        kh_koivu(),
        kh_tammi(),
        ls_pihlaja(),
        pk_lahde(),
        tpa_kaski(),
        tpa_aalto(),
        tpa_kuusi(),
        ty_tyopolku(),
    ]
    return sorted(contracts, key=lambda c: c.id)


def contract_by_id() -> dict[str, Contract]:
    return {contract.id: contract for contract in sample_contracts()}


# --- the procurement calendar: option periods and planned next tenders ------------------------
#
# Every sample contract's basic period ends on 31.12.2025; its options continue it from the
# next day. Dates are chosen so that the calendar counted from 1.12.2026 (`vaikuttavuus
# calendar --today 2026-12-01`) shows a mix within 6, 12 and 24 months: a contract ending
# this month, option decisions due, planned tenders with and without a Hilma notice number.

KH_PREPARERS = ["Hankintapalvelut / sosiaali- ja terveyspalvelut", "Minna Mäkelä"]
TPA_PREPARERS = ["Hankintapalvelut / ikääntyneiden palvelut", "Jari Virtanen", "Sari Laine"]


def option(start: date, end: date, due: date, note: str | None = None) -> dict[str, TomlValue]:
    """One option period, decided by `due`."""
    table: dict[str, TomlValue] = {"start": start, "end": end, "decision_due": due}
    if note is not None:
        table["note"] = note
    return table


def next_tender(
    subject: dict[str, str], estimate: date, preparers: list[str], hilma: str | None = None
) -> dict[str, TomlValue]:
    """The planned next tender: subject in three languages, preparers, estimated publication."""
    table: dict[str, TomlValue] = {
        "subject": dict(subject),
        "preparers": list(preparers),
        "publication_estimate": estimate,
    }
    if hilma is not None:
        table["hilma"] = hilma
    return table


HOME_CARE_TENDER = {
    "fi": "Kotihoidon ostopalvelut 2028–2031",
    "sv": "Köpta hemvårdstjänster 2028–2031",
    "en": "Purchased home care services 2028–2031",
}
HOUSING_TENDER = {
    "fi": "Tehostetun palveluasumisen puitejärjestely 2028–2032",
    "sv": "Ramavtal för serviceboende med heldygnsomsorg 2028–2032",
    "en": "Framework agreement for 24-hour sheltered housing 2028–2032",
}

CALENDAR: dict[str, tuple[list[dict[str, TomlValue]], dict[str, TomlValue] | None]] = {
    "KH-2024-001": (
        [
            option(date(2026, 1, 1), date(2026, 12, 31), date(2025, 6, 30)),
            option(date(2027, 1, 1), date(2027, 12, 31), date(2026, 6, 30)),
            option(date(2028, 1, 1), date(2028, 12, 31), date(2027, 6, 30), "Viimeinen optiovuosi"),
        ],
        next_tender(HOME_CARE_TENDER, date(2028, 3, 1), KH_PREPARERS),
    ),
    "KH-2024-002": (
        [
            option(date(2026, 1, 1), date(2026, 12, 31), date(2025, 9, 30)),
            option(date(2027, 1, 1), date(2027, 12, 31), date(2026, 9, 30)),
        ],
        next_tender(
            {
                "fi": "Kotihoidon ostopalvelu, Riihimäen seutu 2028–2030",
                "sv": "Köpt hemvård, Riihimäkiregionen 2028–2030",
                "en": "Purchased home care, Riihimäki region 2028–2030",
            },
            date(2027, 2, 15),
            KH_PREPARERS,
            hilma="2026-184213",
        ),
    ),
    "KH-2024-003": (
        [option(date(2026, 1, 1), date(2026, 12, 31), date(2025, 6, 30))],
        next_tender(
            {
                "fi": "Kotihoidon ostopalvelu, Forssan seutu 2027–2029",
                "sv": "Köpt hemvård, Forssaregionen 2027–2029",
                "en": "Purchased home care, Forssa region 2027–2029",
            },
            date(2026, 6, 15),
            KH_PREPARERS,
            hilma="2026-121877",
        ),
    ),
    "LS-2024-001": (
        [
            option(
                date(2026, 1, 1),
                date(2027, 3, 31),
                date(2025, 9, 30),
                "Jatko kilpailutuksen ajaksi",
            )
        ],
        next_tender(
            {
                "fi": "Lastensuojelun perhehoito ja ammatilliset perhekodit",
                "sv": "Familjevård och professionella familjehem inom barnskyddet",
                "en": "Child welfare family care and professional foster homes",
            },
            date(2026, 10, 1),
            ["Hankintapalvelut / lapsiperheiden palvelut"],
            hilma="2026-150042",
        ),
    ),
    "PK-2024-001": (
        [
            option(date(2026, 1, 1), date(2026, 12, 31), date(2025, 6, 30)),
            option(date(2027, 1, 1), date(2028, 12, 31), date(2026, 6, 30)),
        ],
        next_tender(
            {
                "fi": "Päihdekuntoutuksen laitos- ja avopalvelut",
                "sv": "Missbrukarrehabilitering, anstalts- och öppenvård",
                "en": "Substance abuse rehabilitation, residential and outpatient",
            },
            date(2028, 4, 1),
            ["Hankintapalvelut / aikuissosiaalityö"],
        ),
    ),
    "TY-2024-001": (
        [
            option(date(2026, 1, 1), date(2027, 12, 31), date(2025, 10, 31)),
            option(date(2028, 1, 1), date(2029, 12, 31), date(2027, 4, 30)),
        ],
        None,
    ),
}
for _tpa in ("TPA-2024-001", "TPA-2024-002", "TPA-2024-003"):
    CALENDAR[_tpa] = (
        [
            option(date(2026, 1, 1), date(2027, 6, 30), date(2025, 6, 30)),
            option(date(2027, 7, 1), date(2028, 6, 30), date(2026, 12, 31)),
        ],
        next_tender(HOUSING_TENDER, date(2027, 9, 1), TPA_PREPARERS),
    )


def calendar_toml(contract_id: str) -> str:
    """The contract's `[[option]]` and `[next_tender]` tables as TOML text to follow its
    indicators (empty for a contract without them)."""
    options, tender = CALENDAR.get(contract_id, ([], None))
    lines: list[str] = []
    for table in options:
        lines += ["", "[[option]]", *(f"{k} = {toml_value(v)}" for k, v in table.items())]
    if tender is not None:
        lines += ["", "[next_tender]", *(f"{k} = {toml_value(v)}" for k, v in tender.items())]
    return "".join(line + "\n" for line in lines)
