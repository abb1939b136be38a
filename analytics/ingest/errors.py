"""The two kinds of problems: a file that cannot be read at all (``IngestError``), and row issues.

Row issues are collected, never raised: each has a stable ``reason_code`` from ``REASONS`` and a
message in Japanese and English, so the analyst sees every problem of a file in one table.
"""

from __future__ import annotations

from dataclasses import dataclass

# The columns of one row issue as the quarantine table keeps it (without the batch, which the loader adds):
# records (pipeline) and reported figures (reported.py) build their issue frames with these.
ISSUE_COLUMNS: tuple[str, ...] = (
    "kind", "file_name", "sheet", "row_number", "column_name", "value", "reason_code", "message_ja", "message_en",
    "raw_row",
)

# reason_code → (Japanese message, English message). Codes are stable: users filter on them.
REASONS: dict[str, tuple[str, str]] = {
    "missing_required": ("必須項目「{column}」が空です。", "Required column '{column}' is empty."),
    "missing_region": ("市区町村と都道府県のどちらも入っていません。", "Neither municipality nor prefecture is given."),
    "invalid_date": (
        "「{value}」は日付として読めません（例: 2021-04-05、令和3年4月5日）。",
        "'{value}' is not a date (e.g. 2021-04-05, 令和3年4月5日).",
    ),
    "date_out_of_range": (
        "日付「{value}」が範囲外です（1990年1月1日から今日まで）。",
        "Date '{value}' is out of range (1990-01-01 to today).",
    ),
    "invalid_fiscal_year": (
        "「{value}」は年度として読めません（例: 2023、令和5年度）。",
        "'{value}' is not a fiscal year (e.g. 2023, 令和5年度).",
    ),
    "unknown_code": (
        "「{column}」の値「{value}」は区分として登録されていません。docs/data_contract.md の表記を使ってください。",
        "'{value}' is not a known value of '{column}'; see docs/data_contract.md.",
    ),
    "unknown_indicator": (
        "指標「{value}」は登録されていません（例: 正社員就職者数）。",
        "Indicator '{value}' is not known (e.g. regular_placed_persons).",
    ),
    "unknown_prefecture": ("都道府県「{value}」が見つかりません。", "Prefecture '{value}' is not known."),
    "unknown_municipality": (
        "市区町村「{value}」が全国地方公共団体コードにありません。",
        "Municipality '{value}' is not in the local-government code list.",
    ),
    "invalid_check_digit": (
        "市区町村コード「{value}」の検査数字（6桁目）が合いません。",
        "The check digit of municipality code '{value}' is wrong.",
    ),
    "ambiguous_municipality": (
        "市区町村名「{value}」は複数の都道府県にあります。都道府県の列も入れてください。",
        "Municipality name '{value}' exists in several prefectures; add the prefecture.",
    ),
    "prefecture_mismatch": (
        "都道府県「{value}」と市区町村コードの都道府県が一致しません。",
        "Prefecture '{value}' does not match the municipality's prefecture.",
    ),
    "invalid_number": ("「{value}」は数値として読めません。", "'{value}' is not a number."),
    "out_of_range": ("「{column}」の値「{value}」が範囲外です。", "'{value}' is out of range for '{column}'."),
    "missing_period": ("目標の年度とステージのどちらも入っていません。", "A target needs a fiscal year or a stage."),
}


# Reasons only a reported-figures cell (集計値, issue 16) can have; the codes shared with records (invalid_number,
# out_of_range, unknown_prefecture, unknown_code, unknown_municipality) are those above.
FIGURE_REASONS: dict[str, tuple[str, str]] = {
    "unknown_row_label": (
        "行の見出し「{value}」が都道府県・対象者区分・指標として読めません。",
        "Row label '{value}' is not a prefecture, target group or measure.",
    ),
    "invalid_period": ("期間「{value}」が読めません。", "Period '{value}' cannot be read."),
    "missing_figure_period": (
        "期間（年度・年月）が表にも表題・ファイル名にもありません。年度を --map fiscal_year=… で指定してください。",
        "No period (fiscal year or month) in the table, its title or the file name; give --map fiscal_year=….",
    ),
    "missing_measure": (
        "指標が表にも表題・ファイル名にもありません。--map measure=… で指定してください。",
        "No measure in the table, its title or the file name; give --map measure=….",
    ),
    "missing_unit": (
        "単位（件・人）が分かりません。--map unit=… で指定してください。",
        "The unit (件 or 人) is not known; give --map unit=….",
    ),
}
ALL_REASONS: dict[str, tuple[str, str]] = {**REASONS, **FIGURE_REASONS}


def reason_message(reason_code: str, lang: str = "ja", **fields: object) -> str:
    ja, en = ALL_REASONS[reason_code]
    return (ja if lang == "ja" else en).format(**{k: ("" if v is None else v) for k, v in fields.items()})


# Fatal file errors: code → (Japanese, English). The Japanese text says how to fix it.
FILE_ERRORS: dict[str, tuple[str, str]] = {
    "unreadable": (
        "ファイル「{file}」を読めません: {detail}。CSV（UTF-8 または Shift_JIS）か Excel（.xlsx/.xls）で保存し直してください。",
        "Cannot read '{file}': {detail}. Save it as CSV (UTF-8 or Shift_JIS) or Excel (.xlsx/.xls).",
    ),
    "unsupported_type": (
        "「{file}」は対応していない形式です。CSV・TSV・Excel（.xlsx/.xls）を使ってください。",
        "'{file}' is not a supported format; use CSV, TSV or Excel (.xlsx/.xls).",
    ),
    "encoding": (
        "「{file}」の文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存し直してください。",
        "Cannot decode '{file}'; save it as UTF-8 or Shift_JIS (CP932).",
    ),
    "empty": ("「{file}」にデータがありません。", "'{file}' contains no data."),
    "no_header": (
        "「{file}」に見出し行が見つかりません（シート: {sheets}）。1行目付近に「個人ID」「相談日」などの見出しを入れるか、"
        "--map '見出し=列名' で対応を指定してください。",
        "No header row found in '{file}' (sheets: {sheets}). Add headers such as 個人ID / 相談日 or map them "
        "with --map 'header=column'.",
    ),
    "missing_columns": (
        "「{file}」（{sheet}）に必須の列がありません: {columns}。見出しを直すか --map '見出し=列名' で指定してください。",
        "'{file}' ({sheet}) lacks required columns: {columns}. Rename them or use --map 'header=column'.",
    ),
    "bad_mapping": (
        "--map の指定「{detail}」が正しくありません。列名は docs/data_contract.md を見てください。",
        "Invalid --map '{detail}'; see docs/data_contract.md for column names.",
    ),
    "password": (
        "「{file}」はパスワードで保護されています。保護を外して保存し直してください。",
        "'{file}' is password-protected; remove the protection and save it again.",
    ),
    "too_large": (
        "「{file}」が上限を超えています（{detail}）。ファイルを分けて取り込んでください。",
        "'{file}' exceeds a limit ({detail}); split the file.",
    ),
}


class IngestError(Exception):
    """A file that cannot be loaded at all. The database is left unchanged."""

    def __init__(self, code: str, **fields: object) -> None:
        self.code = code
        self.fields = {k: ("" if v is None else v) for k, v in fields.items()}
        # For an unusable file: the per-sheet preparation (headers found, mapping), so the upload page
        # can offer a corrected mapping instead of only the message. None for unreadable files.
        self.report: object | None = None
        super().__init__(self.message("ja"))

    def message(self, lang: str = "ja") -> str:
        ja, en = FILE_ERRORS[self.code]
        return (ja if lang == "ja" else en).format_map(_Default(self.fields))


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Issue:
    """One problem in one cell (or row) of a file that keeps the row from loading."""

    file_name: str
    sheet: str | None
    row_number: int
    column_name: str | None
    value: str | None
    reason_code: str
    message_ja: str
    message_en: str
