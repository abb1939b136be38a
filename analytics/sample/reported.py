"""Synthetic reported figures (集計値, issue 16): the aggregate tables the program really publishes, one per shape.

Written into ``sample_data/clean/`` beside the records, so the first-start seed loads both sources:

- ``reported_hw_monthly_R5.xlsx`` — a labour bureau's monthly table: 47 prefectures + 合計 × 4月 … 3月 + 累計 for
  令和5年度, measure and unit in the title row (「… 正社員就職件数（件）」), as-of and source in ※ notes;
- ``reported_42_nagasaki_KPI_R2.xlsx`` — a prefecture's KPI sheet (事業実施計画): a block per project under a
  heading naming the project and unit, 「KPI | 実績値」 and 「目標 | 実績」 two-cell tables, one block with a two-row
  merged header (令和2年度 over 目標 | 実績 | 達成率); the sheet title says the results' year (「令和2年度 実績」),
  a block heading the target's span (「目標は令和2〜4年度の3年間」). Nagasaki's KPI measures (進路決定者数, 新規相談件数)
  have no records counterpart: there the prefecture has only reported figures and targets;
- ``reported_council_R4-01.xlsx`` and ``reported_council_R4-03.csv`` — a council paper's cumulative table
  (「令和2年4月〜令和4年1月」 累計) and the later paper restating the same span (the later vintage wins; both kept);
- ``reported_07_fukushima_3years.xlsx`` — wide by year: 令和2年度 / 令和3年度 / 令和4年度 / 3か年計, each over
  目標 | 実績 | 進捗率 (merged), measures as rows;
- ``reported_tohoku_totals_mismatch_R4.csv`` — a monthly table whose 合計 row and one 累計 cell do not add up;
- ``reported_long_cp932.csv`` — the long form in CP932 (年度, 年月, 都道府県, 対象者区分, 機関種別, 指標, 値, 単位, 備考)
  with 「-」, 「x」, 「…」 and a 万人 figure.

Figures are plausible against the records sample (same prefectures, FY2020–FY2024, monthly regular placements a
little above the records', as Hello Work counts every regular placement, not only the programme's). Deterministic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analytics.sample import generator

FILES = (
    "reported_hw_monthly_R5.xlsx",
    "reported_42_nagasaki_KPI_R2.xlsx",
    "reported_council_R4-01.xlsx",
    "reported_council_R4-03.csv",
    "reported_07_fukushima_3years.xlsx",
    "reported_tohoku_totals_mismatch_R4.csv",
    "reported_long_cp932.csv",
)
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
# Hello Work counts every regular placement of the generation it handles, not only the programme's records.
HELLO_WORK_FACTOR = 1.3
TOHOKU = ("02", "03", "04", "05", "06", "07")


def _era(fy: int) -> str:
    return f"令和{fy - 2018}年度" if fy > 2019 else f"平成{fy - 1988}年度"


def _prefecture_names() -> dict[str, str]:
    from analytics.ingest import normalise as nz

    return dict(nz.region_reference().prefectures)


def regular_placements_by_month(
    scale: float = generator.SAMPLE_SCALE, seed: int = generator.DEFAULT_SEED
) -> pd.DataFrame:
    """Regular placements per prefecture and month in the records sample (prefecture_code, fiscal_year, month, n)."""
    placements = generator.generate(scale, seed)["placements"]
    regular = placements[placements["outcome_type"] == "regular_employment"].copy()
    dates = pd.to_datetime(regular["placement_date"])
    regular["month"] = dates.dt.month
    regular["fiscal_year"] = np.where(dates.dt.month >= 4, dates.dt.year, dates.dt.year - 1)
    return regular.groupby(["prefecture_code", "fiscal_year", "month"]).size().rename("n").reset_index()


def _monthly(base: pd.DataFrame, fy: int, rng: np.random.Generator) -> dict[str, list[int]]:
    names = _prefecture_names()
    out = {}
    for code in names:
        rows = base[(base["prefecture_code"] == code) & (base["fiscal_year"] == fy)].set_index("month")["n"]
        out[code] = [int(round(rows.get(m, 0) * HELLO_WORK_FACTOR + rng.integers(0, 3))) for m in MONTHS]
    return out


def monthly_workbook(values: dict[str, list[int]], fy: int) -> bytes:
    """The labour bureau's monthly table (47 prefectures + 合計 × months + 累計), as .xlsx."""
    from openpyxl.styles import Font

    names = _prefecture_names()

    def build(wb):
        ws = wb.active
        ws.title = f"{_era(fy)}"
        ws.append([f"{_era(fy)} 就職氷河期世代 正社員就職件数（件）"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=14)
        ws.append(["都道府県労働局・ハローワーク取扱分"])
        ws.append([])
        ws.append(["都道府県", *[f"{m}月" for m in MONTHS], "累計"])
        for code, name in names.items():
            row = values[code]
            ws.append([name, *row, sum(row)])
        totals = [sum(values[c][i] for c in names) for i in range(12)]
        ws.append(["合計", *totals, sum(totals)])
        ws.append(["※ 令和6年4月末現在（速報値）"])
        ws.append(["※ 出典：厚生労働省 各都道府県労働局"])

    return generator._xlsx_bytes(build)


def kpi_workbook() -> bytes:
    """Nagasaki's KPI sheet for 令和2年度: three project blocks, merged headers, title rows and notes."""
    from openpyxl.styles import Font

    def build(wb):
        ws = wb.active
        ws.title = "令和2年度 実績"
        ws.append(["長崎県就職氷河期世代活躍支援プラットフォーム 事業実施計画 KPI 実績報告"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.merge_cells("A1:E1")
        ws.append(["令和2年度 実績"])
        ws.append([])
        # Block 1: a support station's programme, 3-year target (KPI | 実績値)
        ws.append(["1. 地域若者サポートステーション 就職氷河期世代向け事業 進路決定者数（人）"])
        ws.append(["目標は令和2〜4年度の3年間"])
        ws.append(["KPI", "実績値"])
        ws.append([150, 41])
        ws.append([])
        # Block 2: self-reliance centres' new consultations, annual target (目標 | 実績)
        ws.append(["2. 自立相談支援機関 就職氷河期世代の新規相談件数（件）"])
        ws.append(["目標", "実績"])
        ws.append([400, 352])
        ws.append([])
        # Block 3: a two-row merged header: 令和2年度 over 目標 | 実績 | 達成率 (published 達成率 is off by 0.3 pt)
        ws.append(["3. 就職氷河期世代専門窓口 職業訓練等移行者数（人）"])
        ws.append(["区分", "令和2年度", None, None])
        ws.append([None, "目標", "実績", "達成率"])
        ws.merge_cells("B14:D14")
        ws.merge_cells("A14:A15")
        ws.append(["計", 60, 45, "75.3%"])
        ws.append([])
        ws.append(["※ 令和3年3月末現在"])
        ws.append(["※ 出典：長崎県 就職氷河期世代活躍支援プラットフォーム事務局"])

    return generator._xlsx_bytes(build)


def council_workbook(values: dict[str, int], vintage_text: str, span: str) -> bytes:
    """A council paper's cumulative table: prefectures × one 累計 column over a span that is not a fiscal year."""

    def build(wb):
        ws = wb.active
        ws.title = "東北ブロック"
        ws.append(["就職氷河期世代支援 東北ブロック協議会 資料2"])
        ws.append(["正社員就職者数の累計（人）"])
        ws.append([])
        ws.append(["都道府県", f"累計（{span}）"])
        for code, value in values.items():
            ws.append([_prefecture_names()[code], value])
        ws.append([f"※ {vintage_text}"])

    return generator._xlsx_bytes(build)


def council_csv(values: dict[str, int], vintage_text: str, spans: list[str], later: dict[str, int]) -> bytes:
    lines = [
        "就職氷河期世代支援 東北ブロック協議会 資料2（改訂）",
        "正社員就職者数の累計（人）",
        "",
        ",".join(["都道府県", *[f"累計（{s}）" for s in spans]]),
    ]
    for code, value in values.items():
        lines.append(",".join([_prefecture_names()[code], str(value), str(later[code])]))
    lines.append(f"※ {vintage_text}")
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def three_year_workbook(rows: list[tuple[str, list[tuple[int, int]], list[str]]]) -> bytes:
    """Fukushima's 目標 | 実績 | 進捗率 by 年度 with a 3か年計 (two-row merged header)."""
    from openpyxl.styles import Alignment

    def build(wb):
        ws = wb.active
        ws.title = "進捗状況"
        ws.append(["福島県 就職氷河期世代の支援実績（令和2〜4年度）"])
        ws.append(["※ 令和5年5月末現在"])
        ws.append(
            ["指標", "令和2年度", None, None, "令和3年度", None, None, "令和4年度", None, None, "3か年計", None, None]
        )
        ws.append([None, *["目標", "実績", "進捗率"] * 4])
        ws.merge_cells("A3:A4")
        for c in (2, 5, 8, 11):
            ws.merge_cells(start_row=3, start_column=c, end_row=3, end_column=c + 2)
            ws.cell(row=3, column=c).alignment = Alignment(horizontal="center")
        for name, pairs, rates in rows:
            cells = [name]
            for (target, actual), rate in zip(pairs, rates, strict=True):
                cells += [target, actual, rate]
            ws.append(cells)
        ws.append(["※ 進捗率は実績÷目標。3か年計の目標は3年間の目標（令和2〜4年度）。"])
        ws.append(["※ 出典：福島県 就職氷河期世代活躍支援プラットフォーム"])

    return generator._xlsx_bytes(build)


def _rate(actual: int, target: int) -> str:
    return f"{actual / target * 100:.1f}%"


def write_reported_files(out_dir: Path, seed: int = generator.DEFAULT_SEED) -> list[Path]:
    """Write the reported-figure samples (:data:`FILES`) into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + 16)
    base = regular_placements_by_month(seed=seed)
    names = _prefecture_names()
    paths: list[Path] = []

    def write(name: str, data: bytes) -> None:
        path = out_dir / name
        path.write_bytes(data)
        paths.append(path)

    # 1. the labour bureau's monthly table, FY2023 (令和5年度)
    monthly = _monthly(base, 2023, rng)
    write(FILES[0], monthly_workbook(monthly, 2023))

    # 2. Nagasaki's KPI sheet
    write(FILES[1], kpi_workbook())

    # 3. council papers: regular placed persons FY2020-04 … 2022-01 (and … 2022-03 in the later paper)
    cumulative = {}
    for code in TOHOKU:
        rows = base[(base["prefecture_code"] == code)]
        in_span = rows[
            ((rows["fiscal_year"] == 2020) | (rows["fiscal_year"] == 2021))
            & ~((rows["fiscal_year"] == 2021) & rows["month"].isin([2, 3]))
        ]
        cumulative[code] = int(in_span["n"].sum() * 0.9)  # persons: a few placed twice
    restated = {c: v + int(rng.integers(1, 6)) for c, v in cumulative.items()}  # late reports added
    to_march = {c: v + int(rng.integers(5, 15)) for c, v in restated.items()}
    write(FILES[2], council_workbook(cumulative, "令和4年2月15日現在", "令和2年4月〜令和4年1月"))
    write(
        FILES[3],
        council_csv(restated, "令和4年4月20日現在", ["令和2年4月〜令和4年1月", "令和2年4月〜令和4年3月"], to_march),
    )

    # 4. Fukushima, wide by year, 目標 | 実績 | 進捗率 with a 3か年計 (the last 進捗率 of 相談件数 disagrees)
    fk = base[base["prefecture_code"] == "07"].groupby("fiscal_year")["n"].sum()
    # the records sample's allocated targets for 福島県 are 15 a year and 44 for the first stage
    placed = [(14, int(fk.get(2020, 0) * 0.9)), (15, int(fk.get(2021, 0) * 0.9)), (15, int(fk.get(2022, 0) * 0.9))]
    new_persons = [(60, 52), (65, 61), (70, 75)]
    consultations = [(300, 271), (320, 338), (340, 352)]
    rows = []
    for name, pairs in (
        ("正社員就職者数（人）", placed),
        ("新規相談者数（人）", new_persons),
        ("相談件数（件）", consultations),
    ):
        total = (sum(t for t, _ in pairs), sum(a for _, a in pairs))
        all_pairs = [*pairs, total]
        rates = [_rate(a, t) for t, a in all_pairs]
        rows.append((name, all_pairs, rates))
    rows[2][2][1] = "101.6%"  # published 進捗率 for 令和3年度 相談件数: 338 ÷ 320 = 105.6%
    write(FILES[4], three_year_workbook(rows))

    # 5. a monthly Tohoku table for 令和4年度 whose 合計 row is off in two months and one 累計 is off
    tohoku = {c: _monthly(base, 2022, rng)[c] for c in TOHOKU}
    totals = [sum(tohoku[c][i] for c in TOHOKU) for i in range(12)]
    totals[2] += 3
    totals[7] -= 2
    lines = [
        "令和4年度 東北6県 就職氷河期世代 正社員就職件数",
        "※ 単位：件",
        "",
        ",".join(["都道府県", *[f"{m}月" for m in MONTHS], "累計"]),
    ]
    for i, code in enumerate(TOHOKU):
        row = tohoku[code]
        cumulative_cell = sum(row) + (5 if i == 1 else 0)
        lines.append(",".join([names[code], *map(str, row), str(cumulative_cell)]))
    lines.append(",".join(["合計", *map(str, totals), str(sum(totals))]))
    lines.append("※ 令和5年4月末現在")
    write(FILES[5], ("\r\n".join(lines) + "\r\n").encode("cp932"))

    # 6. the long form in CP932: several measures, statuses, a national figure in 万人
    long_rows = [["年度", "年月", "都道府県", "対象者区分", "機関種別", "指標", "値", "単位", "備考"]]
    for fy in (2022, 2023, 2024):
        for code in ("02", "13", "42"):
            support = base[(base["prefecture_code"] == code) & (base["fiscal_year"] == fy)]["n"].sum()
            long_rows.append(
                [
                    _era(fy),
                    "",
                    names[code],
                    "計",
                    "地域若者サポートステーション",
                    "新規登録者数",
                    str(int(support * 2 + 10)),
                    "人",
                    "",
                ]
            )
            long_rows.append(
                [
                    _era(fy),
                    "",
                    names[code],
                    "長期無業",
                    "地域若者サポートステーション",
                    "進路決定者数",
                    str(int(support * 0.8 + 3)),
                    "人",
                    "",
                ]
            )
    long_rows.append(
        ["令和6年度", "令和6年4月", "青森県", "計", "自立相談支援機関", "新規相談件数", "-", "件", "窓口休止"]
    )
    long_rows.append(["令和6年度", "令和6年5月", "青森県", "計", "自立相談支援機関", "新規相談件数", "x", "件", "秘匿"])
    long_rows.append(
        ["令和6年度", "令和6年6月", "青森県", "計", "自立相談支援機関", "新規相談件数", "…", "件", "未集計"]
    )
    long_rows.append(["令和5年度", "", "全国", "計", "", "正社員就職者数", "0.1", "万人", "国の公表値（概数）"])
    write(FILES[6], ("\r\n".join(",".join(r) for r in long_rows) + "\r\n").encode("cp932"))
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_reported_files(Path(__file__).resolve().parents[2] / "sample_data" / "clean"):
        print(p)
