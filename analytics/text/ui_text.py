"""Words the screens show: Japanese/English UI strings, fiscal-year and prefecture labels, number formats.

No streamlit here: pages, the CLI and report writers format the same way. Japanese is the default;
every key has both languages (a test checks it).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

from analytics import config

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")
LANG_LABELS: dict[str, str] = {"ja": "日本語", "en": "English"}
DEFAULT_LANG: Lang = "ja"

_REFERENCE_DIR = config.REFERENCE_DIR

# key -> (日本語, English). Keys are grouped by the screen that uses them.
TEXT: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("就職氷河期世代支援 進捗ダッシュボード", "Employment Ice-Age Generation Support: Progress Dashboard"),
    "app.short_title": ("氷河期世代支援 進捗", "Ice-age support progress"),
    "sidebar.language": ("表示言語 / Language", "Language / 表示言語"),
    "sidebar.as_of": ("データ時点", "Data as of"),
    "sidebar.last_loaded": ("最終取込", "Last loaded"),
    "sidebar.no_data": ("データが未登録です", "No data loaded yet"),
    "sidebar.db_busy": (
        "データベースが取込中のため、最新の状態を表示できません。しばらくしてから再読み込みしてください。",
        "The database is busy loading data; reload the page in a moment.",
    ),
    "seed.failed": (
        "サンプルデータの初期登録で読み込めなかったファイルがあります: {files}",
        "Some sample files could not be loaded when seeding the database: {files}",
    ),
    # overview placeholder
    "overview.title": ("概要", "Overview"),
    "overview.caption": (
        "取り込まれているデータの概要です。相談記録・就職等実績・目標の件数、年度別・都道府県別の件数、取込バッチの一覧を示します。",
        "What is loaded: consultations, placements and targets, counts by fiscal year and prefecture, and the "
        "batches they came from.",
    ),
    "overview.consultations": ("相談記録", "Consultations"),
    "overview.placements": ("就職等実績", "Placements"),
    "overview.targets": ("目標", "Targets"),
    "overview.persons": ("相談者（実人数）", "Persons (distinct)"),
    "overview.rows": ("{n} 行", "{n} rows"),
    "overview.by_fiscal_year": ("年度別の件数", "Rows by fiscal year"),
    "overview.by_prefecture": ("都道府県別の件数", "Rows by prefecture"),
    "overview.batches": ("取込バッチ", "Loaded batches"),
    "overview.behind_table": ("表示する表", "Table shown"),
    "overview.as_of": (
        "データ時点: {as_of}（記録の最新日付）。最終取込: {loaded}。",
        "Data as of {as_of} (latest record date). Last loaded: {loaded}.",
    ),
    "overview.empty": (
        "まだデータが登録されていません。コマンド `python -m analytics ingest ファイル名` で"
        "相談記録・就職等実績・目標の CSV/Excel を取り込むと、ここに件数が表示されます。",
        "No data has been loaded yet. Load consultation, placement or target files (CSV/Excel) with "
        "`python -m analytics ingest FILE` and the counts appear here.",
    ),
    # column labels
    "col.fiscal_year": ("年度", "Fiscal year"),
    "col.prefecture": ("都道府県", "Prefecture"),
    "col.prefecture_code": ("都道府県コード", "Prefecture code"),
    "col.consultations": ("相談件数", "Consultations"),
    "col.placements": ("就職等件数", "Placements"),
    "col.targets": ("目標（行）", "Targets (rows)"),
    "col.persons": ("相談者数", "Persons"),
    "col.batch_id": ("バッチ", "Batch"),
    "col.file_name": ("ファイル名", "File"),
    "col.kinds": ("種別", "Kinds"),
    "col.loaded_at": ("取込日時", "Loaded at"),
    "col.status": ("状態", "Status"),
    "col.rows_read": ("読込行", "Rows read"),
    "col.rows_loaded": ("登録", "Loaded"),
    "col.rows_quarantined": ("保留", "Quarantined"),
    "col.rows_duplicate": ("重複", "Duplicates"),
    "col.rows_excluded": ("除外", "Excluded"),
    # 地域 Regions page (pages/regions.py, analytics/views/regions.py, analytics/charts/regions.py)
    "regions.title": ("地域", "Regions"),
    "regions.caption": (
        "都道府県を1つの指標で比べます。地図（またはタイル地図）と順位の棒グラフ、率の指標ではファネルプロットで、"
        "小さな県の偶然のばらつきと本当の差を見分けます。棒か表の行をクリックすると、その都道府県の市区町村に掘り下げます。",
        "Compare the prefectures on one indicator: a map (or tile grid), a ranking and, for rates, a funnel plot "
        "that separates chance variation in small prefectures from real differences. Click a bar or a table row "
        "to drill down to that prefecture's municipalities.",
    ),
    "regions.indicator": ("指標", "Indicator"),
    "regions.view": ("地図の表示", "Map view"),
    "regions.view_map": ("地図", "Map"),
    "regions.view_tiles": ("タイル地図", "Tile grid"),
    "regions.map_title": ("{indicator}（都道府県別） — {period}", "{indicator} by prefecture — {period}"),
    "regions.bar_title": ("{indicator}の順位 — {period}", "{indicator}: ranking — {period}"),
    "regions.funnel_title": (
        "{indicator}のファネルプロット（分母と率） — {period}",
        "{indicator}: funnel plot (rate against denominator) — {period}",
    ),
    "regions.muni_title": ("{prefecture}の市区町村別 {indicator} — {period}", "{indicator} by municipality in {prefecture} — {period}"),
    "regions.empty": (
        "この条件で表示できるデータがありません。サイドバーの期間や対象者区分を広げるか、「データ取込」ページで相談記録・就職等実績を取り込んでください。",
        "No data for these filters. Widen the period or target groups in the sidebar, or load consultation and "
        "placement files on the Upload data page.",
    ),
    "regions.not_final_all": (
        "この期間に初回相談した人の観察期間（{months}か月）がまだ終わっていないため、率は確定していません。"
        "前の年度を選ぶか、件数の指標を選んでください。",
        "The {months}-month window of people who first consulted in this period has not elapsed yet, so the rate "
        "is not final. Choose an earlier fiscal year or a count indicator.",
    ),
    "regions.funnel_rates_only": (
        "ファネルプロットは率の指標（例: 6か月以内正社員就職率）を選ぶと表示されます。件数は人口の大きさをそのまま映すため、順位は参考です。",
        "The funnel plot appears for rate indicators (e.g. regular placement within 6 months). Counts mostly "
        "reflect population size, so their ranking is for reference only.",
    ),
    "regions.flagged": (
        "95%限界の外側: 上回る {above}、下回る {below}。限界の内側の差は偶然のばらつきで説明できます。",
        "Outside the 95% limits: above {above}; below {below}. Differences inside the limits are within chance variation.",
    ),
    "regions.flagged_none": (
        "すべての都道府県が95%限界の内側です。差は偶然のばらつきで説明できる範囲です。",
        "Every prefecture lies within the 95% limits: the differences are within chance variation.",
    ),
    "regions.none": ("なし", "none"),
    "regions.funnel_help": (
        "点線は95%、実線は99.8%の管理限界（全体の率のまわり、分母が小さいほど広い）。限界の外側の県だけに名前と▲▼を付けています。",
        "Dashed lines: 95% limits; solid: 99.8% limits around the overall rate (wider for small denominators). "
        "Only prefectures outside the limits are named and marked ▲▼.",
    ),
    "regions.select_hint": (
        "棒グラフの棒、または表の行をクリックすると都道府県を選び、市区町村に掘り下げます（選択はURLとサイドバーに入ります）。",
        "Click a bar or a table row to select a prefecture and drill down (the selection goes into the link and the sidebar).",
    ),
    "regions.drill_heading": ("{prefecture}の市区町村", "Municipalities of {prefecture}"),
    "regions.drill_none": (
        "都道府県を選ぶと、その市区町村別の値をここに表示します（棒・表の行をクリック、またはサイドバーで選択）。",
        "Select a prefecture to see its municipalities here (click a bar or a table row, or use the sidebar).",
    ),
    "regions.drill_empty": ("{prefecture}には、この条件の市区町村別データがありません。", "No municipal data for {prefecture} with these filters."),
    "regions.drill_note": (
        "市区町村の率は、{prefecture}全体の率（{value}）を基準にした95%限界と比べています。市区町村コードのない記録は「不明」にまとめています。",
        "Municipal rates are compared with the 95% limits around {prefecture}'s overall rate ({value}). Records "
        "without a municipality are grouped as Unknown.",
    ),
    "regions.unknown_region": (
        "地域が不明の記録: {value}（地図と順位には含めず、全体の基準値には含めています）。",
        "Records without a region: {value} (not on the map or ranking; included in the overall reference).",
    ),
    "regions.clear_selection": ("選択を解除", "Clear selection"),
    "regions.selected_caption": ("選択中: {prefecture}", "Selected: {prefecture}"),
    "regions.table_heading": ("都道府県別の値（北海道→沖縄県）", "Values by prefecture (JIS order)"),
    "regions.no_data": ("データなし", "No data"),
    "regions.small": ("分母10未満（参考値）", "denominator under 10 (indicative)"),
    "regions.not_final": ("観察期間中（未確定）", "window not elapsed (not final)"),
    "regions.selected": ("選択中", "Selected"),
    "regions.reference": ("全体 {value}", "Overall {value}"),
    "regions.limit_95": ("95%限界", "95% limits"),
    "regions.limit_998": ("99.8%限界", "99.8% limits"),
    "regions.funnel_within": ("限界の内側", "Within limits"),
    "regions.funnel_above": ("▲ 95%限界より上", "▲ above the 95% limit"),
    "regions.funnel_below": ("▼ 95%限界より下", "▼ below the 95% limit"),
    "regions.denominator_axis": ("分母（人・件）", "Denominator (persons or records)"),
    "regions.position.above_998": ("上回る（99.8%限界の外）", "Above (outside 99.8%)"),
    "regions.position.above_95": ("上回る（95%限界の外）", "Above (outside 95%)"),
    "regions.position.within": ("限界の内側", "Within limits"),
    "regions.position.below_95": ("下回る（95%限界の外）", "Below (outside 95%)"),
    "regions.position.below_998": ("下回る（99.8%限界の外）", "Below (outside 99.8%)"),
    "regions.col.code": ("コード", "Code"),
    "regions.col.place": ("地域", "Place"),
    "regions.col.numerator": ("分子", "Numerator"),
    "regions.col.denominator": ("分母", "Denominator"),
    "regions.col.ci95": ("95%信頼区間 (%)", "95% interval (%)"),
    "regions.col.position": ("ファネル上の位置", "Funnel position"),
    "regions.col.rank": ("順位", "Rank"),
    "regions.col.note": ("注記", "Note"),
    # 対象者 Target groups page (pages/groups.py, analytics/views/groups.py, analytics/charts/groups.py)
    "groups.title": ("対象者", "Target groups"),
    "groups.caption": (
        "3つの対象者区分（不安定就労・長期無業・社会参加支援）を、すべての指標、相談から定着までの経路、初回相談からの累積就職率、"
        "機関種別・性別・年齢階級の内訳、機関間の紹介の流れで並べて比べます。",
        "The three target groups side by side: every indicator, the path from consultation to retention, "
        "cumulative placement by months since first consultation, breakdowns by agency type, gender and age "
        "band, and referrals between agency types.",
    ),
    "groups.empty": (
        "この条件で表示できるデータがありません。サイドバーの条件を広げるか、「データ取込」ページで相談記録を取り込んでください。",
        "No data for these filters. Widen the filters in the sidebar, or load consultation files on the Upload data page.",
    ),
    "groups.compare_title": ("対象者区分別の指標 — {period}", "Indicators by target group — {period}"),
    "groups.path_title": (
        "相談から定着までの経路（初回相談が{period}の人） — データ時点 {as_of}",
        "From consultation to retention (first consultation in {period}) — as of {as_of}",
    ),
    "groups.path_note": (
        "各段階は前の段階の内数です。就職・正社員就職はデータ時点までの初回相談以後のもの、定着は6か月定着が「定着」と記録されたもの（不明は含めない）。",
        "Each stage is a subset of the one before: placements on or after the first consultation up to the "
        "as-of date; retained = recorded as retained at 6 months (unknown not counted).",
    ),
    "groups.stage.cohort_persons": ("新規相談者", "New persons"),
    "groups.stage.placed_persons": ("就職", "Placed"),
    "groups.stage.regular_persons": ("正社員就職", "Regular job"),
    "groups.stage.retained_persons": ("6か月定着", "Retained 6 months"),
    "groups.curve_title": (
        "初回相談からの累積就職率（開始年度別・対象者区分別） — データ時点 {as_of}",
        "Cumulative placement by months since first consultation, by start year and group — as of {as_of}",
    ),
    "groups.curve_note": (
        "線は初回相談の年度（開始コホート）ごと。観察期間が終わっていない月は描いていません。",
        "One line per start cohort (fiscal year of first consultation); months not yet observed are not drawn.",
    ),
    "groups.months_axis": ("初回相談からの月数", "Months since first consultation"),
    "groups.breakdown": ("内訳", "Breakdown"),
    "groups.breakdown_indicator": ("内訳の指標", "Indicator for the breakdown"),
    "groups.breakdown_title": ("{indicator}（{dimension}別・対象者区分別） — {period}", "{indicator} by {dimension} and target group — {period}"),
    "groups.dim.agency_type": ("機関種別", "agency type"),
    "groups.dim.gender": ("性別", "gender"),
    "groups.dim.age_band": ("年齢階級", "age band"),
    "groups.referral_title": ("機関間の紹介の流れ（相談件数） — {period}", "Referrals between agency types (consultations) — {period}"),
    "groups.referral_none": (
        "この条件では紹介先の記録がありません。相談記録に「紹介先」列（機関種別）を入れて取り込むと、機関間の流れを表示します。",
        "No referrals recorded for these filters. Include the 紹介先 (referred to) column in consultation files to "
        "see the flows between agency types.",
    ),
    "groups.from": ("紹介元", "From"),
    "groups.to": ("紹介先", "To"),
    "groups.col.group": ("対象者区分", "Target group"),
    "groups.col.indicator": ("指標", "Indicator"),
    "groups.col.value": ("値", "Value"),
    "groups.col.unit": ("単位", "Unit"),
    "groups.col.stage": ("段階", "Stage"),
    "groups.col.persons": ("人数", "Persons"),
    "groups.col.share": ("新規相談者に対する割合 (%)", "Share of new persons (%)"),
    "groups.col.cohort": ("開始年度", "Start cohort"),
    "groups.col.months": ("初回相談からの月数", "Months since first consultation"),
    "groups.col.cohort_persons": ("新規相談者数", "Cohort persons"),
    "groups.col.placed_persons": ("就職者数（累積）", "Placed (cumulative)"),
    "groups.col.rate": ("累積就職率 (%)", "Cumulative placement rate (%)"),
    "groups.col.consultations": ("紹介件数", "Referrals"),
    "groups.col.referral_persons": ("人数", "Persons"),
    # データ品質 Data quality page (pages/quality.py, analytics/views/quality.py, analytics/charts/quality.py)
    "quality.title": ("データ品質", "Data quality"),
    "quality.caption": (
        "何がどこまで届いているかを確かめるページです（読み取りのみ）。都道府県×月の取込行数、データが届いていない月、"
        "取込時に保留した行の理由、その元になった取込バッチを示します。",
        "What has arrived (read-only): rows loaded per prefecture and month, the months with nothing received, "
        "rows kept aside at load time by reason, and the batches behind it all.",
    ),
    "quality.empty": (
        "まだデータが取り込まれていません。「データ取込」ページでファイルを取り込むと、都道府県×月の取込状況をここに表示します。",
        "No data has been loaded yet. Load files on the Upload data page to see what arrived per prefecture and month.",
    ),
    "quality.coverage_title": ("都道府県×月の取込行数（相談記録＋就職等実績） — {period}", "Rows loaded per prefecture and month (consultations + placements) — {period}"),
    "quality.coverage_note": (
        "× のマスは、その月にその都道府県から相談記録も就職等実績も届いていない月です（0件ではなく「未着」）。",
        "Cells marked × are months in which nothing (no consultation, no placement) arrived from that prefecture: "
        "missing, not zero.",
    ),
    "quality.gaps_heading": ("データが届いていない月", "Months with nothing received"),
    "quality.gaps_summary": (
        "{prefectures}都道府県で計{months}か月分のデータが届いていません。送付元に確認してください。",
        "{months} prefecture-months from {prefectures} prefectures have no data: check with the senders.",
    ),
    "quality.gaps_none": ("この期間は、すべての都道府県から毎月データが届いています。", "Every prefecture sent data for every month of this period."),
    "quality.gap_cell": ("未着", "missing"),
    "quality.quarantine_title": ("取込時に保留した行（理由別）", "Rows kept aside at load time, by reason"),
    "quality.quarantine_none": (
        "保留された行はありません。取込で問題のあった行は、ここに理由別に表示されます（直し方は「取込履歴」ページの保留ファイルで確認できます）。",
        "No rows were kept aside. Rows with problems appear here by reason (download them from the Upload history page to fix and resend).",
    ),
    "quality.batches_title": ("元になった取込バッチ", "Batches behind the data"),
    "quality.col.month": ("月", "Month"),
    "quality.col.consultations": ("相談記録（行）", "Consultations (rows)"),
    "quality.col.placements": ("就職等実績（行）", "Placements (rows)"),
    "quality.col.rows": ("行数", "Rows"),
    "quality.col.status": ("状態", "Status"),
    "quality.col.months_missing": ("未着の月数", "Months missing"),
    "quality.col.months": ("未着の月", "Missing months"),
    "quality.col.months_in_span": ("期間の月数", "Months in period"),
    "quality.col.reason_code": ("理由コード", "Reason code"),
    "quality.col.reason": ("理由", "Reason"),
    "quality.col.rows_kept": ("保留した行", "Rows kept aside"),
    "quality.col.issues": ("指摘の数", "Issues"),
    "quality.col.files": ("ファイル数", "Files"),
    "quality.col.records": ("登録中の行", "Rows in the data"),
    "quality.col.first_date": ("最初の日付", "First date"),
    "quality.col.last_date": ("最後の日付", "Last date"),
    "quality.col.prefectures": ("都道府県数", "Prefectures"),
    "regions.period_all": ("全期間", "All years"),
    "status.loaded": ("登録済", "Loaded"),
    "status.rolled_back": ("取消済", "Rolled back"),
    "kind.consultations": ("相談記録", "Consultations"),
    "kind.placements": ("就職等実績", "Placements"),
    "kind.targets": ("目標", "Targets"),
    "kind.platforms": ("市町村プラットフォーム調査", "Municipal platform survey"),
    "kind.reported_figures": ("集計値", "Reported figures"),
    "national": ("全国", "National"),
    "unknown": ("不明", "Unknown"),
    "prog.headline_card": ("国全体: 正規雇用者の増加", "Nation: regular employees, change"),
    "prog.headline_card_goal": ("{year}年・目標 +{goal}人", "{year}, goal +{goal}"),
    "prog.headline_badge": ("別の指標（労働力調査）", "Different measure (LFS)"),
    "prog.title": ("進捗", "Progress"),
    "prog.loading": ("目標ごとの進捗を計算しています…", "Computing progress for each target…"),
    "prog.caption": (
        "{stage}の目標に対する進み具合（{place}、データ時点 {as_of}）。目標は期間に比例して直線で達成する前提で、"
        "実績が目標線を上回っていれば順調です。",
        "Progress against the targets of {stage} ({place}, data as of {as_of}). The target line assumes an even "
        "monthly pace; an actual line above it is on track.",
    ),
    "prog.no_targets": (
        "目標がまだ登録されていません。「データ取込」ページで目標のテンプレート（Excel）をダウンロードし、"
        "指標・年度またはステージ・都道府県・目標値を記入して取り込むと、ここに進捗が表示されます。",
        "No targets have been loaded yet. Download the targets template (Excel) on the Upload data page, fill in "
        "indicator, fiscal year or stage, prefecture and value, and load it: progress appears here.",
    ),
    "prog.no_scope_targets": (
        "{place}には{stage}の目標がありません。サイドバーで別の都道府県（または全国）やステージを選んでください。",
        "{place} has no targets for {stage}. Choose another prefecture (or national) or stage in the sidebar.",
    ),
    "prog.no_data": (
        "まだデータが登録されていません。「データ取込」ページで相談記録・就職等実績・目標を取り込んでください。",
        "No data has been loaded yet. Load consultations, placements and targets on the Upload data page.",
    ),
    "prog.filters_note": (
        "目標は地域（全国・都道府県）ごとに設定されているため、このページでは対象者区分・機関種別・市区町村の絞り込みは使いません。",
        "Targets are set per place (national or prefecture), so this page does not apply the target group, "
        "agency type or municipality filters.",
    ),
    "prog.burnup_title": ("{indicator}の累計と目標", "{indicator}: cumulative actual against target"),
    "prog.burnup_axis": ("累計（{unit}）", "Cumulative ({unit})"),
    "prog.axis_month": ("月", "Month"),
    "prog.actual": ("実績（累計）", "Actual (cumulative)"),
    "prog.target_line": ("目標線（均等ペース）", "Target line (even pace)"),
    "prog.projection": ("見込み（直近{n}か月のペース）", "Projection (last {n} months' pace)"),
    "prog.band": ("見込みの幅（直近の月の最小〜最大）", "Projection range (slowest to fastest recent month)"),
    "prog.target_value": ("目標 {value}", "Target {value}"),
    "prog.fy_boundary": ("年度の区切り", "Fiscal year boundary"),
    "prog.stage_complete": ("ステージ終了", "Stage complete"),
    "prog.card_status": ("状況", "Status"),
    "prog.achievement_delta": ("達成率 {value}", "achievement {value}"),
    "prog.table_heading": ("都道府県別の進捗", "Progress by prefecture"),
    "prog.table_indicator": ("表の指標", "Indicator in the table"),
    "prog.table_caption": (
        "{indicator}・{stage}。ペース指数＝実績÷その時点の目標線（100%以上で順調、{at_risk}%以上で注意、未満は遅れ）。"
        "期末見込み＝実績＋直近{n}か月の月平均×残り月数。",
        "{indicator}, {stage}. Pace index = actual ÷ target line by now (≥100% on track, ≥{at_risk}% at risk, "
        "below: off track). Projected end = actual + last {n} months' monthly average × months left.",
    ),
    "prog.headline_heading": ("国全体の目標（別の指標）", "The national goal (a different measure)"),
    "prog.headline_caption": (
        "政府目標「就職氷河期世代の正規雇用者 30万人増」は総務省「労働力調査」による2019年比の増減（ストック）です。"
        "このダッシュボードの事業実績（就職者数などのフロー）とは測り方が違うため、足し合わせたり直接比べたりできません。",
        "The government goal (+300,000 regular employees of the generation) is a change in a stock since 2019 "
        "measured by the Labour Force Survey. The program records on this dashboard are flows: never add them "
        "to it or compare them directly.",
    ),
    "prog.headline_title": ("正規雇用者の増加（2019年比）", "Regular employees: change since 2019"),
    "prog.headline_goal": ("目標 +30万人", "Goal +300,000"),
    "prog.headline_axis": ("2019年比の増加（人）", "Change since 2019 (persons)"),
    "prog.headline_source": (
        "出典: 総務省「労働力調査」に基づく政府公表値<br>内閣官房「就職氷河期世代支援に関する行動計画」",
        "Source: published figures based on the Labour Force Survey<br>(MIC); Cabinet Secretariat action plan",
    ),
    "prog.col_indicator": ("指標", "Indicator"),
    "prog.col_target": ("目標", "Target"),
    "prog.col_actual": ("実績", "Actual"),
    "prog.col_achievement": ("達成率 (%)", "Achievement (%)"),
    "prog.col_pace": ("ペース指数 (%)", "Pace index (%)"),
    "prog.col_projected": ("期末見込み", "Projected end value"),
    "prog.col_needed": ("必要な月当たり実績", "Monthly rate still needed"),
    "prog.col_status": ("状況", "Status"),
    "prog.col_month": ("月末", "Month end"),
    "prog.col_cumulative": ("実績（累計）", "Actual (cumulative)"),
    "prog.col_target_line": ("目標線", "Target line"),
    "prog.col_projection": ("見込み", "Projection"),
    "prog.col_projection_low": ("見込み（下限）", "Projection (low)"),
    "prog.col_projection_high": ("見込み（上限）", "Projection (high)"),
    "prog.col_item": ("項目", "Item"),
    "prog.col_kind": ("種別", "Kind"),
    "prog.kind_goal": ("目標", "Goal"),
    "prog.kind_result": ("公表値", "Published result"),
    "prog.col_year": ("年", "Year"),
    "prog.col_value": ("値（人）", "Value (persons)"),
    "prog.col_source": ("出典", "Source"),
    "prog.go_upload": ("データ取込ページ（目標のテンプレート）を開く", "Open the upload page (targets template)"),
    "defs.title": ("指標の定義", "Definitions"),
    "defs.caption": (
        "このダッシュボードのすべての数字の定義です。ページ・グラフ・帳票・コマンドラインは同じ定義（指標レジストリ）から計算しています。",
        "The definition of every number on this dashboard. Pages, charts, reports and the command line all "
        "compute from the same registry.",
    ),
    "defs.selected": ("リンク元の指標", "The indicator you came from"),
    "defs.general": ("共通の定義（期間・地域・人数の数え方・率・コホート）", "Rules for every indicator"),
    "defs.details": ("詳しい定義", "Full definition"),
    "defs.category_reach": ("利用（相談）", "Reach"),
    "defs.category_outcome": ("成果（就職等）", "Outcomes"),
    "defs.category_cohort": ("コホート（初回相談から）", "Cohorts"),
    "defs.category_quality": ("定着", "Retention"),
    "defs.category_data_quality": ("データ品質", "Data quality"),
    "defs.category_other": ("その他", "Other"),
    "defs.id": ("ID", "ID"),
    "defs.unit": ("単位", "Unit"),
    "defs.kind": ("種類", "Kind"),
    "defs.kind_count": ("件数・人数", "count"),
    "defs.kind_rate": ("率（0〜1、表示は%）", "rate (0-1, shown as %)"),
    "defs.kind_median": ("中央値", "median"),
    "defs.grain": ("数える単位", "Counted unit"),
    "defs.numerator": ("分子", "Numerator"),
    "defs.denominator": ("分母", "Denominator"),
    "defs.window": ("観察期間", "Window"),
    "defs.attribution": ("帰属（いつ・どこ・だれに数えるか）", "Attribution"),
    "defs.better": ("望ましい方向", "Better when"),
    "defs.better_higher": ("高いほどよい", "higher"),
    "defs.better_lower": ("低いほどよい", "lower"),
    "defs.caveats": ("注意点", "Caveats"),
    "defs.practice": ("参考にした実務", "Practice followed"),
    "defs.sql": ("SQL", "SQL"),
    "summary.empty": ("この条件に当てはまるデータがありません。", "No data for these filters."),
    "overview.kpi_caption": (
        "{period}・{scope}。カードの下段は前年度との差、線は年度ごとの推移です。",
        "{period}, {scope}. Below each number: the change from the previous fiscal year; the line: the yearly trend.",
    ),
    "overview.vs_previous": ("前年度比", "vs previous fiscal year"),
    "overview.stage_total": ("ステージ累計（前年度比なし）", "stage total (no year-on-year change)"),
    "overview.no_previous": ("前年度のデータなし", "no data for the previous year"),
    "overview.vs_same_period": ("{months}の前年同期比", "vs same period last year ({months})"),
    "overview.no_previous_same_period": (
        "前年同期（{months}）のデータなし", "no data for the same period last year ({months})"
    ),
    "overview.not_final": ("未確定", "Not final"),
    "overview.so_far": ("観察期間中・これまで {num}／{den}人", "window still open: {num} of {den} so far"),
    "overview.small": ("分母10未満（参考値）", "denominator under 10 (indicative)"),
    "overview.yearly_series": ("年度ごとの推移（線グラフ）: {values}", "By fiscal year (line): {values}"),
    "overview.trend": ("月別の推移", "Monthly trend"),
    "overview.trend_indicator": ("指標", "Indicator"),
    "overview.trend_title": ("{indicator}の月別推移", "{indicator} by month"),
    "overview.by_group": ("対象者区分別", "By target group"),
    "overview.group_title": ("対象者区分別の人数", "Persons by target group"),
    "overview.group_rates_title": ("対象者区分別の率", "Rates by target group"),
    "overview.data_behind": ("データ時点と取込バッチ", "Data as of, and the batches behind it"),
    "overview.batches_behind": (
        "データ時点 {as_of}。{n} 件の取込バッチ（最終取込 {loaded}）の記録から計算しています。",
        "Data as of {as_of}, computed from {n} loaded batches (last loaded {loaded}).",
    ),
    "overview.no_filter_data": (
        "この絞り込み条件に当てはまる記録がありません。サイドバーで年度・地域・対象者区分を変えるか、「条件をクリア」を押してください。",
        "No records match these filters. Change the year, region or target group in the sidebar, or press "
        "'Clear filters'.",
    ),
    "overview.col_month": ("月", "Month"),
    "overview.col_target_group": ("対象者区分", "Target group"),
    "overview.col_denominator": ("分母", "denominator"),
    "overview.axis_month": ("月（年度は4月始まり）", "Month (fiscal year starts in April)"),
    "overview.axis_persons": ("人数（人）", "Persons"),
    "overview.go_upload": ("データ取込ページを開く", "Open the upload page"),
    # shared sidebar filters (ui/sidebar.py)
    "filter.heading": ("表示する範囲", "Show"),
    "filter.period": ("期間", "Period"),
    "filter.period_fiscal_year": ("年度", "Fiscal year"),
    "filter.period_stage": ("ステージ", "Stage"),
    "filter.fiscal_year": ("年度", "Fiscal year"),
    "filter.stage": ("ステージ", "Stage"),
    "filter.prefecture": ("都道府県", "Prefecture"),
    "filter.municipality": ("市区町村", "Municipality"),
    "filter.all_municipalities": ("すべての市区町村", "All municipalities"),
    "filter.target_groups": ("対象者区分", "Target groups"),
    "filter.agency_types": ("機関種別", "Agency types"),
    "filter.all": ("すべて", "All"),
    "filter.clear": ("条件をクリア", "Clear filters"),
    # shared chart conventions (ui/charts.py, analytics/charts)
    "chart.table_view": ("表で見る", "Table view"),
    "chart.summary_series": (
        "{name}: {n}点、最大 {max}（{max_at}）、最小 {min}（{min_at}）、最後 {last}（{last_at}）",
        "{name}: {n} points, highest {max} ({max_at}), lowest {min} ({min_at}), last {last} ({last_at})",
    ),
    "chart.summary_more": ("ほか{n}系列。数値は「表で見る」", "And {n} more series; every value is under Table view"),
    "chart.summary_table": ("すべての数値は「表で見る」", "Every value is under Table view"),
    "chart.download": ("CSVダウンロード", "Download CSV"),
    "chart.definitions": ("指標の定義", "Definitions"),
    "chart.source": (
        "出典: 取込済みの相談記録・就職等実績<br>データ時点 {as_of}",
        "Source: loaded consultation and placement records<br>Data as of {as_of}",
    ),
    "chart.small_denominator": ("※ 分母10未満（参考値）", "* denominator under 10 (indicative)"),
    # upload (データ取込) and history (取込履歴) pages: analytics.views.upload, pages/upload.py, pages/history.py
    "upload.title": ("データ取込", "Upload data"),
    "upload.caption": (
        "都道府県や支援機関から届いた相談記録・就職等実績・目標の CSV／Excel をまとめて取り込みます。"
        "ファイルを置くと、取り込む前に列の対応・件数・保留になる行を確認できます。「取り込む」を押すまで何も保存されません。",
        "Load consultation, placement and target files (CSV/Excel) from prefectures and agencies. Drop them here to "
        "check the column mapping, the counts and the rows that would be kept aside; nothing is saved until you "
        "press “Load”.",
    ),
    "upload.templates": ("記入用テンプレート（Excel）", "Excel templates"),
    "upload.templates_help": (
        "見出し・記入例・選択肢（ドロップダウン）・各列の説明付き。テンプレートに記入したファイルはそのまま取り込めます。",
        "Headers, an example row, drop-down lists and a sheet explaining each column. Files filled in from a "
        "template load as they are.",
    ),
    "upload.template_button": ("{kind}のテンプレート", "{kind} template"),
    "upload.uploader": ("ファイルを選ぶ（複数可）", "Choose files (several at once)"),
    "upload.uploader_help": (
        "CSV（UTF-8／Shift_JIS）・Excel（.xlsx／.xls）。"
        "1ファイル {mb} MB・{rows} 行まで、一度に {files} ファイルまで。",
        "CSV (UTF-8/Shift_JIS) or Excel (.xlsx/.xls). Up to {mb} MB and {rows} rows per file, {files} files at once.",
    ),
    "upload.empty": (
        "ファイルを上の枠にドラッグ＆ドロップするか、「Upload」から選んでください。",
        "Drag and drop files onto the box above, or choose them with “Upload”.",
    ),
    "upload.preparing": ("確認中 {i}/{n}: {file}", "Checking {i}/{n}: {file}"),
    "upload.too_many_files": (
        "一度に取り込めるのは {limit} ファイルまでです（{n} ファイルが選ばれています）。"
        "最初の {limit} ファイルだけを確認します。",
        "At most {limit} files at once ({n} chosen); only the first {limit} are checked.",
    ),
    "upload.summary": ("確認結果（まだ保存していません）", "Check result (nothing saved yet)"),
    "upload.file_ready": ("取込可能", "Ready"),
    "upload.file_error": ("取り込めません", "Cannot load"),
    "upload.file_already": ("取込済み（バッチ {batch}）", "Already loaded (batch {batch})"),
    "upload.already_loaded": (
        "同じ内容のファイルはバッチ {batch} で取込済みです。このファイルは取り込みません。",
        "A file with identical content was loaded as batch {batch}; this file will be skipped.",
    ),
    "upload.options": ("読み取り方の指定", "How to read the file"),
    "upload.kind": ("種別", "Kind"),
    "upload.kind_auto": ("自動判定", "Detect"),
    "upload.sheet": ("シート", "Sheet"),
    "upload.sheet_all": ("すべてのシート", "All sheets"),
    "upload.header_row": ("見出し行（0 = 自動）", "Header row (0 = detect)"),
    "upload.sheet_heading": (
        "シート「{sheet}」: {kind}・見出し {row} 行目",
        "Sheet “{sheet}”: {kind}, header row {row}",
    ),
    "upload.sheet_heading_2rows": (
        "シート「{sheet}」: {kind}・見出し {first}〜{row} 行目（2段）",
        "Sheet “{sheet}”: {kind}, header rows {first}–{row} (two rows)",
    ),
    "upload.sheet_skipped": ("シート「{sheet}」はスキップします: {reason}", "Sheet “{sheet}” is skipped: {reason}"),
    "upload.rows_read": ("読込行", "Rows read"),
    "upload.rows_to_load": ("取込予定", "To load"),
    "upload.rows_quarantined": ("保留", "Quarantined"),
    "upload.rows_duplicate": ("重複（取込済み）", "Duplicates"),
    "upload.rows_excluded": ("除外（表題・合計・注記など）", "Excluded (title, total, notes)"),
    "upload.mapping": ("列の対応（見出し → 取込先）", "Column mapping (header → stored column)"),
    # reported figures (集計値, issue 16)
    "upload.fig_heading": (
        "シート「{sheet}」: 集計値（{layout}）・見出し {row} 行目",
        "Sheet “{sheet}”: reported figures ({layout}), header row {row}",
    ),
    "upload.fig_layout.long": ("縦持ち：1行1数値", "long: one figure per row"),
    "upload.fig_layout.wide": ("横持ち：期間が列", "wide: periods across"),
    "upload.fig_layout.blocks": ("事業別ブロック", "project blocks"),
    "upload.fig_counts_note": (
        "数は数値のセル単位です（行ではありません）。取込 {loaded} のうち警告付き {warned}、目標として取り込む {targets}。",
        "Counts are figure cells, not rows. Of {loaded} to load, {warned} carry a warning and {targets} are targets.",
    ),
    "upload.template.reported_long": ("集計値（縦持ち）", "Reported figures (long)"),
    "upload.template.reported_kpi": ("事業別KPI", "Project KPIs"),
    "upload.fig_rows_read": ("読込セル", "Cells read"),
    "upload.fig_rows_excluded": ("除外（内訳のある合計・率）", "Excluded (totals, rates)"),
    "upload.fig_per_block": ("ブロックの見出しごと", "per block heading"),
    "upload.fig_context": ("読み取った内容と読み取り元", "What was inferred, and from where"),
    "upload.fig_item": ("項目", "Item"),
    "upload.fig_value": ("値", "Value"),
    "upload.fig_source": ("読み取り元", "Read from"),
    "upload.fig_text": ("元の文字列", "Text read"),
    "upload.fig_checks": ("合計・率の照合（警告）", "Totals and rates checked (warnings)"),
    "upload.fig_check": ("照合", "Check"),
    "upload.fig_stated": ("表の値", "Stated"),
    "upload.fig_computed": ("計算値", "Computed"),
    "upload.fig_message": ("内容", "Message"),
    "upload.fig_override": ("読み取りを直す（空欄は自動）", "Correct what was inferred (blank = automatic)"),
    "upload.fig_override_help": (
        "表題・注記・ファイル名から読めなかった、または違っている項目を入力すると、そのファイルの全数値に使います"
        "（コマンドラインの --map measure=… と同じ）。名前を付けて保存すると、同じ見出しの次のファイルにも使います。",
        "What you enter here applies to every figure of the file (as --map measure=… on the command line). "
        "Save it under a name to apply it to the next file with the same headers.",
    ),
    "upload.fig_override.measure": ("指標", "Measure"),
    "upload.fig_override.unit": ("単位", "Unit"),
    "upload.fig_override.prefecture": ("都道府県", "Prefecture"),
    "upload.fig_override.fiscal_year": ("年度", "Fiscal year"),
    "upload.fig_override.period": ("期間（累計など）", "Period (span)"),
    "upload.fig_override.target_period": ("目標の期間", "Target period"),
    "upload.fig_override.vintage": ("時点（版）", "As of (vintage)"),
    "upload.fig_override.source": ("出典（報告元）", "Source"),
    "upload.mapping_help": (
        "取込先が違う列は右の選択肢で直してください。直すと下の件数とプレビューが更新されます。",
        "Correct a wrong mapping with the select box; the counts and preview below update.",
    ),
    "upload.col_letter": ("列", "Col."),
    "upload.col_header": ("見出し", "Header"),
    "upload.col_target": ("取込先", "Stored as"),
    "upload.col_confidence": ("確からしさ", "Confidence"),
    "upload.col_alternatives": ("ほかの候補", "Alternatives"),
    "upload.col_note": ("扱い", "Note"),
    "upload.not_loaded": ("（取り込まない）", "(not loaded)"),
    "upload.note_personal": ("個人情報のため削除", "Personal data: dropped"),
    "upload.note_ignored": ("使わない列", "Not used"),
    "upload.note_duplicate": ("同じ取込先の列がほかにあるため使わない", "Another column already maps here"),
    "upload.note_explicit": ("指定した対応", "Set by you"),
    "upload.note_profile": ("保存した対応「{name}」", "Saved mapping “{name}”"),
    "upload.note_contained": ("見出しの一部から推定", "Guessed from part of the header"),
    "upload.personal_dropped": (
        "個人情報の列は保存前に削除します: {columns}",
        "Personal-data columns dropped before saving: {columns}",
    ),
    "upload.profile_applied": (
        "保存した対応「{name}」を自動で適用しました。",
        "The saved mapping “{name}” was applied automatically.",
    ),
    "upload.profile_name": ("対応の名前（提出元）", "Name of the mapping (sender)"),
    "upload.profile_placeholder": ("例: 〇〇県サポステ 月次", "e.g. Aomori support station, monthly"),
    "upload.profile_save": ("この列の対応を保存", "Save this mapping"),
    "upload.profile_saved": (
        "対応「{name}」を保存しました。同じ見出しのファイルには次から自動で適用されます。",
        "Saved “{name}”: files with the same headers are mapped by it from now on.",
    ),
    "upload.profile_name_missing": ("名前を入れてください。", "Enter a name."),
    "upload.preview": ("保存される形のプレビュー（先頭 {n} 行）", "Preview as stored (first {n} rows)"),
    "upload.reasons": ("保留になる行の理由", "Why rows are kept aside"),
    "upload.reason_code": ("理由コード", "Reason code"),
    "upload.reason": ("理由", "Reason"),
    "upload.reason_rows": ("行数", "Rows"),
    "upload.excluded_detail": ("除外する行: {parts}", "Excluded rows: {parts}"),
    "upload.quarantine_download": ("保留の行を Excel でダウンロード", "Download the kept-aside rows (Excel)"),
    "upload.load_button": ("取り込む（{n} ファイル）", "Load ({n} files)"),
    "upload.nothing_to_load": ("取り込めるファイルがありません。", "No file can be loaded."),
    "upload.loading": ("取込中 {i}/{n}: {file}", "Loading {i}/{n}: {file}"),
    "upload.results": ("取込結果", "Load results"),
    "upload.result_loaded": (
        "{file}: バッチ {batch} として取り込みました"
        "（登録 {loaded}・保留 {quarantined}・重複 {duplicates}・除外 {excluded}）",
        "{file}: loaded as batch {batch} ({loaded} loaded, {quarantined} quarantined, {duplicates} duplicates, "
        "{excluded} excluded)",
    ),
    "upload.result_already": (
        "{file}: 同じ内容がバッチ {batch} で取込済みのため、取り込みませんでした。",
        "{file}: identical content already loaded as batch {batch}; skipped.",
    ),
    "upload.result_error": ("{file}: 取り込めませんでした。{message}", "{file}: not loaded. {message}"),
    "upload.result_busy": (
        "{file}: データベースが別の取込で使用中のため、取り込めませんでした。しばらくしてからもう一度押してください。",
        "{file}: the database is busy with another load; try again in a moment.",
    ),
    "upload.results_next": (
        "取り込んだバッチは「取込履歴」で確認・取り消しできます。続けて別のファイルを選ぶこともできます。",
        "The batches are listed under “Upload history”, where they can be rolled back. You can choose more files now.",
    ),
    "upload.clear_results": ("結果を閉じる", "Close the results"),
    "upload.too_large_size": (
        "ファイルの大きさ {actual:.1f} MB が上限 {limit:g} MB を超えています",
        "the file is {actual:.1f} MB, over the {limit:g} MB limit",
    ),
    "upload.too_large_rows": (
        "行数 {actual:,} 行が上限 {limit:,} 行を超えています",
        "{actual:,} rows, over the {limit:,}-row limit",
    ),
    "upload.too_large": (
        "「{file}」は取り込めません: {detail}。"
        "ファイルを分けるか、管理者に上限（環境変数 {env}）の変更を依頼してください。",
        "'{file}' cannot be loaded: {detail}. Split the file, or ask the administrator to raise the limit ({env}).",
    ),
    # history
    "history.title": ("取込履歴", "Upload history"),
    "history.caption": (
        "取り込んだファイル（バッチ）の一覧です。バッチごとに、保留になった行のダウンロードと取り消しができます。",
        "Every loaded file (batch). Download a batch's kept-aside rows, or roll it back.",
    ),
    "history.empty": (
        "まだ取り込んだファイルはありません。「データ取込」から取り込めます。",
        "Nothing has been loaded yet. Use “Upload data” to load files.",
    ),
    "history.search": ("ファイル名で検索", "Search by file name"),
    "history.kinds": ("種別", "Kinds"),
    "history.all": ("すべて", "All"),
    "history.statuses": ("状態", "Status"),
    "history.count": ("{shown} / {total} 件のバッチ", "{shown} of {total} batches"),
    "history.none_match": ("条件に合うバッチはありません。", "No batch matches the filter."),
    "history.select": ("バッチを選ぶ", "Choose a batch"),
    "history.batch_label": ("バッチ {batch}: {file}（{when}・{status}）", "Batch {batch}: {file} ({when}, {status})"),
    "history.sheets": ("シートごとの件数", "Rows per sheet"),
    "history.dropped": ("保存前に削除した個人情報の列: {columns}", "Personal-data columns dropped: {columns}"),
    "history.quarantine_download": (
        "保留の行を Excel でダウンロード（{n} 行）",
        "Download kept-aside rows (Excel, {n} rows)",
    ),
    "history.no_quarantine": ("このバッチに保留の行はありません。", "This batch has no kept-aside rows."),
    "history.rollback": ("このバッチを取り消す", "Roll back this batch"),
    "history.rollback_title": ("バッチ {batch}「{file}」を取り消します", "Roll back batch {batch} “{file}”"),
    "history.rollback_rows": ("{table}: {n} 行を削除", "{table}: {n} rows removed"),
    "history.rollback_quarantine": ("保留の記録: {n} 行を削除", "Quarantine records: {n} rows removed"),
    "history.rollback_years": ("変わる年度: {years}", "Fiscal years that change: {years}"),
    "history.rollback_prefectures": ("変わる都道府県: {prefectures}", "Prefectures that change: {prefectures}"),
    "history.rollback_indicators": ("値が変わる指標: {indicators}", "Indicators whose values change: {indicators}"),
    "history.rollback_targets": ("削除される目標の指標: {indicators}", "Targets removed for: {indicators}"),
    "history.rollback_nothing": (
        "このバッチが登録した行はありません（すべて重複・保留でした）。取り消すと履歴上「取消済」になります。",
        "This batch wrote no rows (all duplicates or kept aside); rolling back only marks it as rolled back.",
    ),
    "history.rollback_kept": (
        "{table}: {n} 行はバッチ {batches} にも含まれるため削除せず、そのバッチの行として残します",
        "{table}: {n} rows stay as rows of batch {batches}, which also holds them",
    ),
    "history.rollback_unrecorded": (
        "バッチ {batches} は重複行の記録を始める前に取り込まれたため、そのファイルにも含まれる行でも削除されます"
        "（必要ならそのバッチを取り消して取り込み直してください）。",
        "Batch {batches} was loaded before duplicate rows were recorded: rows its file also holds are removed too "
        "(roll it back and load it again if needed).",
    ),
    "history.rollback_note": (
        "後に取り込んだファイルにも含まれる行は削除せず、そのファイルのバッチの行として残します。",
        "Rows that a later loaded file also holds are not removed: they stay as rows of that file's batch.",
    ),
    "history.rollback_confirm": ("取り消す（元に戻せません）", "Roll back (cannot be undone)"),
    "history.rollback_cancel": ("やめる", "Cancel"),
    "history.rolled_back": ("バッチ {batch} を取り消しました（{rows}）。", "Batch {batch} was rolled back ({rows})."),
    "history.rolled_back_kept": (
        "他のバッチにも含まれるため残した行: {rows}",
        "rows kept, held by other batches: {rows}",
    ),
    "history.already_rolled_back": (
        "このバッチは {when} に取り消し済みです。",
        "This batch was rolled back on {when}.",
    ),
    "history.col_loaded_by": ("取込者", "Loaded by"),
    "history.col_rolled_back_at": ("取消日時", "Rolled back at"),
    "history.col_sheet": ("シート", "Sheet"),
    "history.col_kind": ("種別", "Kind"),
    "history.col_header_row": ("見出し行", "Header row"),
    "history.col_skip_reason": ("スキップの理由", "Why skipped"),
    # audit log page (pages/audit.py)
    "audit.title": ("監査ログ", "Audit log"),
    "audit.intro": (
        "サインイン・サインイン失敗・データ取込・取込の取消・ダウンロードの記録です（新しい順）。記録は追記のみで、"
        "各行が前の行のハッシュを持つため、書き換えや削除があれば下に表示します。",
        "Every sign-in, failed sign-in, upload, rollback and download, newest first. The log is append-only and "
        "hash-chained: a changed or removed entry is reported below.",
    ),
    "audit.action": ("種類", "Action"),
    "audit.username": ("ユーザー名", "Username"),
    "audit.since": ("開始日", "From"),
    "audit.until": ("終了日", "To"),
    "audit.chain_broken": (
        "監査ログの連鎖が event_id {event_id} で途切れています（製品の外での書き換え・削除の疑い）。",
        "The chain breaks at event {event_id}: an entry was changed or removed outside the product.",
    ),
    "audit.count": ("{n} 件", "{n} events"),
    "audit.empty": ("この条件の記録はありません。", "No events in this range."),
    "audit.download": ("CSV をダウンロード", "Download CSV"),
    "audit.col_event_id": ("番号", "No."),
    "audit.col_occurred_at": ("日時", "Time"),
    "audit.col_username": ("ユーザー名", "Username"),
    "audit.col_role": ("役割", "Role"),
    "audit.col_prefecture_code": ("都道府県コード", "Prefecture code"),
    "audit.col_action": ("種類コード", "Action code"),
    "audit.col_action_label": ("種類", "Action"),
    "audit.col_scope": ("範囲", "Scope"),
    "audit.col_details": ("詳細", "Details"),
    "audit.col_client": ("接続元", "Client"),
    # reports page (pages/reports.py)
    "reports.title": ("レポート", "Reports"),
    "reports.intro": (
        "会議資料として転送・印刷・貼り付けできる進捗レポートです。Excel（6シート、編集できるグラフ付き）または"
        "A4で2～4ページのPDF。少数のセルは秘匿処理するため、チーム外にも共有できます。",
        "A summary report to forward, print and paste from: Excel (6 sheets, native charts) or a 2–4 page PDF. "
        "Small counts are suppressed so the file is safe to share outside the team.",
    ),
    "reports.no_data": (
        "データが未登録です。先に「データ取込」でファイルを取り込んでください。",
        "No data loaded yet: load files on the upload page first.",
    ),
    "reports.scope": ("対象地域", "Scope"),
    "reports.period": ("対象期間", "Period"),
    "reports.format": ("形式", "Format"),
    "reports.threshold": ("秘匿する人数（この値未満）", "Suppress counts below"),
    "reports.computing": ("集計しています…", "Computing…"),
    "reports.build": ("作成", "Build the file"),
    "reports.building": ("作成しています…", "Building…"),
    "reports.download": ("ダウンロード: {name}", "Download {name}"),
    # municipal platforms (市町村プラットフォーム, issue 18)
    "platforms.title": ("市町村プラットフォーム", "Municipal platforms"),
    "platforms.caption": (
        "市町村ごとのプラットフォーム（支援のネットワーク）の設置状況、事務局、母体となる会議体、連携している機関と"
        "その欠け、そしてネットワークが動かそうとする成果を並べて示します。調査票の最新の版（選んだ年度末以前）を使います。",
        "Which municipalities run a platform (a support network), its secretariat, the meeting body it is built on, "
        "the partners it links and those it lacks, with the outcomes the network is meant to move. Uses the latest "
        "survey vintage on or before the end of the chosen fiscal year.",
    ),
    "platforms.empty": (
        "市町村プラットフォームの調査票がまだ取り込まれていません。「データ取込」から調査票（Excel）を取り込むか、"
        "`python -m analytics ingest 調査票.xlsx` を実行してください。",
        "No platform survey is loaded yet. Load the survey sheet (Excel) on the Upload page or run "
        "`python -m analytics ingest survey.xlsx`.",
    ),
    "platforms.as_of": (
        "基準日: {as_of}（市町村ごとに、{period}の年度末までに届いた最新の調査結果）",
        "Reference date {as_of} (each municipality's latest survey received by the end of {period})",
    ),
    "platforms.national_heading": ("全国：都道府県ごとの設置状況", "The nation: coverage by prefecture"),
    "platforms.prefecture_heading": ("{prefecture}の市町村", "Municipalities of {prefecture}"),
    "platforms.pick_prefecture": (
        "サイドバーで都道府県を選ぶと、その都道府県の市町村ごとの状況を表示します。",
        "Choose a prefecture in the sidebar to see its municipalities.",
    ),
    "platforms.no_survey_for_prefecture": (
        "{prefecture}の調査票はまだ取り込まれていません。",
        "No survey has been loaded for {prefecture} yet.",
    ),
    "platforms.metric.with_platform": ("設置済の市町村", "Municipalities with a platform"),
    "platforms.metric.share": ("設置率", "Share with a platform"),
    "platforms.source": (
        "出典: 市町村プラットフォーム調査票（{as_of}までの版）",
        "Source: municipal platform survey sheets (versions up to {as_of})",
    ),
    "platforms.metric.share_reported": (
        "設置率（調査票のある{k}都道府県）",
        "Share ({k} prefectures surveyed)",
    ),
    "platforms.metric.coverage": ("連携機関の平均充足率", "Mean partner coverage"),
    "platforms.metric.not_reported": ("未回答の市町村", "Municipalities not reported"),
    "platforms.metric.of": ("{n}市町村中", "of {n} municipalities"),
    "platforms.over_time_title": ("設置済の市町村数と設置率の推移 — {place}", "Municipalities with a platform over time — {place}"),
    "platforms.map_title": ("市町村プラットフォームの設置率 — {as_of}", "Share of municipalities with a platform — {as_of}"),
    "platforms.ranking_title": ("設置率の順位（連携機関の平均充足率つき）", "Ranking by share with a platform (with mean partner coverage)"),
    "platforms.view": ("表示", "View"),
    "platforms.view.map": ("地図", "Map"),
    "platforms.view.tiles": ("タイル", "Tile grid"),
    "platforms.unit_share": ("設置率（%）", "Share (%)"),
    "platforms.not_reported_note": (
        "未回答の市町村（どの調査票にもない市町村）は「設置なし」として数えています：{n}市町村。",
        "Municipalities in no survey sheet count as without a platform: {n} not reported.",
    ),
    "platforms.not_reported": ("未回答", "Not reported"),
    "platforms.table_heading": ("市町村の一覧", "Municipalities"),
    "platforms.grid_title": (
        "市町村×連携機関（■連携あり □なし） — 連携の少ない市町村・欠けの多い機関が先頭",
        "Municipality × partner type (■ connected, □ not) — fewest partners and most-missing types first",
    ),
    "platforms.grid_empty": ("設置済の市町村がないため、連携の表はありません。", "No municipality has a platform yet, so there is no partner grid."),
    "platforms.missing_title": ("欠けている連携機関（設置済の市町村のうち）", "Partner types most often missing (among municipalities with a platform)"),
    "platforms.missing_axis": ("連携していない市町村数", "Municipalities not connected"),
    "platforms.gaps_heading": ("手当てが必要な市町村", "Where the gaps are"),
    "platforms.gap_no_platform": ("プラットフォームが設置済でない市町村（{n}）：{names}。", "Municipalities without a platform ({n}): {names}."),
    "platforms.gap_no_platform_none": ("すべての市町村にプラットフォームがあります。", "Every municipality has a platform."),
    "platforms.gap_no_secretariat": ("事務局（担当課）の記載がない市町村（{n}）：{names}。", "Platforms with no named secretariat ({n}): {names}."),
    "platforms.gap_no_secretariat_none": ("設置済の市町村はすべて事務局を記載しています。", "Every platform names its secretariat."),
    "platforms.gap_top_missing": ("最も多く欠けている連携機関：{partners}。", "Partner types most often missing: {partners}."),
    "platforms.outcomes_heading": ("成果との並び（{period}）", "Outcomes beside the structure ({period})"),
    "platforms.outcomes_caption": (
        "相談記録・就職等実績から、市町村ごとのアウトリーチ相談件数・新規相談者数・社会参加移行者数・機関間の紹介件数を示します。",
        "From the records, per municipality: outreach consultations, new persons, transitions into social "
        "participation and referrals between agencies.",
    ),
    "platforms.comparison_title": (
        "設置済／未設置の市町村の比較（1市町村あたり平均）",
        "Municipalities with and without a platform (mean per municipality)",
    ),
    "platforms.association_note": (
        "この比較は関連を示すだけで、効果を示すものではありません。人口や設置前からの取組の違いも差に含まれます。",
        "This comparison shows association, not effect: differences in population and in earlier efforts are "
        "part of the gap.",
    ),
    "platforms.group_hidden": (
        "{groups}は{n}市町村未満のため比較していません。",
        "{groups}: fewer than {n} municipalities, not compared.",
    ),
    "platforms.group.with": ("設置済", "With a platform"),
    "platforms.group.without": ("設置済でない（未回答を含む）", "Without a platform (incl. not reported)"),
    "platforms.referrals": ("機関間の紹介件数", "Referrals between agencies"),
    "platforms.col.municipality": ("市町村", "Municipality"),
    "platforms.col.code": ("コード", "Code"),
    "platforms.col.status": ("設置状況", "Status"),
    "platforms.col.set_up_on": ("設置年月日", "Set up on"),
    "platforms.col.secretariat": ("事務局（担当課）", "Secretariat"),
    "platforms.col.base_body": ("母体となる会議体", "Base body"),
    "platforms.col.area": ("単独・広域", "Area"),
    "platforms.col.partners": ("連携機関", "Partners"),
    "platforms.col.meetings": ("会議開催回数", "Meetings"),
    "platforms.col.prefecture": ("都道府県", "Prefecture"),
    "platforms.col.municipalities": ("市町村数", "Municipalities"),
    "platforms.col.with_platform": ("設置済", "With a platform"),
    "platforms.col.share": ("設置率", "Share"),
    "platforms.col.coverage": ("連携機関の平均充足率", "Mean partner coverage"),
    "platforms.col.not_reported": ("未回答", "Not reported"),
    "platforms.col.group": ("区分", "Group"),
    "platforms.col.partner": ("連携機関", "Partner type"),
    "platforms.col.missing": ("連携していない市町村", "Not connected"),
    "platforms.col.connected": ("連携している市町村", "Connected"),
    "platforms.col.as_of": ("調査時点", "As of"),
    "platforms.scope_note": (
        "市町村別の表は担当の都道府県のみ表示できます。全国の都道府県別の設置状況は上に示しています。",
        "Municipal tables are shown for your own prefecture only; coverage by prefecture is shown above.",
    ),
    "platforms.report_heading": ("市町村プラットフォーム", "Municipal platforms"),
    # reported figures beside the records (issue 16, part B)
    "rep.badge": ("報告値", "Reported"),
    "rep.source_records": ("出所: 記録（相談・就職等の取込データ）", "Source: records (loaded consultations and placements)"),
    "rep.source_reported": ("出所: 報告値（{who}）・{vintage}時点", "Source: reported figure ({who}), as of {vintage}"),
    "rep.unknown_reporter": ("報告元不明", "reporter unknown"),
    "rep.source_reported_novintage": ("出所: 報告値（{who}）・時点不明", "Source: reported figure ({who}), date unknown"),
    "rep.projection_average": ("見込み（これまでの平均ペース）", "Projection (average pace so far)"),
    "rep.through": ("{date}までの実績", "actual to {date}"),
    "rep.no_data": ("報告値がまだありません", "Nothing reported yet"),
    "rep.col_source": ("出所", "Source"),
    "rep.col_vintage": ("時点", "As of"),
    "rep.col_through": ("実績の期間末", "Actual to"),
    "rep.col_project": ("事業", "Project"),
    "rep.col_period": ("目標の期間", "Target period"),
    "rep.col_reported_by": ("報告元", "Reported by"),
    "rep.kpi_heading": ("事業別 KPI", "Project KPIs"),
    "rep.groups_heading": ("記録のない対象者区分の報告値", "Reported figures for target groups without records"),
    "rep.summary_heading": ("{place}の目標と実績の出所", "{place}: targets and where their actuals come from"),
    "rep.kpi_caption": (
        "事業実施計画などの事業ごとの目標（KPI）と、報告された実績値（集計値）。実績は目標の期間の初めから、報告された最後の期間の末まで。",
        "Each project's target (KPI) from the business plan and the reported result, from the start of the target's"
        " period to the end of the last period reported.",
    ),
    "rep.steps_note": (
        "年度ごとの報告値は年度末の階段で示します（月の値は作っていません）。",
        "Yearly reported figures are drawn as steps at each year's end (no months are invented).",
    ),
    "rep.linkage_note": (
        "コホート率・定着率・就職までの日数は個人の記録をつなぐ必要があるため、記録からのみ計算します。",
        "Cohort rates, retention and days to placement need person-level linkage: computed from records only.",
    ),
    "rep.fill_note": (
        "記録のない地域・対象者区分の件数・人数は報告値（集計値）で示し、「報告値」と明記しています。",
        "Counts for places and groups without records come from reported figures and are marked 'Reported'.",
    ),
    "quality.reconcile_heading": ("記録と報告値の突合（都道府県×月）", "Records against reported figures (prefecture × month)"),
    "quality.reconcile_caption": (
        "同じ指標・都道府県・月について、取込んだ記録から数えた値と報告された集計値を並べ、差（報告値−記録）を示します。進捗とレポートは報告値を使います（報告値があるとき）。",
        "For the same measure, prefecture and month: the count from the loaded records beside the reported figure, "
        "and the difference (reported − records). Progress and reports use the reported figure where one exists.",
    ),
    "quality.reconcile_none": (
        "記録と報告値の両方がある都道府県・月はありません。", "No prefecture and month has both records and reported figures.",
    ),
    "quality.checks_heading": ("報告された表の点検（合計の不一致・率の不一致）", "Checks of reported tables (totals and rates that disagree)"),
    "quality.checks_none": ("合計や率の不一致はありません。", "No totals or rates disagree."),
    "quality.col.measure": ("指標", "Measure"),
    "quality.col.month": ("月・年度", "Month / fiscal year"),
    "quality.col.status": ("報告値の状態", "Reported value"),
    "quality.col.records": ("記録", "Records"),
    "quality.col.reported": ("報告値", "Reported"),
    "quality.col.difference": ("差（報告値−記録）", "Difference (reported − records)"),
    "quality.col.check": ("点検", "Check"),
    "quality.col.stated": ("表の値", "Stated"),
    "quality.col.computed": ("計算した値", "Computed"),
    "quality.col.message": ("内容", "Message"),
    "quality.col.file": ("ファイル", "File"),
    "quality.check.total_mismatch": ("合計の不一致", "Total does not add up"),
    "quality.check.rate_mismatch": ("率の不一致", "Rate disagrees"),
}


def lang_or_default(value: object) -> Lang:
    """A supported language code from a query parameter or session value; anything else -> Japanese."""
    return value if value in LANGS else DEFAULT_LANG  # type: ignore[return-value]


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string for ``key`` in ``lang``, with ``{placeholders}`` filled.

    >>> t("overview.rows", "ja", n="1,234")
    '1,234 行'
    """
    ja, en = TEXT[key]
    text = en if lang == "en" else ja
    return text.format(**values) if values else text


def fiscal_year_label(fiscal_year: int | None, lang: str = DEFAULT_LANG) -> str:
    """A fiscal year (April–March, named by its starting year) as people write it.

    Japanese: 令和5年度 (FY2023); 令和元年度 for FY2019; 平成 before that. English: FY2023.

    >>> fiscal_year_label(2023)
    '令和5年度 (FY2023)'
    >>> fiscal_year_label(2019, "en")
    'FY2019'
    """
    if fiscal_year is None:
        return t("unknown", lang)
    fy = int(fiscal_year)
    if lang == "en":
        return f"FY{fy}"
    if fy >= 2019:
        era, n = "令和", fy - 2018
    elif fy >= 1989:
        era, n = "平成", fy - 1988
    else:
        era, n = "昭和", fy - 1925
    return f"{era}{'元' if n == 1 else n}年度 (FY{fy})"


@lru_cache(maxsize=1)
def _prefecture_names() -> dict[str, tuple[str, str]]:
    """JIS code -> (日本語名, English name), read from the bundled boundaries (JIS order)."""
    with (_REFERENCE_DIR / "japan_prefectures.geojson").open(encoding="utf-8") as f:
        features = json.load(f)["features"]
    names = {
        str(ft["properties"]["code"]).zfill(2): (ft["properties"]["name_ja"], ft["properties"]["name_en"])
        for ft in features
    }
    return dict(sorted(names.items()))


def prefecture_codes() -> tuple[str, ...]:
    """The 47 prefecture codes in JIS order (01 北海道 → 47 沖縄県)."""
    return tuple(_prefecture_names())


def prefecture_label(code: str | None, lang: str = DEFAULT_LANG) -> str:
    """A prefecture's name from its 2-digit code; ``None`` means national (全国)."""
    if code is None or code == "" or code == "00":
        return t("national", lang)
    ja, en = _prefecture_names().get(str(code).zfill(2), (str(code), str(code)))
    return en if lang == "en" else ja


def format_count(n: int | float | None, lang: str = DEFAULT_LANG) -> str:
    """A count with thousands separators (both languages use the comma)."""
    if n is None:
        return "–"
    return f"{int(n):,}"


def format_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    """A date as 2025年3月31日 (Japanese) or 2025-03-31 (English); a datetime keeps hours and minutes."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        if lang == "en":
            return value.strftime("%Y-%m-%d %H:%M")
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if lang == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"
