"""Deterministic synthetic records (consultations, placements, targets) and the committed sample files.

Everything here is made up: no real person is described. The volumes, shares, seasonality and delays are
plausible assumptions documented in docs/sample_data.md, so that the dashboard, the indicators and the
ingest can be exercised at national scale (``scale=1.0``) or as small committed files (``sample_data/``).

Public API:
    generate(scale, seed)            -> {"consultations", "placements", "targets"} DataFrames (ASCII codes)
    write_sample_files(out_dir, ...) -> the clean set with Japanese headers and labels, as agencies send it
    write_messy_files(out_dir, ...)  -> one small file per real-world quirk, plus EXPECTED.json
"""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import config, contract

REFERENCE_DIR = config.REFERENCE_DIR
DEFAULT_SCALE = 0.015
DEFAULT_SEED = 20200401
# The committed sample (sample_data/clean) uses a smaller scale so that all committed files stay small.
SAMPLE_SCALE = 0.01

FIRST_DAY = np.datetime64("2020-04-01")  # FY2020 (令和2年度) starts
LAST_DAY = np.datetime64("2025-03-31")  # FY2024 (令和6年度) ends; records are "as of" this day
FISCAL_YEARS = (2020, 2021, 2022, 2023, 2024)
STAGES = {"第1ステージ": (2020, 2021, 2022), "第2ステージ": (2023, 2024)}

# --------------------------------------------------------------------------------------------
# Assumptions (sources and reasoning: docs/sample_data.md)
# --------------------------------------------------------------------------------------------

# 総務省統計局「令和2年国勢調査」人口等基本集計（確定値, 2021-11-30 公表）, 都道府県別総人口 (2020-10-01).
PREFECTURE_POPULATION_2020: dict[str, int] = {
    "01": 5_224_614, "02": 1_237_984, "03": 1_210_534, "04": 2_301_996, "05": 959_502, "06": 1_068_027,
    "07": 1_833_152, "08": 2_867_009, "09": 1_933_146, "10": 1_939_110, "11": 7_344_765, "12": 6_284_480,
    "13": 14_047_594, "14": 9_237_337, "15": 2_201_272, "16": 1_034_814, "17": 1_132_526, "18": 766_863,
    "19": 809_974, "20": 2_048_011, "21": 1_978_742, "22": 3_633_202, "23": 7_542_415, "24": 1_770_254,
    "25": 1_413_610, "26": 2_578_087, "27": 8_837_685, "28": 5_465_002, "29": 1_324_473, "30": 922_584,
    "31": 553_407, "32": 671_126, "33": 1_888_432, "34": 2_799_702, "35": 1_342_059, "36": 719_559,
    "37": 950_244, "38": 1_334_841, "39": 691_527, "40": 5_135_214, "41": 811_442, "42": 1_312_317,
    "43": 1_738_301, "44": 1_123_852, "45": 1_069_576, "46": 1_588_256, "47": 1_467_480,
}
# Same census, the 20 政令指定都市 (rounded to the thousand): they take this share of their prefecture;
# the rest of a prefecture is spread over its other municipalities by MUNICIPALITY_TYPE_WEIGHT.
DESIGNATED_CITY_POPULATION_2020: dict[str, int] = {
    "01100": 1_973_000, "04100": 1_097_000, "11100": 1_324_000, "12100": 975_000, "14100": 3_777_000,
    "14130": 1_538_000, "14150": 719_000, "15100": 789_000, "22100": 693_000, "22130": 791_000,
    "23100": 2_332_000, "26100": 1_464_000, "27100": 2_752_000, "27140": 826_000, "28100": 1_525_000,
    "33100": 725_000, "34100": 1_201_000, "40100": 939_000, "40130": 1_612_000, "43100": 739_000,
}
# Rough relative population of one municipality of each type (a 特別区 is a large city, a 村 is small).
MUNICIPALITY_TYPE_WEIGHT = {"special_ward": 6.0, "city": 1.0, "town": 0.22, "village": 0.07}

# Persons supported over FY2020-2024 at scale 1.0. With the outcome rates below this gives about
# 100,000 regular-employment placements a year, the order of Hello Work's reported ~320,000 of this
# generation placed in regular jobs in FY2020-22 (厚生労働省, 就職氷河期世代支援の実績).
PERSONS_AT_SCALE_1 = 1_200_000

# 内閣府 2019 estimates: ~500k involuntary non-regular workers, ~400k long-term jobless (35-44);
# the third group (social participation, e.g. hikikomori) is smaller in the support records.
TARGET_GROUP_SHARES = {"unstable_employment": 0.48, "long_term_jobless": 0.37, "social_participation": 0.15}
GROUPS = tuple(TARGET_GROUP_SHARES)

# Monthly weights, April first: busy April-July and October, quiet August and December-January.
MONTH_WEIGHT = {4: 1.25, 5: 1.15, 6: 1.15, 7: 1.1, 8: 0.7, 9: 0.95, 10: 1.15, 11: 1.0, 12: 0.75, 1: 0.7,
                2: 0.95, 3: 1.0}
# FY2020 starts under the first state of emergency (April-May 2020); uptake grew afterwards.
FISCAL_YEAR_WEIGHT = {2020: 0.85, 2021: 1.0, 2022: 1.05, 2023: 1.05, 2024: 1.0}

CONSULTATIONS_PER_PERSON_P = (0.34, 0.25, 0.16, 0.11, 0.08, 0.06)  # 1..6 before seasonal thinning
FOLLOW_UP_MEAN_DAYS = 45

AGENCY_BY_GROUP = {
    "unstable_employment": {"hello_work": 0.76, "support_station": 0.07, "self_reliance_support": 0.12, "other": 0.05},
    "long_term_jobless": {"support_station": 0.50, "self_reliance_support": 0.30, "hello_work": 0.15,
                          "hikikomori_support_center": 0.02, "other": 0.03},
    "social_participation": {"hikikomori_support_center": 0.45, "self_reliance_support": 0.40,
                             "support_station": 0.10, "other": 0.05},
}
CHANNEL_BY_GROUP = {
    "unstable_employment": {"visit": 0.72, "phone": 0.15, "online": 0.10, "outreach": 0.01, "other": 0.02},
    "long_term_jobless": {"visit": 0.68, "phone": 0.16, "online": 0.08, "outreach": 0.06, "other": 0.02},
    "social_participation": {"visit": 0.45, "phone": 0.25, "online": 0.06, "outreach": 0.22, "other": 0.02},
}
GENDER_BY_GROUP = {
    "unstable_employment": {"male": 0.43, "female": 0.54, "other": 0.005, "unknown": 0.025},
    "long_term_jobless": {"male": 0.60, "female": 0.37, "other": 0.005, "unknown": 0.025},
    "social_participation": {"male": 0.66, "female": 0.30, "other": 0.01, "unknown": 0.03},
}
REFERRAL_SHARE = 0.12
REFERRAL_BY_AGENCY = {
    "hello_work": {"support_station": 0.5, "self_reliance_support": 0.3, "other": 0.2},
    "support_station": {"hello_work": 0.7, "self_reliance_support": 0.2, "hikikomori_support_center": 0.1},
    "self_reliance_support": {"hello_work": 0.5, "support_station": 0.3, "hikikomori_support_center": 0.2},
    "hikikomori_support_center": {"self_reliance_support": 0.6, "support_station": 0.3, "other": 0.1},
    "other": {"hello_work": 0.5, "self_reliance_support": 0.5},
}
GROUP_CHANGE_SHARE = 0.05  # of persons with 2+ consultations
GROUP_CHANGE_TO = {"unstable_employment": "long_term_jobless", "long_term_jobless": "unstable_employment",
                   "social_participation": "long_term_jobless"}

# Probability that a person reaches each outcome (the rest: no recorded outcome).
OUTCOME_BY_GROUP = {
    "unstable_employment": {"regular_employment": 0.58, "non_regular_employment": 0.15, "training": 0.06,
                            "social_participation": 0.0},
    "long_term_jobless": {"regular_employment": 0.25, "non_regular_employment": 0.20, "training": 0.10,
                          "social_participation": 0.03},
    "social_participation": {"regular_employment": 0.04, "non_regular_employment": 0.08, "training": 0.05,
                             "social_participation": 0.30},
}
REGIONAL_OUTCOME_SIGMA = 0.15  # prefectures differ in outcome rates (labour market, local programmes)
SECOND_PLACEMENT_SHARE = 0.08
PLACEMENT_BEFORE_CONSULTATION_SHARE = 0.03  # recorded first at the placing agency, consulted later
UNLINKED_PLACEMENT_SHARE = 0.02  # placed persons whose consultations were never sent
FIRST_OF_MONTH_SHARE = 0.35  # 入社日 is often the 1st
PLACEMENT_NO_GROUP_SHARE = 0.12
PLACEMENT_NO_MUNICIPALITY_SHARE = 0.08
RETENTION_P = {"regular_employment": (0.78, 0.14, 0.08), "non_regular_employment": (0.62, 0.28, 0.10)}
INDUSTRIES = {
    "医療,福祉": 0.20, "製造業": 0.17, "卸売業,小売業": 0.15, "運輸業,郵便業": 0.10,
    "サービス業（他に分類されないもの）": 0.12, "建設業": 0.07, "情報通信業": 0.05, "宿泊業,飲食サービス業": 0.05,
    "公務（他に分類されるものを除く）": 0.03, "教育,学習支援業": 0.03, "不動産業,物品賃貸業": 0.03,
}
PROGRAMS = {
    ("regular_employment", "unstable_employment"): ("ハローワーク専門窓口", "成果連動型事業", "短期資格等習得コース"),
    ("regular_employment", "long_term_jobless"): ("サポステ就職支援", "就労準備支援事業", "ハローワーク専門窓口"),
    ("regular_employment", "social_participation"): ("就労準備支援事業",),
    ("non_regular_employment", None): ("ハローワーク専門窓口", "サポステ就職支援", "就労準備支援事業"),
    ("training", None): ("求職者支援訓練", "公共職業訓練", "短期資格等習得コース"),
    ("social_participation", None): ("就労準備支援事業", "ひきこもり居場所事業", "就労体験事業"),
}

# National targets a year at scale 1.0. Sample assumptions, not official figures: the first stage
# echoes the 3-year goal of 300,000 more regular employees (骨太の方針2019); the second is set a little
# higher. Allocated to prefectures by population share (推計・按分).
NATIONAL_TARGETS_PER_YEAR = {
    "regular_placed_persons": {2020: 100_000, 2021: 100_000, 2022: 100_000, 2023: 105_000, 2024: 105_000},
    "social_participation_persons": {2020: 12_000, 2021: 12_000, 2022: 12_000, 2023: 13_000, 2024: 13_000},
}
TARGET_VINTAGES = {"第1ステージ": "2020-04 推計・按分（サンプル）", "第2ステージ": "2023-04 推計・按分（サンプル）"}
TARGET_REVISION = ("regular_placed_persons", 2022, 1.05, "2022-04 改定 推計・按分（サンプル）")


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def municipalities() -> pd.DataFrame:
    """The local governments records may name: no 政令市 wards, no 北方領土 villages, no prefectures.

    One row per municipality with code5, code6, pref_code, pref_name, name, type and ``weight`` (the
    municipality's assumed share of its prefecture's population, summing to 1 per prefecture).
    """
    ref = pd.read_csv(REFERENCE_DIR / "municipalities.csv", dtype=str, keep_default_na=False)
    ref = ref[(ref["type"] != "prefecture") & (ref["is_seirei_ward"] != "1") & (ref["is_northern_territories"] != "1")]
    ref = ref[["code5", "code6", "pref_code", "pref_name", "name", "type"]].reset_index(drop=True)
    pop = ref["pref_code"].map(PREFECTURE_POPULATION_2020).astype(float)
    dc_share = ref["code5"].map(DESIGNATED_CITY_POPULATION_2020).astype(float) / pop
    rest = 1.0 - dc_share.fillna(0).groupby(ref["pref_code"]).transform("sum")
    type_w = ref["type"].map(MUNICIPALITY_TYPE_WEIGHT).fillna(0.0)
    type_share = type_w / type_w.groupby(ref["pref_code"]).transform("sum")
    ref["weight"] = dc_share.fillna(type_share * rest)
    return ref


def _pref_short(pref_name: str) -> str:
    return pref_name if pref_name == "北海道" else pref_name[:-1]


@lru_cache(maxsize=1)
def _agency_names() -> pd.DataFrame:
    """Plausible agency names per municipality and agency type (index code5)."""
    ref = municipalities().set_index("code5")
    is_city = ref["type"].isin(["designated_city", "city", "special_ward"])
    # The prefecture's first city (by code, usually the capital) hosts offices for its towns and villages.
    first_city = ref[is_city].reset_index().groupby("pref_code")["name"].first()
    area = ref["name"].where(is_city, ref["pref_code"].map(first_city)).str.replace(r"[市区]$", "", regex=True)
    pref_short = ref["pref_name"].map(_pref_short)
    is_dc = ref["type"] == "designated_city"
    return pd.DataFrame({
        "hello_work": "ハローワーク" + area,
        "support_station": area + "地域若者サポートステーション",
        "self_reliance_support": (ref["name"] + "自立相談支援センター").where(
            is_city, ref["pref_name"] + "自立相談支援機関"),
        "hikikomori_support_center": (ref["name"] + "ひきこもり地域支援センター").where(
            is_dc, ref["pref_name"] + "ひきこもり地域支援センター"),
        "other": ref["name"] + "社会福祉協議会",
        "pref_short": pref_short,
    })


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------

def _choice(rng: np.random.Generator, probs: dict, size: int) -> np.ndarray:
    keys = np.array(list(probs), dtype=object)
    p = np.array(list(probs.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


def _choice_by(rng: np.random.Generator, key: np.ndarray, table: dict) -> np.ndarray:
    """Draw one value per row from the distribution ``table[key[row]]`` (vectorised per key)."""
    out = np.empty(len(key), dtype=object)
    for k, probs in table.items():
        mask = key == k
        if mask.any():
            out[mask] = _choice(rng, probs, int(mask.sum()))
    return out


@lru_cache(maxsize=1)
def _calendar() -> tuple[np.ndarray, np.ndarray]:
    """Days from FIRST_DAY to two years past LAST_DAY: (dates, index of the next day offices are open)."""
    days = np.arange(FIRST_DAY, LAST_DAY + np.timedelta64(800, "D"))
    weekday = (days.astype("int64") + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    md = pd.DatetimeIndex(days).strftime("%m%d").to_numpy()
    # Offices close at weekends and for the New Year holidays (12/29-1/3).
    open_ = (weekday < 5) & ~np.isin(md, ["1229", "1230", "1231", "0101", "0102", "0103"])
    idx = np.where(open_, np.arange(len(days)), len(days))
    next_open = np.minimum.accumulate(idx[::-1])[::-1]
    return days, np.minimum(next_open, len(days) - 1)


def _month_weight(dates: np.ndarray) -> np.ndarray:
    months = pd.DatetimeIndex(dates).month.to_numpy()
    return np.vectorize(MONTH_WEIGHT.get)(months)


def _person_ids(pref: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """IDs like agency case numbers, ``01-000123``: prefecture prefix, serial with gaps, unique overall."""
    order = np.lexsort((rng.random(len(pref)), pref))
    step = rng.integers(1, 4, size=len(pref))
    sorted_pref = pref[order]
    csum = np.cumsum(step)
    start = np.r_[0, np.flatnonzero(sorted_pref[1:] != sorted_pref[:-1]) + 1]
    offset = np.repeat(csum[start] - step[start], np.diff(np.r_[start, len(pref)]))
    serial = np.empty(len(pref), dtype=np.int64)
    serial[order] = csum - offset
    return (pd.Series(pref) + "-" + pd.Series(serial).astype(str).str.zfill(6)).to_numpy(dtype=object)


def generate(scale: float = DEFAULT_SCALE, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Synthetic consultations, placements and targets for the 47 prefectures, FY2020-FY2024.

    Grain: consultations one row per consultation, placements one row per outcome, targets one row per
    (indicator, fiscal_year or stage, prefecture, vintage). Columns are the contract's canonical names
    with ASCII codes; dates are ``datetime64``; ``retained_6m`` holds the codes "true"/"false"/"unknown";
    empty optional values are ``None``/``<NA>``. ``scale=1.0`` is national magnitude (about 1.2 million
    persons, ~100,000 regular placements a year); volumes are proportional to ``scale``. The same
    ``(scale, seed)`` always gives identical frames.

    Example: ``generate(0.001)["consultations"]`` has ~2,500 rows.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    rng = np.random.default_rng(seed)
    ref = municipalities()
    prefs = np.array(list(PREFECTURE_POPULATION_2020), dtype=object)
    pop = np.array(list(PREFECTURE_POPULATION_2020.values()), dtype=float)

    # ---- persons -------------------------------------------------------------------------------
    counts = rng.multinomial(round(PERSONS_AT_SCALE_1 * scale), pop / pop.sum())
    pref = np.repeat(prefs, counts)
    n = len(pref)
    muni = np.empty(n, dtype=object)
    for code, group in ref.groupby("pref_code"):
        mask = pref == code
        if mask.any():
            w = group["weight"].to_numpy()
            muni[mask] = group["code5"].to_numpy()[rng.choice(len(group), size=int(mask.sum()), p=w / w.sum())]
    group0 = _choice(rng, TARGET_GROUP_SHARES, n)
    gender = _choice_by(rng, group0, GENDER_BY_GROUP)
    birth_years = np.arange(1964, 1992)
    by_w = np.where((birth_years >= 1968) & (birth_years <= 1987), 1.0 + 0.4 * np.cos((birth_years - 1976) / 9), 0.06)
    birth_year = rng.choice(birth_years, size=n, p=by_w / by_w.sum())
    birth_date = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, size=n)
    main_agency = _choice_by(rng, group0, AGENCY_BY_GROUP)
    person_id = _person_ids(pref, rng)

    # ---- consultations: first date seasonal, follow-ups every ~6 weeks ---------------------------
    days, next_open = _calendar()
    in_window = days <= LAST_DAY
    fy = pd.DatetimeIndex(days).year.to_numpy() - (pd.DatetimeIndex(days).month.to_numpy() < 4)
    day_w = np.where(in_window & (next_open == np.arange(len(days))), _month_weight(days), 0.0)
    day_w = day_w * np.vectorize(FISCAL_YEAR_WEIGHT.get, otypes=[float])(np.clip(fy, 2020, 2024))
    first_day = rng.choice(len(days), size=n, p=day_w / day_w.sum())

    k = rng.choice(np.arange(1, 7), size=n, p=CONSULTATIONS_PER_PERSON_P)
    row_person = np.repeat(np.arange(n), k)
    starts = np.r_[0, np.cumsum(k)[:-1]]
    seq = np.arange(len(row_person)) - np.repeat(starts, k)
    gap = np.where(seq == 0, 0, rng.geometric(1 / FOLLOW_UP_MEAN_DAYS, size=len(row_person)))
    cum = np.cumsum(gap)
    cum = cum - np.repeat(cum[starts], k)
    day_idx = next_open[np.minimum(first_day[row_person] + cum, len(days) - 1)]
    date = days[day_idx]
    # Follow-ups thin out in quiet months, so the seasonal shape holds for all consultations.
    thin = rng.random(len(date)) < _month_weight(date) / max(MONTH_WEIGHT.values())
    keep = (date <= LAST_DAY) & ((seq == 0) | thin)
    c = pd.DataFrame({"p": row_person, "seq": seq, "consultation_date": date})[keep]
    c = c.drop_duplicates(["p", "consultation_date"]).reset_index(drop=True)
    c["seq"] = c.groupby("p").cumcount()
    m = len(c)
    p_idx = c["p"].to_numpy()

    # A few persons are reassessed into another group at a later consultation.
    n_cons = np.bincount(p_idx, minlength=n)
    changes = (n_cons >= 2) & (rng.random(n) < GROUP_CHANGE_SHARE)
    change_at = np.maximum(1, (rng.random(n) * n_cons).astype(int))
    changed_row = changes[p_idx] & (c["seq"].to_numpy() >= change_at[p_idx])
    new_group = np.vectorize(GROUP_CHANGE_TO.get, otypes=[object])(group0)
    group_row = np.where(changed_row, new_group[p_idx], group0[p_idx])

    agency = np.where(rng.random(m) < 0.85, main_agency[p_idx], _choice_by(rng, group_row, AGENCY_BY_GROUP))
    names = _agency_names()
    muni_row = muni[p_idx]
    agency_name = np.empty(m, dtype=object)
    for a in AGENCY_BY_GROUP["long_term_jobless"]:
        mask = agency == a
        agency_name[mask] = names[a].reindex(muni_row[mask]).to_numpy()
    referred = np.where(rng.random(m) < REFERRAL_SHARE, _choice_by(rng, agency, REFERRAL_BY_AGENCY), None)
    cdate = c["consultation_date"].to_numpy()
    age = ((cdate - birth_date[p_idx]).astype("timedelta64[D]").astype(int) // 365.2425).astype(int)
    consultations = pd.DataFrame({
        "person_id": person_id[p_idx],
        "consultation_date": pd.to_datetime(cdate).astype("datetime64[ns]"),
        "municipality_code": muni_row,
        "prefecture_code": pref[p_idx],
        "target_group": group_row,
        "agency_type": agency,
        "agency_name": agency_name,
        "channel": _choice_by(rng, group_row, CHANNEL_BY_GROUP),
        "age": pd.array(np.where(rng.random(m) < 0.03, pd.NA, age), dtype="Int64"),
        "birth_year": pd.array(np.where(rng.random(m) < 0.06, pd.NA, birth_year[p_idx]), dtype="Int64"),
        "gender": gender[p_idx],
        "referred_to": referred,
    })

    # ---- placements -----------------------------------------------------------------------------
    has_cons = n_cons > 0
    first_date = np.full(n, LAST_DAY)
    first_rows = c[c["seq"] == 0]
    first_date[first_rows["p"].to_numpy()] = first_rows["consultation_date"].to_numpy()
    regional = dict(zip(prefs, rng.lognormal(0, REGIONAL_OUTCOME_SIGMA, size=len(prefs)), strict=True))
    reg = np.vectorize(regional.get, otypes=[float])(pref)
    u = rng.random(n)
    outcome = np.full(n, None, dtype=object)
    for g, probs in OUTCOME_BY_GROUP.items():
        mask = group0 == g
        p_all = np.array(list(probs.values()))[None, :] * reg[:, None]
        p_all = p_all * np.minimum(1.0, 0.95 / p_all.sum(axis=1))[:, None]  # leave some without an outcome
        upper = np.cumsum(p_all, axis=1)
        lower = upper - p_all
        for j, o in enumerate(probs):
            outcome[mask & (u >= lower[:, j]) & (u < upper[:, j])] = o
    placed = np.flatnonzero(pd.notna(outcome) & has_cons)
    delay = np.ceil(rng.gamma(2.0, 70.0, size=len(placed))).astype(int)
    before = rng.random(len(placed)) < PLACEMENT_BEFORE_CONSULTATION_SHARE
    delay = np.where(before, -rng.integers(1, 60, size=len(placed)), delay)
    p_rows = [pd.DataFrame({"p": placed, "outcome_type": outcome[placed],
                            "d": first_date[placed] + delay.astype("timedelta64[D]")})]
    second = placed[rng.random(len(placed)) < SECOND_PLACEMENT_SHARE]
    if len(second):
        base = p_rows[0].set_index("p").loc[second, "d"].to_numpy()
        p_rows.append(pd.DataFrame({
            "p": second,
            "outcome_type": _choice(rng, {"regular_employment": 0.5, "non_regular_employment": 0.35, "training": 0.15},
                                    len(second)),
            "d": base + rng.integers(60, 300, size=len(second)).astype("timedelta64[D]"),
        }))
    pl = pd.concat(p_rows, ignore_index=True)
    d = pl["d"].to_numpy().astype("datetime64[D]")
    is_job = pl["outcome_type"].isin(["regular_employment", "non_regular_employment"]).to_numpy()
    month_start = d.astype("datetime64[M]")
    first_of_next = (month_start + np.timedelta64(1, "M")).astype("datetime64[D]")
    to_first = is_job & (rng.random(len(pl)) < FIRST_OF_MONTH_SHARE)
    opened = days[next_open[np.clip((d - FIRST_DAY).astype(int), 0, len(days) - 1)]]
    pl["placement_date"] = np.where(to_first, first_of_next, np.where(d < FIRST_DAY, d, opened))
    pl = pl[(pl["placement_date"] >= FIRST_DAY) & (pl["placement_date"] <= LAST_DAY)]
    pl = pl.drop_duplicates(["p", "placement_date", "outcome_type"]).sort_values(["p", "placement_date"])
    pl = pl.reset_index(drop=True)
    q = pl["p"].to_numpy()
    k_pl = len(pl)

    # The group at placement: the person's latest consultation on or before it, else the first.
    pl["placement_date"] = pd.to_datetime(pl["placement_date"]).astype("datetime64[ns]")
    asof = pd.merge_asof(
        pl[["p", "placement_date"]].reset_index().sort_values("placement_date"),
        pd.DataFrame({"p": p_idx, "consultation_date": consultations["consultation_date"],
                      "g": group_row}).sort_values("consultation_date"),
        left_on="placement_date", right_on="consultation_date", by="p", direction="backward",
    ).set_index("index").sort_index()
    pl_group = asof["g"].fillna(pd.Series(group0[q])).to_numpy(dtype=object)
    pdate = pl["placement_date"].to_numpy().astype("datetime64[D]")
    out = pl["outcome_type"].to_numpy(dtype=object)

    retained = np.full(k_pl, "unknown", dtype=object)
    for o, (pt, pf, _pu) in RETENTION_P.items():
        mask = out == o
        r = rng.random(k_pl)
        retained[mask & (r < pt)] = "true"
        retained[mask & (r >= pt) & (r < pt + pf)] = "false"
    retained[pdate + np.timedelta64(183, "D") > LAST_DAY] = "unknown"  # six months not yet passed

    industry = np.where(np.isin(out, ["regular_employment", "non_regular_employment"]),
                        _choice(rng, INDUSTRIES, k_pl), None)
    program = np.full(k_pl, None, dtype=object)
    for (o, g), options in PROGRAMS.items():
        mask = (out == o) & ((pl_group == g) if g else True)
        program[mask] = np.array(options, dtype=object)[rng.integers(0, len(options), size=int(mask.sum()))]
    program[rng.random(k_pl) < 0.3] = None

    no_group = rng.random(k_pl) < PLACEMENT_NO_GROUP_SHARE
    no_muni = rng.random(k_pl) < PLACEMENT_NO_MUNICIPALITY_SHARE
    no_pref = no_muni & (rng.random(k_pl) < 0.5)
    placements = pd.DataFrame({
        "person_id": person_id[q],
        "placement_date": pl["placement_date"],
        "outcome_type": out,
        "municipality_code": np.where(no_muni, None, muni[q]),
        "prefecture_code": np.where(no_pref, None, pref[q]),
        "target_group": np.where(no_group, None, pl_group),
        "retained_6m": retained,
        "industry": industry,
        "program": program,
    })

    # Some placed persons' consultations were never sent (another agency's records).
    placed_persons = np.unique(q)
    unlinked = placed_persons[rng.random(len(placed_persons)) < UNLINKED_PLACEMENT_SHARE]
    consultations = consultations[~np.isin(p_idx, unlinked)]

    consultations = consultations.sort_values(["prefecture_code", "consultation_date", "person_id"], kind="stable")
    placements = placements.assign(_pref=pref[q]).sort_values(["_pref", "placement_date", "person_id"], kind="stable")
    return {
        "consultations": consultations.reset_index(drop=True),
        "placements": placements.drop(columns="_pref").reset_index(drop=True),
        "targets": generate_targets(scale),
    }


def _allocate(total: int, shares: np.ndarray) -> np.ndarray:
    """Split an integer total by shares, largest remainders first, so the parts add up exactly."""
    raw = total * shares
    base = np.floor(raw).astype(int)
    rest = total - base.sum()
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base


def generate_targets(scale: float = DEFAULT_SCALE) -> pd.DataFrame:
    """Sample targets: national figures allocated to prefectures by 2020 population (推計・按分).

    Grain: one row per (indicator, fiscal_year xor stage, prefecture or national, vintage); yearly rows
    have ``stage`` None, stage rows have ``fiscal_year`` <NA>; the national row has ``prefecture_code``
    None. One revision (FY2022 regular placements, +5%) is added as a later vintage; the earlier one stays.
    """
    prefs = list(PREFECTURE_POPULATION_2020)
    shares = np.array(list(PREFECTURE_POPULATION_2020.values()), dtype=float)
    shares = shares / shares.sum()
    rows: list[dict] = []

    def add(indicator: str, fiscal_year: int | None, stage: str | None, national: int, vintage: str) -> None:
        rows.append({"indicator": indicator, "fiscal_year": fiscal_year, "stage": stage, "prefecture_code": None,
                     "target_group": None, "value": float(national), "vintage": vintage})
        for code, value in zip(prefs, _allocate(national, shares), strict=True):
            rows.append({"indicator": indicator, "fiscal_year": fiscal_year, "stage": stage, "prefecture_code": code,
                         "target_group": None, "value": float(value), "vintage": vintage})

    for indicator, per_year in NATIONAL_TARGETS_PER_YEAR.items():
        for stage, years in STAGES.items():
            yearly = {fy: round(per_year[fy] * scale) for fy in years}
            add(indicator, None, stage, sum(yearly.values()), TARGET_VINTAGES[stage])
            for fy in years:
                add(indicator, fy, None, yearly[fy], TARGET_VINTAGES[stage])
    indicator, fy, factor, vintage = TARGET_REVISION
    add(indicator, fy, None, round(NATIONAL_TARGETS_PER_YEAR[indicator][fy] * scale * factor), vintage)
    targets = pd.DataFrame(rows)
    targets["fiscal_year"] = targets["fiscal_year"].astype("Int64")
    return targets


# --------------------------------------------------------------------------------------------
# Files as agencies send them
# --------------------------------------------------------------------------------------------

def _labels(list_name: str, lang: str = "ja") -> dict[str, str]:
    return {c.code: getattr(c, lang) for c in contract.CODE_LISTS[list_name]}


def to_agency_frame(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Canonical frame -> the same rows with Japanese headers (Column.ja) and Japanese labels (Code.ja).

    Dates become ISO text, codes stay text with leading zeros, missing values become empty cells.
    """
    table = contract.TABLES[kind]
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        if col.name not in df.columns:
            continue
        s = df[col.name]
        if col.type == "date":
            s = s.dt.strftime("%Y-%m-%d")
        elif col.codes:
            s = s.map(_labels(col.codes))
        elif col.name == "indicator":
            s = s.map({c.code: c.ja for c in contract.TARGET_INDICATORS})
        elif col.type in ("int", "fiscal_year", "float"):
            s = s.astype("Int64").astype(str).replace("<NA>", "")
        out[col.ja] = s
    return out.fillna("")


def write_sample_files(out_dir: Path, scale: float = SAMPLE_SCALE, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the clean set (UTF-8 CSV, Japanese headers and labels) into ``out_dir``; return the paths.

    Files: consultations_FY2020-2024.csv, placements_FY2020-2024.csv, targets_sample.csv.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = generate(scale=scale, seed=seed)
    names = {"consultations": "consultations_FY2020-2024.csv", "placements": "placements_FY2020-2024.csv",
             "targets": "targets_sample.csv"}
    paths = []
    for kind, name in names.items():
        path = out_dir / name
        to_agency_frame(data[kind], kind).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------------------------
# Messy files: one per real-world quirk
# --------------------------------------------------------------------------------------------

WAREKI_ERAS = (("令和", np.datetime64("2019-05-01"), 2018), ("平成", np.datetime64("1989-01-08"), 1988))
FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})  # ASCII -> 全角 (A -> Ａ)


def _wareki(d: dt.date, style: str = "kanji") -> str:
    """令和3年4月5日 (kanji), R3.4.5 (short); 元年 for the first year of an era in kanji style."""
    for era, start, offset in WAREKI_ERAS:
        if np.datetime64(d) >= start:
            year = d.year - offset
            if style == "short":
                return f"{era[0] if era != '令和' else 'R'}{year}.{d.month}.{d.day}".replace("平", "H")
            y = "元" if year == 1 else str(year)
            return f"{era}{y}年{d.month}月{d.day}日"
    raise ValueError(d)


def _code6(code5: str) -> str:
    """Add the check digit of the 全国地方公共団体コード (weights 6,5,4,3,2; 11 - sum mod 11, mod 10)."""
    s = sum(int(ch) * w for ch, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return code5 + str((11 - s % 11) % 10)


class _Messy:
    """Collects messy files and their EXPECTED.json entries."""

    def __init__(self, out_dir: Path, data: dict[str, pd.DataFrame], seed: int):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.rng = np.random.default_rng(seed)
        self.expected: dict[str, dict] = {}
        self.paths: list[Path] = []
        self._pools = {kind: df.sample(frac=1.0, random_state=seed).reset_index(drop=True)
                       for kind, df in data.items() if kind != "targets"}
        self._taken = dict.fromkeys(self._pools, 0)

    def take(self, kind: str, n: int, pref: str | None = None, fiscal_year: int | None = None) -> pd.DataFrame:
        """Up to n rows nobody has taken yet (messy files do not overlap unless a quirk says so)."""
        pool = self._pools[kind]
        free = pool.iloc[self._taken[kind]:]
        mask = pd.Series(True, index=free.index)
        if pref:
            mask &= free["prefecture_code"] == pref
        if fiscal_year:
            date = free["consultation_date" if kind == "consultations" else "placement_date"]
            mask &= (date >= f"{fiscal_year}-04-01") & (date <= f"{fiscal_year + 1}-03-31")
        rows = free[mask].head(n)
        self._pools[kind] = pd.concat([pool.iloc[:self._taken[kind]], rows, free.drop(rows.index)])
        self._pools[kind] = self._pools[kind].reset_index(drop=True)
        self._taken[kind] += len(rows)
        return rows.reset_index(drop=True)

    def add(self, name: str, data: bytes | None, **entry) -> Path:
        path = self.out_dir / name
        if data is not None:
            path.write_bytes(data)
        self.paths.append(path)
        self.expected[name] = entry
        return path


def _counts(loaded: int | None, quarantined: int | None = 0, duplicate: int | None = 0,
            excluded: int | None = 0) -> dict:
    return {"loaded": loaded, "quarantined": quarantined, "duplicate": duplicate, "excluded": excluded}


def _ja(df: pd.DataFrame, kind: str, headers: dict[str, str]) -> pd.DataFrame:
    """Agency frame with chosen header spellings: ``headers`` maps canonical column -> header."""
    frame = to_agency_frame(df, kind)
    table = contract.TABLES[kind]
    return frame[[table.column(c).ja for c in headers]].set_axis(list(headers.values()), axis=1)


def _csv_bytes(df: pd.DataFrame, encoding: str = "utf-8", sep: str = ",", crlf: bool = True) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, sep=sep, lineterminator="\r\n" if crlf else "\n")
    return buf.getvalue().encode(encoding)


def _xlsx_bytes(build) -> bytes:
    """Build a workbook and return its bytes, identical on every run.

    openpyxl stamps the save time into docProps/core.xml and into every zip entry; both are pinned so
    regenerating sample_data does not change committed files.
    """
    import re
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2022-04-10T09:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2022, 4, 10, 9, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return fixed.getvalue()


def write_messy_files(out_dir: Path, scale: float = SAMPLE_SCALE, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write one small file per real-world quirk into ``out_dir`` plus EXPECTED.json; return the paths.

    Rows are drawn from ``generate(scale, seed)`` without overlap between files (except the designed
    duplicates in j*), so each file's expected counts hold in an empty database, and loading all files in
    name order adds only the duplicates EXPECTED.json names.
    """
    from openpyxl.styles import Alignment, Font

    m = _Messy(out_dir, generate(scale=scale, seed=seed), seed)
    cons_std = {"person_id": "相談者ID", "consultation_date": "相談年月日", "municipality_code": "市町村コード",
                "target_group": "支援対象区分", "agency_type": "機関種別", "agency_name": "支援機関名",
                "channel": "相談方法", "age": "年齢", "gender": "性別"}

    # a. CP932 ------------------------------------------------------------------------------------
    a = _ja(m.take("consultations", 50), "consultations", cons_std)
    odd_names = ["㈱髙橋キャリア支援センター", "ハローワーク①番窓口", "就労支援室Ⅲ（月～金）", "㈲ワークサポート髙崎",
                 "ｻﾎﾟｽﾃ分室№２"]
    a.loc[::5, "支援機関名"] = [odd_names[i % len(odd_names)] for i in range(len(a.loc[::5]))]
    a.loc[::5, "機関種別"] = "その他"
    m.add("a_cp932_consultations.csv", _csv_bytes(a, "cp932"), kind="consultations", data_rows=len(a),
          encoding="cp932", expected=_counts(len(a)),
          quirk="Windows-31J (CP932) CSV with NEC/IBM extension characters (髙 ① ㈱ Ⅲ ～ №) in 支援機関名; "
                "plain shift_jis cannot decode them")

    # b. UTF-8 BOM, tab-separated -----------------------------------------------------------------
    b = _ja(m.take("consultations", 40), "consultations",
            {"person_id": "利用者ID", "consultation_date": "受付日", "prefecture_code": "都道府県",
             "municipality_code": "団体コード", "target_group": "対象者区分", "agency_type": "機関種別",
             "channel": "相談方法", "birth_year": "生年", "gender": "性別", "referred_to": "紹介先"})
    m.add("b_utf8_bom_tab_consultations.csv", _csv_bytes(b, "utf-8-sig", sep="\t"), kind="consultations",
          data_rows=len(b), encoding="utf-8-sig", delimiter="\\t", expected=_counts(len(b)),
          quirk="UTF-8 with BOM, tab-separated although named .csv (Excel 'Unicode text' style)")

    # c. titled xlsx with merged two-row headers, totals, footnotes and a pivot sheet -------------
    c_pl = m.take("placements", 40, pref="02", fiscal_year=2021)
    c_pl = c_pl[c_pl["target_group"].notna()].copy()
    c_pl["placement_date"] = pd.to_datetime(c_pl["placement_date"])
    c_co = m.take("consultations", 60, pref="02", fiscal_year=2021)
    ref = municipalities().set_index("code5")

    def write_block(ws, title: str, groups: list[tuple[str | None, list[str]]], rows: list[list], total_col: int):
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(["作成日：令和4年4月10日", None, None, None, "青森県就職氷河期世代活躍支援プラットフォーム事務局"])
        ws.append([])
        top, sub, col = [], [], 1
        for parent, children in groups:
            for i, child in enumerate(children):
                top.append(parent if (parent and i == 0) else (child if not parent else None))
                sub.append(child if parent else None)
        ws.append(top)
        ws.append(sub)
        for parent, children in groups:
            if parent:
                ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + len(children) - 1)
            else:
                ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
            col += len(children)
        for cell in ws[4] + ws[5]:
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cell.font = Font(bold=True)
        for i, row in enumerate(rows):
            ws.append(row)
            if i == len(rows) // 2:
                ws.append([])  # a blank row in the middle, as left by a deleted record
        ws.append([])
        total = [None] * total_col + ["合計", f"{len(rows)}件"]
        ws.append(total)
        ws.append(["※ 個人が特定されないよう、氏名等は記載していません。"])
        ws.append(["※ 就職日は雇用開始日（入社日）です。"])

    muni_name = ref["name"]
    pl_rows = [[r.municipality_code if r.municipality_code else None, r.person_id,
                _labels("target_group")[r.target_group], r.placement_date.to_pydatetime(),
                _labels("outcome_type")[r.outcome_type], _labels("retention")[r.retained_6m], r.industry]
               for r in c_pl.itertuples()]
    co_rows = [[muni_name[r.municipality_code], r.person_id, _labels("target_group")[r.target_group],
                r.consultation_date.to_pydatetime(), _labels("channel")[r.channel], r.agency_name,
                None if pd.isna(r.age) else int(r.age)] for r in c_co.itertuples()]

    def build_c(wb):
        ws = wb.active
        ws.title = "就職実績"
        write_block(ws, "令和3年度 就職実績一覧（青森県）",
                    [(None, ["市町村コード"]), ("対象者", ["ID", "区分"]), ("就職", ["年月日", "区分"]),
                     (None, ["定着状況"]), (None, ["業種"])], pl_rows, total_col=4)
        for row in ws.iter_rows(min_row=6, min_col=4, max_col=4):
            for cell in row:
                cell.number_format = "yyyy/m/d"
        ws2 = wb.create_sheet("相談記録")
        write_block(ws2, "令和3年度 相談記録一覧（青森県）",
                    [(None, ["市町村名"]), ("対象者", ["ID", "区分"]), ("相談", ["年月日", "方法"]),
                     (None, ["支援機関名"]), (None, ["年齢"])], co_rows, total_col=4)
        for row in ws2.iter_rows(min_row=6, min_col=4, max_col=4):
            for cell in row:
                cell.number_format = "ggge\"年\"m\"月\"d\"日\""  # 和暦 display, a real date underneath
        ws3 = wb.create_sheet("集計")
        pivot = pd.crosstab(c_co["municipality_code"].map(muni_name),
                            c_co["target_group"].map(_labels("target_group")), margins=True, margins_name="合計")
        ws3.append(["市町村別・対象者区分別 相談件数（令和3年度）"])
        ws3.append(["市町村", *pivot.columns])
        for name, row in pivot.iterrows():
            ws3.append([name] + [int(v) for v in row])

    m.add("c_aomori_R3_titled_merged.xlsx", _xlsx_bytes(build_c), kind=None, data_rows=len(pl_rows) + len(co_rows),
          sheets={
              "就職実績": {"kind": "placements", "data_rows": len(pl_rows), "header_rows": [4, 5],
                       "first_data_row": 6, "expected": _counts(len(pl_rows), excluded=None),
                       "headers_combined": ["市町村コード", "対象者ID", "対象者区分", "就職年月日", "就職区分",
                                            "定着状況", "業種"]},
              "相談記録": {"kind": "consultations", "data_rows": len(co_rows), "header_rows": [4, 5],
                       "first_data_row": 6, "expected": _counts(len(co_rows), excluded=None),
                       "headers_combined": ["市町村名", "対象者ID", "対象者区分", "相談年月日", "相談方法",
                                            "支援機関名", "年齢"]},
              "集計": {"kind": None, "expected_status": "skipped",
                     "note": "pivot of counts (市町村 x 対象者区分): must not be loaded as records"},
          },
          expected=_counts(len(pl_rows) + len(co_rows), excluded=None),
          quirk="title and 作成日 rows above a two-row header with merged cells (対象者/ID,区分; 就職/年月日,区分; "
                "相談/年月日,方法), a blank row mid-table, a 合計 row and ※ footnotes; a 集計 pivot sheet; "
                "相談年月日 cells formatted as 和暦. excluded=null: whether the 合計/blank/footnote rows count as "
                "'excluded' is the ingest's choice (1 total row, 2 footnotes, 2 blank rows per sheet)")

    # d. legacy .xls ------------------------------------------------------------------------------
    import xlwt

    d_pl = m.take("placements", 45)
    d_pl = d_pl[d_pl["municipality_code"].notna()].reset_index(drop=True)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("就職者一覧")
    date_style = xlwt.easyxf(num_format_str="YYYY/MM/DD")
    headers = ["利用者ID", "採用日", "就業形態", "市町村名", "支援区分", "定着状況", "業種", "事業名"]
    for j, h in enumerate(headers):
        ws.write(0, j, h)
    for i, r in enumerate(d_pl.itertuples(), start=1):
        ws.write(i, 0, r.person_id)
        ws.write(i, 1, r.placement_date.to_pydatetime(), date_style)
        ws.write(i, 2, _labels("outcome_type")[r.outcome_type])
        ws.write(i, 3, ref.loc[r.municipality_code, "pref_name"] + muni_name[r.municipality_code])
        ws.write(i, 4, _labels("target_group").get(r.target_group, ""))
        ws.write(i, 5, _labels("retention")[r.retained_6m])
        ws.write(i, 6, r.industry or "")
        ws.write(i, 7, r.program or "")
    buf = io.BytesIO()
    wb.save(buf)
    m.add("d_legacy_placements.xls", buf.getvalue(), kind="placements", data_rows=len(d_pl),
          expected=_counts(len(d_pl)),
          quirk="old Excel 97-2003 .xls (BIFF8, written with xlwt); 採用日 as date cells; "
                "市町村名 with 都道府県 prefix")

    # e. every date format in one xlsx -----------------------------------------------------------
    e = m.take("consultations", 33)
    fmts = ["iso", "slash", "kanji", "wareki", "wareki_short", "excel_date", "excel_serial", "fullwidth_wareki",
            "heisei", "reiwa_gannen", "iso_datetime"]
    e_rows, e_dates = [], []
    for i, r in enumerate(e.itertuples()):
        f = fmts[i % len(fmts)]
        d = r.consultation_date.date()
        if f == "heisei":
            d = dt.date(2019, 4, 30)  # 平成最後の日
        elif f == "reiwa_gannen":
            d = dt.date(2019, 5, 1) + dt.timedelta(days=int(i))
        value: object = {
            "iso": d.isoformat(), "slash": f"{d.year}/{d.month}/{d.day}", "kanji": f"{d.year}年{d.month}月{d.day}日",
            "wareki": _wareki(d), "wareki_short": _wareki(d, "short"), "excel_date": dt.datetime.combine(d, dt.time()),
            "excel_serial": (d - dt.date(1899, 12, 30)).days, "fullwidth_wareki": _wareki(d).translate(FULLWIDTH),
            "heisei": _wareki(d), "reiwa_gannen": _wareki(d), "iso_datetime": f"{d.isoformat()} 00:00:00",
        }[f]
        e_dates.append({"row": i + 2, "format": f, "expected_date": d.isoformat(),
                        "as_written": value if not isinstance(value, dt.datetime) else "Excel date cell"})
        e_rows.append([r.person_id, value, r.municipality_code, _labels("target_group")[r.target_group],
                       _labels("agency_type")[r.agency_type], r.agency_name])

    def build_e(wb):
        ws = wb.active
        ws.title = "相談記録"
        ws.append(["個人ID", "相談日", "市区町村コード", "対象者区分", "機関種別", "機関名"])
        for row in e_rows:
            ws.append(row)
        for (cell,), info in zip(ws.iter_rows(min_row=2, min_col=2, max_col=2), e_dates, strict=True):
            if info["format"] == "excel_date":
                cell.number_format = "yyyy/m/d"
            elif info["format"] == "excel_serial":
                cell.number_format = "General"  # the serial number shows as e.g. 44291
            else:
                cell.number_format = "@"
        for (cell,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
            cell.number_format = "@"

    m.add("e_date_formats.xlsx", _xlsx_bytes(build_e), kind="consultations", data_rows=len(e_rows),
          expected=_counts(len(e_rows)), dates=e_dates,
          quirk="相談日 in every format: ISO, 2021/4/5, 2021年4月5日, 令和3年4月5日, R3.4.5, 全角の和暦, "
                "平成31年4月30日, "
                "令和元年…, ISO with time, real Excel date cells and serial numbers in General cells; "
                "the 平成/令和元年 rows fall in FY2019")

    # f. local-government codes in every form -----------------------------------------------------
    f_co = m.take("consultations", 30, pref="02")
    extra = m.take("consultations", 4, pref="13")
    f_co = pd.concat([f_co, extra], ignore_index=True)
    forms = ["code6", "code5", "lost_zero6", "lost_zero5", "name", "pref_name", "code6_text"]
    pref_forms = ["pref_no_ken", "pref_code2", "pref_full", "pref_num", "blank"]
    f_rows, f_expect = [], []
    all_code5 = set(pd.read_csv(REFERENCE_DIR / "municipalities.csv", dtype=str, usecols=["code5"])["code5"])
    for i, r in enumerate(f_co.itertuples()):
        code5 = r.municipality_code
        form = forms[i % len(forms)]
        pref_form = pref_forms[i % len(pref_forms)]
        name = muni_name[code5]
        pref_name = ref.loc[code5, "pref_name"]
        if r.prefecture_code == "13" and i == len(f_co) - 1:
            code5, name, form, pref_form = "13206", "府中市", "name", "pref_no_ken"  # also 広島県府中市
        if form == "lost_zero6" and str(int(_code6(code5))) in all_code5:
            form = "code6_text"  # 022101 -> 22101 would read as 静岡市葵区: ambiguous, so not used here
        value: object = {"code6": _code6(code5), "code5": code5, "lost_zero6": int(_code6(code5)),
                         "lost_zero5": int(code5), "name": name, "pref_name": pref_name + name,
                         "code6_text": _code6(code5)}[form]
        pvalue: object = {"pref_no_ken": _pref_short(pref_name), "pref_code2": r.prefecture_code,
                          "pref_full": pref_name, "pref_num": int(r.prefecture_code), "blank": None}[pref_form]
        f_rows.append([r.person_id, r.consultation_date.to_pydatetime(), pvalue, value,
                       _labels("target_group")[r.target_group], r.agency_name])
        f_expect.append({"row": i + 2, "municipality_as_written": str(value), "form": form,
                         "prefecture_as_written": None if pvalue is None else str(pvalue),
                         "expected_municipality_code": code5, "expected_prefecture_code": code5[:2]})

    def build_f(wb):
        ws = wb.active
        ws.title = "Sheet1"
        ws.append(["相談者番号", "受付年月日", "県名", "団体コード", "対象区分", "相談機関名"])
        for row in f_rows:
            ws.append(row)
        for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
            cell.number_format = "yyyy/mm/dd"

    m.add("f_municipality_codes.xlsx", _xlsx_bytes(build_f), kind="consultations", data_rows=len(f_rows),
          expected=_counts(len(f_rows)), municipalities=f_expect,
          quirk="団体コード as 6-digit with check digit, 5-digit, numbers that lost the leading zero (22012 for "
                "022012, 2201 for 02201; only where the 5 digits are not themselves a code), names (青森市, "
                "青森県青森市, 府中市 with 県名 東京); 県名 without 県, as "
                "'02', as the number 2, or blank")

    # g. label variants ---------------------------------------------------------------------------
    g = m.take("consultations", 36)
    variants = {"unstable_employment": ["不安定就労", "不安定な就労状態にある方", "Unstable employment", "1"],
                "long_term_jobless": ["長期無業", "長期にわたり無業の状態にある方", "long-term jobless", "無業"],
                "social_participation": ["社会参加支援", "社会参加に向けた支援を必要とする方", "Social participation",
                                         "ひきこもり"]}
    g_frame = _ja(g, "consultations", {"person_id": "ケース番号", "consultation_date": "面談日",
                                       "municipality_code": "市区町村コード", "target_group": "支援対象区分",
                                       "agency_type": "支援機関種別", "channel": "相談形態", "gender": "性別"})
    g_frame["支援対象区分"] = [variants[t][i % 4] for i, t in enumerate(g["target_group"])]
    gender_variants = {"male": ("男", "M", "男性"), "female": ("女", "F", "女性"), "other": ("その他",) * 3,
                       "unknown": ("無回答", "-", "9")}
    g_frame["性別"] = [gender_variants[x][i % 3] for i, x in enumerate(g["gender"])]
    g_frame["支援機関種別"] = g["agency_type"].map({"hello_work": "HW", "support_station": "サポステ",
                                                 "self_reliance_support": "生活困窮者自立相談支援",
                                                 "hikikomori_support_center": "ひきこもり支援センター",
                                                 "other": "その他"}).to_numpy()
    m.add("g1_label_variants_consultations.csv", _csv_bytes(g_frame), kind="consultations", data_rows=len(g_frame),
          expected=_counts(len(g_frame)),
          quirk="target-group, agency and gender labels in long official, short, English and numeric forms "
                "(不安定な就労状態にある方, 長期無業, Social participation, 1, HW, サポステ, 男/F/無回答)")

    g2 = m.take("placements", 30)
    g2 = g2[g2["municipality_code"].notna()].reset_index(drop=True)
    out_variants = {"regular_employment": ["正社員", "正規雇用", "regular", "正社員就職"],
                    "non_regular_employment": ["契約社員", "パート・アルバイト", "派遣社員", "part-time"],
                    "training": ["職業訓練", "training", "求職者支援訓練", "資格取得"],
                    "social_participation": ["社会参加", "就労体験", "social participation", "居場所参加"]}
    ret_en = {"true": "yes", "false": "no", "unknown": "unknown"}
    g2_frame = pd.DataFrame({
        "Client ID": g2["person_id"],
        "Hire date": g2["placement_date"].dt.strftime("%Y/%m/%d"),
        "Employment type": [out_variants[o][i % 4] for i, o in enumerate(g2["outcome_type"])],
        "Municipality code": g2["municipality_code"],
        "Target group": g2["target_group"].map(_labels("target_group", "en")).fillna(""),
        "Retention": g2["retained_6m"].map(ret_en),
        "Industry": g2["industry"].fillna(""),
    })
    m.add("g2_english_headers_placements.csv", _csv_bytes(g2_frame), kind="placements", data_rows=len(g2_frame),
          expected=_counts(len(g2_frame)),
          quirk="English column names, dates as 2021/05/21, employment-type variants (正社員/正規雇用/契約社員/"
                "パート・アルバイト/派遣社員/part-time), retention yes/no")

    # h. personal data ----------------------------------------------------------------------------
    h = _ja(m.take("consultations", 24), "consultations",
            {"person_id": "利用者ID", "consultation_date": "来所日", "municipality_code": "市町村コード",
             "target_group": "区分", "agency_type": "機関種別", "agency_name": "機関名", "age": "年齢"})
    fake_names = ["氷河太郎", "氷河花子", "氷河次郎", "氷河三郎"]
    n_h = len(h)
    h.insert(1, "氏名", [fake_names[i % 4] + ("" if i < 4 else str(i)) for i in range(n_h)])
    kana = ["ヒョウガタロウ", "ヒョウガハナコ", "ヒョウガジロウ", "ヒョウガサブロウ"]
    h.insert(2, "フリガナ", [kana[i % 4] for i in range(n_h)])
    h["住所"] = [f"氷河県氷河市雪原町{i + 1}-{i + 2}-{i + 3}" for i in range(n_h)]
    h["電話番号"] = [f"090-0000-{1000 + i:04d}" for i in range(n_h)]
    h["メールアドレス"] = [f"hyoga.taro{i}@example.invalid" for i in range(n_h)]
    h["相談者氏名（カナ）"] = "ヒョウガテスト"
    m.add("h_personal_data.csv", _csv_bytes(h), kind="consultations", data_rows=n_h, expected=_counts(n_h),
          dropped_columns=["氏名", "フリガナ", "住所", "電話番号", "メールアドレス", "相談者氏名（カナ）"],
          must_not_appear_in_db=["氷河太郎", "氷河花子", "ヒョウガタロウ", "ヒョウガテスト", "氷河県氷河市雪原町",
                                 "090-0000-1000", "hyoga.taro0@example.invalid"],
          quirk="personal-data columns (氏名, フリガナ, 住所, 電話番号, メールアドレス, 相談者氏名（カナ）) with fake "
                "values that must be dropped before anything is written, quarantine included")

    # i. full-width IDs and codes -----------------------------------------------------------------
    i_co = m.take("consultations", 25)
    i_frame = _ja(i_co, "consultations", {"person_id": "ＩＤ", "consultation_date": "相談日",
                                          "municipality_code": "市区町村コード", "target_group": "対象者区分",
                                          "agency_type": "機関種別", "age": "年齢"})
    i_frame["ＩＤ"] = i_frame["ＩＤ"].str.translate(FULLWIDTH)
    i_frame["市区町村コード"] = i_frame["市区町村コード"].str.translate(FULLWIDTH)
    i_frame["年齢"] = i_frame["年齢"].str.translate(FULLWIDTH)
    i_frame["相談日"] = i_frame["相談日"].str.translate(FULLWIDTH)
    i_frame = i_frame.rename(columns={"年齢": "年齢（歳）"})
    m.add("i_fullwidth_ids.csv", _csv_bytes(i_frame), kind="consultations", data_rows=len(i_frame),
          expected=_counts(len(i_frame)),
          person_ids_normalised=i_co["person_id"].tolist(),
          quirk="full-width letters, digits and hyphens: header ＩＤ, IDs like ０１－００００１２, codes ０２２０１, "
                "ages and ISO dates in full width; header 年齢（歳） with brackets")

    # j. the same file twice, and a cumulative pair -----------------------------------------------
    j = _ja(m.take("placements", 20), "placements",
            {"person_id": "個人ID", "placement_date": "就職年月日", "outcome_type": "就職等区分",
             "municipality_code": "市区町村コード", "prefecture_code": "都道府県コード",
             "target_group": "対象者区分", "retained_6m": "定着状況"})
    j_bytes = _csv_bytes(j)
    m.add("j1_resent_placements_a.csv", j_bytes, kind="placements", data_rows=len(j),
          expected=_counts(len(j)), quirk="sent once ...")
    m.add("j1_resent_placements_b.csv", j_bytes, kind="placements", data_rows=len(j),
          expected=_counts(0, duplicate=None), expected_alone=_counts(len(j)), after="j1_resent_placements_a.csv",
          expected_status="skipped_same_content",
          same_bytes_as="j1_resent_placements_a.csv",
          quirk="... and sent again: identical bytes (same sha256) — the whole file is skipped when loaded after _a")

    fy22 = m._pools["consultations"].iloc[m._taken["consultations"]:]
    fy22 = fy22[(fy22["consultation_date"] >= "2022-04-01") & (fy22["consultation_date"] <= "2023-03-31")]
    fy22 = fy22[fy22["prefecture_code"] == "04"].head(60).sort_values("consultation_date")
    m._pools["consultations"] = m._pools["consultations"].drop(fy22.index).reset_index(drop=True)
    cum_headers = {"person_id": "相談者ID", "consultation_date": "相談日", "municipality_code": "市区町村コード",
                   "target_group": "対象者区分", "agency_type": "機関種別", "agency_name": "機関名",
                   "channel": "相談方法"}
    first_half = fy22[fy22["consultation_date"] <= "2022-09-30"]
    k1 = _ja(first_half, "consultations", cum_headers)
    k2 = _ja(fy22, "consultations", cum_headers)
    m.add("j2_cumulative_R4_1_kamiki.csv", _csv_bytes(k1), kind="consultations", data_rows=len(k1),
          expected=_counts(len(k1)), quirk="令和4年度 上期 (Apr–Sep 2022) of one agency (宮城県)")
    m.add("j2_cumulative_R4_2_tsuki_ruikei.csv", _csv_bytes(k2), kind="consultations", data_rows=len(k2),
          expected=_counts(len(k2) - len(k1), duplicate=len(k1)), expected_alone=_counts(len(k2)),
          after="j2_cumulative_R4_1_kamiki.csv",
          quirk="令和4年度 通期累計 (Apr 2022–Mar 2023): repeats the 上期 rows; loaded after _1 they are duplicates")

    # k. bad rows, one per rejection reason --------------------------------------------------------
    k_co = m.take("consultations", 40, pref="02")
    kf = _ja(k_co, "consultations", {"person_id": "相談者ID", "consultation_date": "相談日",
                                     "prefecture_code": "都道府県", "municipality_code": "市町村コード",
                                     "target_group": "対象者区分", "agency_type": "機関種別",
                                     "agency_name": "機関名", "age": "年齢", "birth_year": "生年"})
    bad = [
        (1, "相談日", "令和3年13月45日", "unparseable date"),
        (4, "相談者ID", "", "missing person ID (required)"),
        (7, "対象者区分", "一般求職者", "unknown target group"),
        (10, "市町村コード", "02999", "unknown municipality code"),
        (13, "市町村コード", "022013", "invalid check digit (022012 is 青森市)"),
        (16, "相談日", "2099-04-01", "date in the future"),
        (19, "年齢", "-5", "negative age"),
        (22, "市町村コード", "01100", "municipality (札幌市, 北海道) does not match 都道府県 青森県"),
        (25, "相談日", "1985-04-01", "date before 1990-01-01 (contract.EARLIEST_RECORD_DATE)"),
        (28, "対象者区分", "", "missing target group (required)"),
    ]
    kf["都道府県"] = "青森県"
    for idx, col, value, _reason in bad:
        kf.loc[idx, col] = value
    m.add("k_bad_rows_consultations.csv", _csv_bytes(kf), kind="consultations", data_rows=len(kf),
          expected=_counts(len(kf) - len(bad), quarantined=len(bad)),
          bad_rows=[{"row": idx + 2, "column": col, "value": value, "reason_hint": reason}
                    for idx, col, value, reason in bad],
          quirk="one bad row per rejection reason among good rows; row = CSV line number (header is line 1)")

    k2_pl = m.take("placements", 16)
    k2f = _ja(k2_pl, "placements", {"person_id": "個人ID", "placement_date": "就職日", "outcome_type": "雇用形態",
                                    "municipality_code": "市区町村コード", "target_group": "対象者区分"})
    bad2 = [(2, "雇用形態", "自営業", "unknown outcome type"), (5, "雇用形態", "", "missing outcome type (required)"),
            (8, "就職日", "", "missing placement date (required)"), (11, "就職日", "R7.2.30", "impossible date")]
    for idx, col, value, _reason in bad2:
        k2f.loc[idx, col] = value
    m.add("k2_bad_rows_placements.csv", _csv_bytes(k2f), kind="placements", data_rows=len(k2f),
          expected=_counts(len(k2f) - len(bad2), quarantined=len(bad2)),
          bad_rows=[{"row": idx + 2, "column": col, "value": value, "reason_hint": reason}
                    for idx, col, value, reason in bad2],
          quirk="placements with an unknown/missing outcome type and a missing/impossible date")

    # l. targets as a prefecture platform keeps them ------------------------------------------------
    targets = generate_targets(scale)
    aomori = targets[targets["prefecture_code"].isin(["02"]) | targets["prefecture_code"].isna()]
    aomori = aomori[aomori["vintage"] != TARGET_REVISION[3]]
    ind = {c.code: c.ja for c in contract.TARGET_INDICATORS}
    l_rows = []
    for r in aomori.itertuples():
        year = None if pd.isna(r.fiscal_year) else f"令和{int(r.fiscal_year) - 2018}年度"
        l_rows.append([ind[r.indicator], year, r.stage, "全国" if r.prefecture_code is None else "青森県",
                       r.value, r.vintage.replace("（サンプル）", "")])

    def build_l(wb):
        ws = wb.active
        ws.title = "目標値"
        ws.append(["青森県就職氷河期世代活躍支援プラットフォーム 事業実施計画 目標値（サンプル：推計・按分）"])
        ws.append([])
        ws.append(["指標", "年度", "ステージ", "都道府県", "目標値", "版"])
        for row in l_rows:
            ws.append(row)
        for (cell,) in ws.iter_rows(min_row=4, min_col=5, max_col=5):
            cell.number_format = "#,##0"
        ws.append([])
        ws.append(["※ 国の目標を人口（令和2年国勢調査）で按分した推計値です。"])

    m.add("l_targets_platform.xlsx", _xlsx_bytes(build_l), kind="targets", data_rows=len(l_rows),
          expected=_counts(len(l_rows), excluded=None),
          quirk="targets sheet: title row, 指標 as Japanese names, 年度 as 令和5年度 (blank for stage rows), "
                "ステージ, 都道府県 青森県/全国, 目標値 with #,##0 format, 版; ※ footnote at the bottom")

    expected = {
        "generated_by": f"analytics.sample.generator.write_messy_files(scale={scale}, seed={seed})",
        "notes": [
            "Counts assume each file is loaded into an empty database, except where 'after' names a file.",
            ("Rows do not overlap between files except the designed j1/j2 pairs; they are drawn from the "
            "same generate() output as sample_data/clean, so loading the clean set first makes many rows duplicates."),
            "row = the row number the sender sees (CSV line, header = 1; Excel row).",
            "null = not knowable by construction (e.g. whether 合計/footnote rows are counted as excluded).",
        ],
        "files": m.expected,
    }
    path = m.out_dir / "EXPECTED.json"
    path.write_text(json.dumps(expected, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return [*m.paths, path]


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
