"""Seeded monthly outcome data for the sample contracts.

Each contract × indicator has a `Profile`: a linear trend from its first to its last month,
month-to-month noise, a size range (denominator, n or count) and a few scripted events: months
far off the trend (`shocks`), months with few observations (`small`, so not assessable) and
months with no row at all (`missing`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sample_data.model import Contract, Indicator

SEED = "vaikuttavuus-sample-1"
MONTHS = tuple(f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13))
SMALL_FACTOR = 0.35
HALF_YEARS = ("2024-H1", "2024-H2", "2025-H1", "2025-H2")


@dataclass(frozen=True)
class Profile:
    first: float
    last: float
    sd: float
    size: tuple[int, int]
    decimals: int = 1
    shocks: dict[str, float] = field(default_factory=dict)
    small: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    max_excluded: int = 0


@dataclass(frozen=True)
class Obs:
    """One outcome row: an indicator-report row or, with `client`, a record-level row."""

    contract: str
    indicator: str
    period: str
    value: Decimal | None = None
    n: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    excluded: int | None = None
    client: str | None = None
    note: str = ""


# Record-level deliveries (one row per client event) and contracts reported per settlement period.
RECORD_LEVEL = {("KH-2024-002", "nps"), ("TY-2024-001", "tyollistyneet")}
SETTLEMENT_LEVEL = {"LS-2024-001"}

_SUMMER_2024 = ("2024-07", "2024-08", "2024-09")

_KH1_ADL_SHOCKS = {
    # autumn 2024 dip (partial); Q1 2025 as first delivered, before the RAI correction
    **{"2024-10": 76.0, "2024-11": 75.0, "2024-12": 77.0},
    **{"2025-01": 89.5, "2025-02": 89.5, "2025-03": 90.0},
}

# fmt: off
PROFILES: dict[tuple[str, str], Profile] = {
    # Hoiva Aalto, home care: on target; a slippery winter pushes falls over the minimum.
    ("KH-2024-001", "adl"): Profile(84, 89, 2.5, (44, 58), max_excluded=4, shocks=_KH1_ADL_SHOCKS),
    ("KH-2024-001", "nps"): Profile(40, 48, 6, (16, 26), missing=("2024-07",)),
    ("KH-2024-001", "kaatumiset"): Profile(
        5.2, 4.2, 0.5, (9000, 10200), shocks={"2024-01": 8.6, "2024-02": 9.1, "2024-03": 8.4}
    ),
    # Kotihoiva Koivu, home care, monthly: partial, small summer months, two bad falls months.
    ("KH-2024-002", "adl"): Profile(
        78, 83, 4, (26, 40), small=("2024-07", "2025-07"), shocks={"2025-02": 66}
    ),
    ("KH-2024-002", "nps"): Profile(30, 42, 3, (28, 40), small=("2024-07", "2025-07")),
    ("KH-2024-002", "kaatumiset"): Profile(
        5.8, 4.8, 0.8, (5200, 5800), shocks={"2024-12": 9.2, "2025-01": 8.8}
    ),
    ("KH-2024-002", "vaihtuvuus"): Profile(19, 14, 2, (28, 34)),
    # Lähiapu Tammi, home care from 15.2.2024: the supplier that improves over the two years.
    ("KH-2024-003", "adl"): Profile(64, 87, 2.5, (26, 36), small=("2024-02",)),
    ("KH-2024-003", "nps"): Profile(14, 44, 5, (12, 20), small=("2024-02", *_SUMMER_2024)),
    ("KH-2024-003", "kaatumiset"): Profile(9.8, 5.0, 0.5, (5600, 6400), small=("2024-02",)),
    # Palvelukoti Kaski, 24h housing, monthly: two staffing dips close the gate.
    ("TPA-2024-001", "mitoitus"): Profile(
        0.73, 0.76, 0.012, (46, 50), decimals=2, shocks={"2024-08": 0.68, "2025-01": 0.69}
    ),
    ("TPA-2024-001", "painehaavat"): Profile(5.0, 3.5, 1.6, (44, 50), small=("2024-12",)),
    ("TPA-2024-001", "rikkeet"): Profile(1.0, 0.3, 0.8, (0, 0), shocks={"2024-08": 12}),
    ("TPA-2024-001", "nps"): Profile(30, 42, 8, (14, 22), small=("2025-07",)),
    # Hoiva Aalto, 24h housing, quarterly: a summer 2025 staffing shortfall.
    ("TPA-2024-002", "mitoitus"): Profile(
        0.74, 0.77, 0.01, (54, 60), decimals=2, shocks={"2025-06": 0.69}
    ),
    ("TPA-2024-002", "painehaavat"): Profile(5.5, 3.6, 1.5, (54, 60)),
    ("TPA-2024-002", "rikkeet"): Profile(1.2, 0.3, 0.8, (0, 0), shocks={"2025-06": 9}),
    ("TPA-2024-002", "vaihtuvuus"): Profile(24, 16, 1.5, (38, 44)),
    # Vanhuspalvelu Kuusi, 24h housing, half-yearly: steady.
    ("TPA-2024-003", "mitoitus"): Profile(0.78, 0.80, 0.01, (70, 76), decimals=2),
    ("TPA-2024-003", "painehaavat"): Profile(6.5, 5.0, 1.2, (70, 76)),
    ("TPA-2024-003", "rikkeet"): Profile(0.6, 0.4, 0.7, (0, 0)),
    ("TPA-2024-003", "nps"): Profile(40, 48, 6, (10, 18)),
    # Perhekoti Pihlaja, child welfare, reported per half-year.
    ("LS-2024-001", "pysyvyys"): Profile(72, 85, 3, (36, 46)),
    ("LS-2024-001", "vaihtuvuus"): Profile(27, 21, 2, (16, 20)),
    # Kuntoutuskeskus Lähde, substance rehabilitation, yearly settlement.
    ("PK-2024-001", "asuminen"): Profile(56, 68, 8, (6, 11)),
    ("PK-2024-001", "nps"): Profile(22, 34, 10, (5, 10)),
    # Työpolku, employment: outcomes per month, one row per employed client.
    ("TY-2024-001", "tyollistyneet"): Profile(5, 9, 2, (0, 0)),
}
# fmt: on


def month_index(label: str) -> int:
    """Index of a month (or of the first month of a settlement period) in MONTHS."""
    if "-H" in label:
        year, half = label.split("-H")
        return MONTHS.index(f"{year}-{1 if half == '1' else 7:02d}")
    return MONTHS.index(label)


def slots(contract: Contract) -> list[str]:
    """The periods the supplier reports for: contract months, or settlement periods."""
    if contract.id in SETTLEMENT_LEVEL:
        return list(HALF_YEARS)
    first = f"{contract.start.year}-{contract.start.month:02d}"
    last = f"{contract.end.year}-{contract.end.month:02d}"
    return [m for m in MONTHS if first <= m <= last]


def expected(profile: Profile, label: str) -> float:
    if label in profile.shocks:
        return profile.shocks[label]
    share = month_index(label) / (len(MONTHS) - 1)
    return profile.first + (profile.last - profile.first) * share


def draw_size(profile: Profile, label: str, rng: random.Random) -> int:
    size = rng.randint(*profile.size)
    if label in profile.small:
        size = max(1, round(size * SMALL_FACTOR))
    return size


def bounds(indicator: Indicator) -> tuple[float, float]:
    if indicator.unit == "NPS":
        return -100.0, 100.0
    if indicator.aggregate == "ratio":
        return 0.0, float(indicator.per or 1)
    if indicator.unit == "%":
        return 0.0, 100.0
    return 0.0, 1e9


def noisy(indicator: Indicator, profile: Profile, label: str, rng: random.Random) -> float:
    low, high = bounds(indicator)
    return min(high, max(low, rng.gauss(expected(profile, label), profile.sd)))


def quantize(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def ratio_obs(
    contract: str, indicator: Indicator, profile: Profile, label: str, rng: random.Random
) -> Obs:
    denominator = draw_size(profile, label, rng)
    excluded = rng.randint(0, profile.max_excluded) if profile.max_excluded else None
    effective = denominator - (excluded or 0)
    rate = noisy(indicator, profile, label, rng) / (indicator.per or 1)
    numerator = min(effective, max(0, round(effective * rate)))
    return Obs(contract, indicator.id, label, None, None, numerator, denominator, excluded=excluded)


def value_obs(
    contract: str, indicator: Indicator, profile: Profile, label: str, rng: random.Random
) -> Obs:
    """A mean or last row: value and n."""
    n = draw_size(profile, label, rng)
    value = quantize(noisy(indicator, profile, label, rng), profile.decimals)
    return Obs(contract, indicator.id, label, value, n)


def count(profile: Profile, label: str, rng: random.Random) -> int:
    return max(0, round(rng.gauss(expected(profile, label), profile.sd)))


def sum_obs(
    contract: str, indicator: Indicator, profile: Profile, label: str, rng: random.Random
) -> Obs:
    return Obs(contract, indicator.id, label, Decimal(count(profile, label, rng)))


def client_pool(contract: str, size: int, prefix: str = "A") -> list[str]:
    """Pseudonymous client codes of one contract: a letter and seven digits."""
    rng = random.Random(f"{SEED}/{contract}/clients")
    return [f"{prefix}{number:07d}" for number in rng.sample(range(100_000, 10_000_000), size)]


def nps_answer(score: float, rng: random.Random) -> int:
    """One survey answer as -100 (detractor), 0 (passive) or 100 (promoter)."""
    score = min(70.0, max(-70.0, score))
    detractors = (0.7 - score / 100) / 2
    draw = rng.random()
    if draw < detractors:
        return -100
    return 0 if draw < detractors + 0.3 else 100


def nps_records(
    contract: str, indicator: Indicator, profile: Profile, label: str, rng: random.Random
) -> list[Obs]:
    answers = draw_size(profile, label, rng)
    score = noisy(indicator, profile, label, rng)
    clients = sorted(rng.sample(client_pool(contract, 240), answers))
    return [
        Obs(contract, indicator.id, label, Decimal(nps_answer(score, rng)), client=client)
        for client in clients
    ]


def outcome_series(
    contract: str, indicator: Indicator, profile: Profile, labels: list[str], rng: random.Random
) -> list[Obs]:
    """Employment outcomes, one row per employed client. In the last month of each quarter one
    client of the quarter's first month has a second outcome, which `max_per_client` caps."""
    pool = client_pool(contract, 900, prefix="T")
    history: dict[str, list[str]] = {}
    rows: list[Obs] = []
    for label in labels:
        clients = set(rng.sample(pool, count(profile, label, rng)))
        month = int(label[5:])
        earlier = history.get(f"{label[:5]}{month - 2:02d}", []) if month % 3 == 0 else []
        if earlier:
            clients.add(rng.choice(earlier))
        history[label] = sorted(clients)
        rows += [Obs(contract, indicator.id, label, Decimal(1), client=c) for c in history[label]]
    return rows


def observe(
    contract: str, indicator: Indicator, profile: Profile, label: str, rng: random.Random
) -> list[Obs]:
    if indicator.aggregate == "ratio":
        return [ratio_obs(contract, indicator, profile, label, rng)]
    if indicator.aggregate == "sum":
        return [sum_obs(contract, indicator, profile, label, rng)]
    if (contract, indicator.id) in RECORD_LEVEL:
        return nps_records(contract, indicator, profile, label, rng)
    return [value_obs(contract, indicator, profile, label, rng)]


def contract_observations(contract: Contract) -> list[Obs]:
    """All rows of one contract, months in order, indicators in contract order."""
    rows: list[Obs] = []
    for indicator in contract.indicators:
        profile = PROFILES[(contract.id, indicator.id)]
        rng = random.Random(f"{SEED}/{contract.id}/{indicator.id}")
        labels = [label for label in slots(contract) if label not in profile.missing]
        if (contract.id, indicator.id) in RECORD_LEVEL and indicator.aggregate == "sum":
            rows += outcome_series(contract.id, indicator, profile, labels, rng)
            continue
        for label in labels:
            rows += observe(contract.id, indicator, profile, label, rng)
    order = {indicator.id: i for i, indicator in enumerate(contract.indicators)}
    return sorted(rows, key=lambda o: (o.period, order[o.indicator], o.client or ""))


def first_day(label: str) -> date:
    return date(int(label[:4]), int(label[5:7]), 1)
