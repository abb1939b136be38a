"""Synthetic municipal platform surveys (市町村プラットフォーム調査, issue 18) in the shape prefectures keep.

One workbook per prefecture and vintage: a title row with 「令和6年4月1日現在」, headers in two rows with
「連携している機関」 merged over the partner types, ○/×/blank marks in several spellings, a 合計 row counting
○ per column, ※ notes, and the contact person's name and phone number (dropped at load). Aomori is re-sent a
year later (a later vintage supersedes the earlier one per municipality; both are kept). The municipalities
are those of the records sample (``generator.municipalities``). Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analytics import contract
from analytics.sample import generator

# (prefecture code, vintage, file name): the files written into sample_data/clean/.
SURVEYS: tuple[tuple[str, dt.date, str], ...] = (
    ("02", dt.date(2023, 4, 1), "platforms_02_aomori_R5.xlsx"),
    ("02", dt.date(2024, 4, 1), "platforms_02_aomori_R6.xlsx"),
    ("05", dt.date(2024, 4, 1), "platforms_05_akita_R6.xlsx"),
    ("33", dt.date(2024, 4, 1), "platforms_33_okayama_R6.xlsx"),
)
# How likely a platform that is set up links each partner type (the plan's list; the rarer ones are the gaps).
PARTNER_SHARE = {
    "self_reliance": 0.95, "support_station": 0.75, "hello_work": 0.9, "disability_employment_center": 0.55,
    "business": 0.35, "hikikomori_center": 0.6, "family_peer_groups": 0.3, "social_welfare_council": 0.85,
    "welfare_commissioners": 0.6, "public_health": 0.7, "local_media": 0.2,
}  # fmt: skip
STATUS_SPELLINGS = {
    "established": ("設置済", "設置済み", "済"), "planned": ("設置予定", "R7設置予定"),
    "considering": ("検討中", "設置を検討中"), "undecided": ("未定", "未設置"),
}  # fmt: skip
BODY_LABELS = {"support_meeting": "支援会議", "support_coordination_meeting": "支援調整会議",
               "community_care_meeting": "地域ケア会議", "new_body": "新設", "other": "その他"}  # fmt: skip
DEPARTMENTS = ("福祉課", "生活福祉課", "地域福祉課", "社会福祉課", "保健福祉課", "商工観光課", "健康福祉課", "住民福祉課")
OTHER_BODIES = ("要保護児童対策地域協議会", "地域福祉推進会議", "重層的支援体制整備事業の支援会議")
SURNAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
GIVEN = ("一郎", "花子", "健", "恵子", "誠", "由美", "大輔", "明美")
SHEET = "プラットフォーム設置状況"


@dataclass
class SurveyRow:
    """One municipality's answer, as stored codes (the writer spells them the way sheets do)."""

    municipality_code: str
    name: str
    status: str
    set_up_on: dt.date | None
    secretariat: str | None
    base_body: str | None
    base_body_note: str | None
    area: str | None
    area_members: str | None
    partners: dict[str, bool]
    partner_other: str | None
    meetings: int | None
    notes: str | None


def survey_rows(prefecture_code: str, vintage: dt.date, seed: int = generator.DEFAULT_SEED) -> list[SurveyRow]:
    """The answers of one prefecture at ``vintage``: a platform, once set up, stays set up in a later vintage."""
    munis = generator.municipalities()
    munis = munis[munis["pref_code"] == prefecture_code].reset_index(drop=True)
    rng = np.random.default_rng([seed, int(prefecture_code), 18])
    # Each municipality's set-up date and partners are drawn once; a vintage shows what existed by then.
    rows: list[SurveyRow] = []
    for m in munis.itertuples():
        is_city = m.type in ("city", "designated_city", "special_ward")
        p_set = 0.8 if is_city else 0.45
        u = rng.random()
        set_up = dt.date(2020 + int(rng.integers(0, 5)), int(rng.choice([4, 6, 7, 10, 1])), 1)
        partners = {p.code: bool(rng.random() < PARTNER_SHARE[p.code]) for p in contract.PARTNER_TYPES}
        extra_partners = {p: bool(rng.random() < 0.5) for p in partners}  # joined by the next year
        body = str(rng.choice(list(BODY_LABELS), p=[0.35, 0.2, 0.2, 0.15, 0.1]))
        joint = (not is_city) and rng.random() < 0.4
        dept = str(rng.choice(DEPARTMENTS))
        no_secretariat = rng.random() < 0.12
        meetings = int(rng.integers(1, 13))
        skip = rng.random() < 0.06  # did not answer this vintage
        if u < p_set and set_up <= vintage:
            status = "established"
        elif u < p_set:
            status = "planned"
        elif u < p_set + 0.25:
            status = "considering"
        else:
            status = "undecided"
        if skip and (vintage.year == 2023 or prefecture_code == "05"):
            continue
        established = status == "established"
        if established and vintage.year >= 2024:
            partners = {p: v or extra_partners[p] and rng.random() < 0.3 for p, v in partners.items()}
        neighbour = munis[(munis["code5"] != m.code5) & ~munis["type"].isin(["city", "designated_city"])]
        members = "、".join(neighbour.sample(2, random_state=int(m.code5)).name) if joint and len(neighbour) > 1 else None
        rows.append(
            SurveyRow(
                municipality_code=m.code5,
                name=m.name,
                status=status,
                set_up_on=set_up if status in ("established", "planned") else None,
                secretariat=None if not established or no_secretariat else dept,
                base_body=body if established else None,
                base_body_note=str(rng.choice(OTHER_BODIES)) if established and body == "other" else None,
                area=("joint" if joint else "single") if established else None,
                area_members=members if established else None,
                partners=partners if established else {p: False for p in partners},
                partner_other="地元の農業法人" if established and rng.random() < 0.1 else None,
                meetings=meetings if established else None,
                notes="事務局の体制を見直し中" if established and no_secretariat else None,
            )
        )
    return rows


def _wareki(d: dt.date) -> str:
    return f"令和{d.year - 2018}年{d.month}月{d.day}日" if d >= dt.date(2019, 5, 1) else f"平成{d.year - 1988}年{d.month}月{d.day}日"


def _date_text(d: dt.date | None, i: int) -> str | None:
    """Set-up dates the way sheets hold them: 和暦, 西暦, R-notation or only the fiscal year."""
    if d is None:
        return None
    style = i % 4
    if style == 0:
        return _wareki(d)
    if style == 1:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 2:
        return f"R{d.year - 2018}.{d.month}.{d.day}"
    fy = d.year if d.month >= 4 else d.year - 1
    return f"令和{fy - 2018}年度"


def survey_workbook(
    prefecture_name: str,
    vintage: dt.date,
    rows: list[SurveyRow],
    *,
    marks: tuple[str, str] = ("○", "×"),
    with_total: bool = True,
    with_personal: bool = True,
) -> bytes:
    """The survey workbook as a prefecture keeps it (see the module docstring)."""
    from openpyxl.styles import Alignment, Font

    partner_types = contract.PARTNER_TYPES
    lead = ["No.", "都道府県", "市町村コード", "市町村名", "設置状況", "設置年月日", "事務局（担当課）",
            "母体となる会議体", "会議体の名称", "単独・広域", "広域の構成市町村"]  # fmt: skip
    tail = ["会議開催回数（年間）", "備考"] + (["担当者名", "電話番号"] if with_personal else [])
    partner_labels = [p.ja for p in partner_types] + ["その他の機関"]

    def build(wb):
        ws = wb.active
        ws.title = SHEET
        ws.append([f"就職氷河期世代支援 市町村プラットフォームの設置状況（{prefecture_name}）"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([f"（{_wareki(vintage)}現在）"])
        ws.append([])
        ws.append(lead + ["連携している機関"] + [None] * (len(partner_labels) - 1) + tail)
        ws.append([None] * len(lead) + partner_labels + [None] * len(tail))
        first_partner = len(lead) + 1
        ws.merge_cells(start_row=4, start_column=first_partner, end_row=4, end_column=first_partner + len(partner_labels) - 1)
        for col in [*range(1, len(lead) + 1), *range(first_partner + len(partner_labels), first_partner + len(partner_labels) + len(tail))]:
            ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
        for cell in ws[4] + ws[5]:
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.font = Font(bold=True)
        yes_marks = (marks[0], marks[0], marks[0], "◯", "✓") if marks[0] == "○" else (marks[0],)
        for i, r in enumerate(rows):
            spelling = STATUS_SPELLINGS[r.status][i % len(STATUS_SPELLINGS[r.status])]
            body = BODY_LABELS.get(r.base_body or "", None)
            area = {"single": "単独", "joint": "広域"}.get(r.area or "", None)
            cells = [
                i + 1, prefecture_name, r.municipality_code, r.name, spelling, _date_text(r.set_up_on, i),
                r.secretariat, body, r.base_body_note, area, r.area_members,
                *[(yes_marks[(i + j) % len(yes_marks)] if r.partners[p.code] else (marks[1] if (i + j) % 3 else None))
                  for j, p in enumerate(partner_types)],
                r.partner_other, r.meetings, r.notes,
            ]  # fmt: skip
            if with_personal:
                cells += [f"{SURNAMES[i % len(SURNAMES)]} {GIVEN[i % len(GIVEN)]}", f"0{17 + i % 60}-{700 + i:03d}-{1000 + 7 * i}"]
            ws.append(cells)
        if with_total:
            counts = [sum(r.partners[p.code] for r in rows) for p in partner_types]
            established = sum(r.status == "established" for r in rows)
            ws.append([None, None, None, "合計", f"設置済 {established}", None, None, None, None, None, None, *counts])
        ws.append(["※ 連携している機関は、プラットフォームの構成員として参画している機関に○を付けています。"])
        ws.append(["※ 担当者名・電話番号は県の連絡用です（取込時に削除されます）。"])

    return generator._xlsx_bytes(build)


def write_survey_files(out_dir: Path, seed: int = generator.DEFAULT_SEED) -> list[Path]:
    """Write the sample surveys (:data:`SURVEYS`) into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = dict(zip(generator.municipalities()["pref_code"], generator.municipalities()["pref_name"], strict=False))
    paths = []
    for i, (pref, vintage, name) in enumerate(SURVEYS):
        marks = ("○", "×") if i % 2 == 0 else ("◯", "")
        data = survey_workbook(names[pref], vintage, survey_rows(pref, vintage, seed), marks=marks)
        path = out_dir / name
        path.write_bytes(data)
        paths.append(path)
    return paths
