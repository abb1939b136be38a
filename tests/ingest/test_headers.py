"""Header detection and mapping: title rows, two-row merged headers, aliases, personal data, kinds."""

from __future__ import annotations

from analytics.ingest import headers as hdr


def test_finds_the_header_below_title_rows():
    head = [
        ["令和3年度 相談実績（青森県）"],
        ["作成日：令和4年4月10日"],
        [],
        ["相談者ID", "相談年月日", "市町村名", "支援対象区分"],
        ["01-1", "R3.4.5", "青森市", "長期無業"],
    ]
    assert hdr.detect_header(head, 4) == (3, 1, ["相談者ID", "相談年月日", "市町村名", "支援対象区分"])


def test_combines_a_two_row_header_with_merged_cells():
    head = [
        ["相談者", None, "相談", None, "市町村コード"],
        ["ID", "区分", "年月日", "方法", None],
        ["01-1", "長期無業", "2021-04-05", "来所", "02201"],
    ]
    merged = [((0, 0), (0, 1)), ((0, 2), (0, 3)), ((0, 4), (1, 4))]
    last, rows, labels = hdr.detect_header(head, 5, merged)
    assert (last, rows) == (1, 2)
    columns = [m.column for m in hdr.map_columns(labels)]
    assert columns == ["person_id", "target_group", "consultation_date", "channel", "municipality_code"]


def test_a_plain_header_is_not_glued_to_its_first_data_row():
    head = [["個人ID", "相談日", "対象者区分", "都道府県"], ["1", "2021-04-05", "長期無業", "青森"]]
    assert hdr.detect_header(head, 4)[:2] == (0, 1)


def test_no_header_in_a_memo_or_pivot():
    assert hdr.detect_header([["メモ"], ["よろしく"]], 1) is None
    assert hdr.detect_header([["市町村", "不安定就労", "長期無業", "合計"], ["青森市", "3", "4", "7"]], 4) is None


def test_personal_headers_are_flagged_and_never_mapped():
    matches = hdr.map_columns(["氏名", "相談者氏名（カナ）", "住所", "自宅電話番号", "メールアドレス", "個人ID"])
    assert [m.personal for m in matches] == [True, True, True, True, True, False]
    assert all(m.column is None for m in matches[:5])


def test_explicit_mapping_wins_and_empty_string_ignores():
    matches = hdr.map_columns(["受付", "備考"], {"受付": "consultation_date", "備考": ""})
    assert [(m.column, m.source) for m in matches] == [("consultation_date", "explicit"), (None, "explicit")]


def test_a_code_column_beats_a_name_column_for_the_same_field():
    matches = hdr.map_columns(["市町村名", "団体コード"])
    assert [m.column for m in matches] == [None, "municipality_code"]
    assert matches[0].source == "duplicate"


def test_decorated_headers_match_but_short_words_inside_long_headers_do_not():
    assert hdr.match_header("相談年月日（西暦）")[0] == "consultation_date"
    assert hdr.match_header("利用者ID番号")[0] == "person_id"
    assert hdr.match_header("就職先事業所名")[0] is None


def test_mapping_offers_alternatives_for_the_preview():
    match = hdr.map_columns(["受付年月"])[0]
    assert match.column is None and match.alternatives[0] == "consultation_date"


def test_an_exact_header_gets_no_alternatives_and_suggestions_are_at_least_half_alike():
    exact, loose = hdr.map_columns(["定着状況", "受付年月"])
    assert exact.column == "retained_6m" and exact.alternatives == ()  # was: 版 (vintage), from 改定
    assert "age" not in loose.alternatives  # 年齢 shares one character with 受付年月


def test_kind_detection():
    assert hdr.detect_kind({"person_id", "consultation_date", "target_group", "prefecture_code"})[0] == "consultations"
    assert hdr.detect_kind({"person_id", "placement_date", "outcome_type"})[0] == "placements"
    assert hdr.detect_kind({"indicator", "value", "fiscal_year"})[0] == "targets"
    assert hdr.detect_kind({"municipality_code", "target_group"})[0] is None
