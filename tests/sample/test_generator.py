"""The synthetic sample generator: determinism, designed shares and shapes, reference codes, files, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import contract
from analytics.sample import generator as sample, platforms as sample_platforms, reported as sample_reported

SCALE = 0.004  # ~4,800 persons: fast, yet large enough for the shares below


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return sample.generate(scale=SCALE, seed=7)


def test_same_seed_gives_identical_frames(data):
    again = sample.generate(scale=SCALE, seed=7)
    for kind in ("consultations", "placements", "targets"):
        pd.testing.assert_frame_equal(data[kind], again[kind])


def test_other_seed_gives_other_frames(data):
    other = sample.generate(scale=SCALE, seed=8)
    assert not data["consultations"]["person_id"].equals(other["consultations"]["person_id"])


def test_columns_are_the_contract_names(data):
    # targets leave out the optional columns real plans add (period, project, unit, source: issue 16)
    optional = {"targets": {"period_start", "period_end", "target_kind", "municipality_code", "project", "unit", "source"}}
    for kind, df in data.items():
        names = tuple(c for c in contract.TABLES[kind].column_names if c not in optional.get(kind, set()))
        assert tuple(df.columns) == names


def test_coded_values_are_contract_codes(data):
    for kind in ("consultations", "placements"):
        table = contract.TABLES[kind]
        for col in table.columns:
            if col.codes:
                allowed = {c.code for c in contract.CODE_LISTS[col.codes]}
                assert set(data[kind][col.name].dropna()) <= allowed, col.name
    indicators = {c.code for c in contract.TARGET_INDICATORS}
    assert set(data["targets"]["indicator"]) <= indicators


def test_all_47_prefectures_and_fiscal_years_2020_to_2024(data):
    c = data["consultations"]
    assert c["prefecture_code"].nunique() == 47
    assert c["consultation_date"].min() >= pd.Timestamp("2020-04-01")
    assert c["consultation_date"].max() <= pd.Timestamp("2025-03-31")
    p = data["placements"]
    assert p["placement_date"].between("2020-04-01", "2025-03-31").all()


def test_municipality_codes_exist_and_match_their_prefecture(data):
    ref = pd.read_csv(sample.REFERENCE_DIR / "municipalities.csv", dtype=str, keep_default_na=False)
    valid = ref[(ref["is_seirei_ward"] == "0") & (ref["is_northern_territories"] == "0")]
    valid = valid[valid["type"] != "prefecture"]
    pref_of = dict(zip(valid["code5"], valid["pref_code"], strict=True))
    for kind in ("consultations", "placements"):
        df = data[kind].dropna(subset=["municipality_code"])
        assert df["municipality_code"].isin(pref_of.keys()).all()
        with_pref = df.dropna(subset=["prefecture_code"])
        assert (with_pref["municipality_code"].map(pref_of) == with_pref["prefecture_code"]).all()


def test_designated_cities_draw_more_than_villages(data):
    c = data["consultations"]
    types = c["municipality_code"].map(sample.municipalities().set_index("code5")["type"])
    per_municipality = c.groupby([types, c["municipality_code"]]).size().groupby(level=0).mean()
    assert per_municipality["designated_city"] > per_municipality["city"] > per_municipality["town"]
    assert per_municipality["town"] > per_municipality.get("village", 0)


def test_volumes_follow_prefecture_population(data):
    persons = data["consultations"].groupby("prefecture_code")["person_id"].nunique()
    pop = pd.Series(sample.PREFECTURE_POPULATION_2020)
    assert np.corrcoef(persons.reindex(pop.index, fill_value=0), pop)[0, 1] > 0.97
    assert persons["13"] > persons["31"] * 15  # 東京都 vs 鳥取県: ~25x the population


def test_target_group_shares_roughly_as_designed(data):
    first = data["consultations"].drop_duplicates("person_id")
    shares = first["target_group"].value_counts(normalize=True)
    for group, share in sample.TARGET_GROUP_SHARES.items():
        assert abs(shares[group] - share) < 0.03, group


def test_agency_types_follow_the_target_group(data):
    c = data["consultations"]
    top = c.groupby("target_group")["agency_type"].agg(lambda s: s.value_counts().index[0])
    assert top["unstable_employment"] == "hello_work"
    assert top["long_term_jobless"] == "support_station"
    assert top["social_participation"] in {"hikikomori_support_center", "self_reliance_support"}
    assert (c["channel"] == "outreach").any()
    assert c["referred_to"].notna().mean() == pytest.approx(sample.REFERRAL_SHARE, abs=0.02)


def test_seasonality_busy_spring_and_october_quiet_august_and_new_year(data):
    by_month = data["consultations"]["consultation_date"].dt.month.value_counts()
    busy = by_month[[4, 5, 6, 7, 10]].mean()
    assert by_month[8] < 0.8 * busy
    assert by_month[[12, 1]].mean() < 0.8 * busy


def test_ages_mostly_35_to_54_and_consistent_with_birth_year(data):
    c = data["consultations"].dropna(subset=["age", "birth_year"])
    assert c["age"].between(35, 54).mean() > 0.8
    assert c["birth_year"].between(1968, 1987).mean() > 0.9
    implied = c["consultation_date"].dt.year - c["birth_year"]
    assert ((implied - c["age"]).isin([0, 1])).all()


def test_persons_have_one_to_six_consultations_some_span_years_or_change_group(data):
    c = data["consultations"]
    per_person = c.groupby("person_id").size()
    assert per_person.min() >= 1
    assert per_person.max() <= 6
    fy = c["consultation_date"].dt.year - (c["consultation_date"].dt.month < 4)
    assert (fy.groupby(c["person_id"]).nunique() > 1).mean() > 0.05
    assert (c.groupby("person_id")["target_group"].nunique() > 1).any()


def test_person_ids_look_like_agency_ids_and_carry_the_prefecture(data):
    c = data["consultations"]
    assert c["person_id"].str.fullmatch(r"\d{2}-\d{6}").all()
    assert (c["person_id"].str[:2] == c["prefecture_code"]).all()


def test_placements_mostly_after_the_first_consultation(data):
    c, p = data["consultations"], data["placements"]
    first = c.groupby("person_id")["consultation_date"].min()
    delay = (p["placement_date"] - p["person_id"].map(first)).dt.days
    linked = delay.dropna()
    assert 0.005 < delay.isna().mean() < 0.06  # unlinked: no consultation for the person
    assert 0.005 < (linked < 0).mean() < 0.08  # placed before the first consultation
    assert linked.between(30, 366).mean() > 0.75  # mostly 1-12 months


def test_outcomes_differ_by_group(data):
    p = data["placements"].dropna(subset=["target_group"])
    share = p.groupby("target_group")["outcome_type"].value_counts(normalize=True).unstack(fill_value=0)
    assert share.loc["unstable_employment", "regular_employment"] > 0.5
    assert share["social_participation"].idxmax() == "social_participation"
    assert share.loc["social_participation", "social_participation"] > 0.4


def test_recent_placements_have_unknown_retention(data):
    p = data["placements"]
    recent = p[p["placement_date"] > "2024-10-01"]
    assert (recent["retained_6m"] == "unknown").all()
    older = p[(p["placement_date"] < "2024-01-01") & (p["outcome_type"] == "regular_employment")]
    assert (older["retained_6m"] == "true").mean() > 0.6
    assert p["target_group"].isna().any()
    assert p["municipality_code"].isna().any()


def test_volume_scales_with_scale():
    small = sample.generate(scale=0.002, seed=1)
    large = sample.generate(scale=0.006, seed=1)
    for kind in ("consultations", "placements"):
        assert len(large[kind]) / len(small[kind]) == pytest.approx(3.0, rel=0.1)
    # scale 1.0 means ~100k regular placements a year nationally
    regular = (large["placements"]["outcome_type"] == "regular_employment").sum()
    assert 60_000 < regular / 0.006 / 5 < 130_000


def test_targets_allocate_national_figures_by_population():
    t = sample.generate_targets(scale=0.01)
    assert set(t["stage"].dropna()) == {"第1ステージ", "第2ステージ"}
    assert t["vintage"].str.contains("推計・按分").all()
    for _, group in t.groupby(["indicator", "fiscal_year", "stage", "vintage"], dropna=False):
        national = group.loc[group["prefecture_code"].isna(), "value"]
        assert len(national) == 1
        assert group["prefecture_code"].notna().sum() == 47
        assert group.loc[group["prefecture_code"].notna(), "value"].sum() == national.iloc[0]


def test_agency_frame_has_japanese_headers_labels_and_zero_padded_codes(data):
    frame = sample.to_agency_frame(data["consultations"].head(50), "consultations")
    assert list(frame.columns) == [c.ja for c in contract.CONSULTATIONS.columns]
    assert set(frame["対象者区分"]) <= {c.ja for c in contract.TARGET_GROUPS}
    assert frame["市区町村コード"].str.fullmatch(r"\d{5}").all()


def test_cli_writes_clean_and_messy_files(tmp_path: Path):
    from analytics.cli import main

    assert main(["sample", "--out", str(tmp_path), "--scale", "0.002", "--messy"]) == 0
    clean = sorted(p.name for p in (tmp_path / "clean").iterdir())
    surveys = sorted(name for _, _, name in sample_platforms.SURVEYS)  # the municipal platform surveys (issue 18)
    assert clean == sorted(["consultations_FY2020-2024.csv", "placements_FY2020-2024.csv", "targets_sample.csv",
                            *surveys, *sample_reported.FILES])  # and the reported figures (issue 16)
    back = pd.read_csv(tmp_path / "clean" / "consultations_FY2020-2024.csv", dtype=str)
    assert back["都道府県コード"].str.fullmatch(r"\d{2}").all()
    expected = json.loads((tmp_path / "messy" / "EXPECTED.json").read_text(encoding="utf-8"))
    for name in expected["files"]:
        assert (tmp_path / "messy" / name).exists(), name


def test_committed_messy_files_match_expected_json():
    messy = Path(__file__).resolve().parents[2] / "sample_data" / "messy"
    if not (messy / "EXPECTED.json").exists():
        pytest.skip("sample_data/messy not generated")
    expected = json.loads((messy / "EXPECTED.json").read_text(encoding="utf-8"))
    for name, entry in expected["files"].items():
        assert (messy / name).exists(), name
        assert entry["quirk"]
    a = (messy / "a_cp932_consultations.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        a.decode("shift_jis")
    assert "㈱髙橋" in a.decode("cp932")
    assert (messy / "j1_resent_placements_a.csv").read_bytes() == (messy / "j1_resent_placements_b.csv").read_bytes()


def test_committed_platform_surveys_are_what_the_generator_writes(tmp_path: Path):
    """sample_data/clean holds the surveys exactly as ``sample.platforms`` writes them (byte for byte)."""
    root = Path(__file__).resolve().parents[2] / "sample_data" / "clean"
    for path in sample_platforms.write_survey_files(tmp_path):
        assert (root / path.name).read_bytes() == path.read_bytes(), path.name
