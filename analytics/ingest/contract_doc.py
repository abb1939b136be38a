"""Renders ``docs/data_contract.md`` (for the people who send files) from ``analytics/contract.py``.

The document is generated so it can never disagree with what the ingest accepts; a test checks that
the committed file is current. Regenerate with ``python -m analytics.ingest.contract_doc``.
"""

from __future__ import annotations

from pathlib import Path

from analytics import config, contract
from analytics.ingest.errors import ALL_REASONS as REASONS, FILE_ERRORS

DOC_PATH = config.DOCS_DIR / "data_contract.md"

_TYPE_JA = {
    "person_id": "ID（文字列）",
    "date": "日付",
    "municipality": "市区町村コード／名称",
    "prefecture": "都道府県",
    "code": "区分",
    "text": "文字列",
    "int": "整数",
    "bool": "定着／離職／不明",
    "float": "数値",
    "fiscal_year": "年度",
}


def _example_csv(table: contract.Table) -> str:
    header = ",".join(c.ja for c in table.columns)
    row = ",".join(c.example for c in table.columns)
    return f"```csv\n{header}\n{row}\n```"


def _platform_notes() -> list[str]:
    """What the survey sheet needs besides its columns: vintages, the 2-row partner header, partner codes."""
    return [
        "調査票は1行1市町村です。表題行（「令和5年4月1日現在」）、「連携している機関」を結合した2段の見出し、"
        "○を数えた合計行、※の注記はそのままで構いません。担当者名・電話番号の列は保存前に削除します。",
        "調査時点（版）は「調査時点」の列、なければ表題行の「…現在／…時点」、シート名、ファイル名の順に読みます。"
        "同じ市町村の新しい版が古い版に代わり（`python -m analytics platforms --as-of` はその日以前の最新版）、"
        "古い版も残ります。",
        "",
        "The survey is one row per municipality; a later vintage (as-of date) supersedes an earlier one per "
        "municipality and both are kept. Partner types (CLI `platforms --by municipality` prints one 0/1 column "
        "`partner_<code>` per type; blank counts as not connected):",
        "",
        "| コード / code | 連携先 | Partner |",
        "|---|---|---|",
        *(f"| `{p.code}` | {p.ja} | {p.en} |" for p in contract.PARTNER_TYPES),
        "",
    ]


def _reported_figures() -> list[str]:
    """The reported-figures section (集計値, issue 16): shapes, context, statuses, checks, targets, accounting."""
    from analytics.ingest import reported

    table = contract.REPORTED_FIGURES
    out = [
        f"## {table.ja}（`{table.name}`） / {table.en}",
        "",
        "労働局の月次表、サポステの進路決定者数、自立相談支援機関の新規相談件数、事業実施計画の KPI シート、協議会資料の"
        "「実績／目標／進捗率」など、**集計した数値の表** をそのまま取り込みます。記録（1行1件）ではないシートは、"
        "次のどの形でも自動で判別し、数値のセル1つを1件の集計値として保存します（ファイルに記録のシートがある場合、"
        "同じファイルの「集計」シートは記録の二重計上になるため取り込みません）。",
        "",
        "Aggregate tables are read cell by cell: one stored figure per number. Shapes recognised:",
        "",
        "- **縦持ち / long**: 1行1数値。見出し: "
        + "；".join(f"{field} = {'・'.join(words[:4])}" for field, words in contract.REPORTED_FIGURE_HEADERS.items())
        + "。",
        "- **月別の横持ち / wide by month**: 都道府県（47行＋合計）× 4月…3月（＋累計・計）。年度・指標・単位は表題行"
        "（「令和3年度 就職氷河期世代 正社員就職件数（件）」）または「※ 単位：件」の注記から。",
        "- **年度別の横持ち / wide by year**: 指標または都道府県が行、令和2年度・令和3年度…（＋3か年計）が列。"
        "年度の下に 目標｜実績｜進捗率 が並ぶ2段見出し（結合セル）も読みます。",
        "- **事業別 KPI / KPI blocks**: 事業名と単位の見出し（「地域若者サポートステーション 就職氷河期世代向け事業（人）」）の下に"
        "「KPI｜実績値」または「目標｜実績」の表。1シートに複数のブロックを置けます。",
        "- **累計 / cumulative**: 累計の列や「令和2年4月〜令和4年1月」のような年度にそろわない期間。後の資料が同じ期間を"
        "修正した場合は、後の時点（版）を優先して表示し、前の版も残します。",
        "",
        "**表の外に書かれた内容 / context around the table** — 都道府県、指標と単位、年度、期間、目標の期間、時点（版）、"
        "出典は、表題行・ブロックの見出し・注記（※）・シート名・ファイル名（`長崎県_KPI_R2.xlsx`）から読み取り、"
        "取込前の確認画面とコマンドラインの結果に「何を・どこから」読んだかを表示します。違っていれば直せます: "
        "コマンドラインでは `--map measure=正社員就職件数 --map prefecture=福島県 --map fiscal_year=2021 "
        "--map unit=人 --map vintage=2022-03-31 --map source=労働局 --map period=令和2年4月〜令和4年1月 "
        "--map target_period=令和2〜4年度`、画面では入力欄で。見出しの対応は `--map 件数=value` のように指定します。",
        "",
        "**値 / values**: 空欄は `blank`、「-」「―」は `none`（該当なし）、「x」は `suppressed`（秘匿）、「…」は "
        "`not_available`（未集計）として、0 とは区別して保存します（`value` は空）。`1,234`・全角数字・「人」「件」付きも読みます。"
        "万人・千人・千件は換算して 人・件 で保存します。件（延べ）と人（実人数）は別の指標で、足し合わせません。"
        "「※1」などの印の付いた数値には、その注記を `note` として残します。",
        "",
        "**指標 / measures**: 登録済みの指標（docs/indicators.md の指標の登録）に読み替えます（正社員就職件数 → "
        "`regular_placements` など）。登録にない指標は、書かれた名前と単位のまま取り込みます（登録済みの指標とは混ぜません）。"
        "単位が登録と違う場合（正社員就職件数（人））も、書かれた名前のままにします。",
        "",
        "**合計と率の照合 / totals and rates**: 合計行・累計列・3か年計が内訳の和と違うとき、率（進捗率・達成率）が "
        "実績÷目標 と 0.1 ポイントを超えて違うときは、両方の数値を添えた警告（`reported_checks`: `total_mismatch` / "
        "`rate_mismatch`）にします。表の数値は直しません。内訳が同じ表にある合計は照合だけして保存しません（二重計上しない）。"
        "内訳のない全国の行・累計の列は、それ自体を集計値として保存します。",
        "",
        "**目標 / targets**: 目標・KPI の列は目標（`targets`）として、期間（年度なら annual、「目標は令和2〜4年度の3年間」や"
        "3か年計なら period）、事業、単位、出典、時点とともに保存します。実績は集計値として保存します。",
        "",
        "**数え方 / accounting**: 集計値のシートでは、件数は行ではなく数値のセルで数えます。"
        "読み込んだセル = 取込（うち警告付き）+ 保留 + 重複 + 除外（内訳のある合計・公表の率・空欄の目標）。"
        "バッチの表（`batches` / `batch_sheets`）の rows_* 列も同じ数え方で、`rows_warned` が警告付きの件数です。"
        "取消（rollback）すると、そのバッチの集計値・照合・目標を削除します（他のバッチも届けた数値はそちらに引き継ぎます）。",
        "",
        f"保存する列 / Stored columns (`{table.name}`, one row per figure cell):",
        "",
        "| 列 | 日本語名 | 型 | 説明 |",
        "|---|---|---|---|",
    ]
    for c in table.columns:
        out.append(f"| `{c.name}` | {c.ja} | {_TYPE_JA[c.type]} | {c.description_ja} |")
    key = "、".join(table.column(k).ja for k in table.duplicate_key)
    out += ["", f"重複の判定: {key} が同じ数値（同じ時点の同じ値）。", ""]
    out += ["文脈の指定（`--map` のキー） / override keys: " + "、".join(f"`{k}`" for k in dict.fromkeys(
        k for k in reported.OVERRIDE_KEYS if k.isascii())) + "。", ""]  # fmt: skip
    return out


def render() -> str:
    out: list[str] = [
        "# データ仕様（取込ファイルの書き方） / Data contract",
        "",
        "<!-- Generated from analytics/contract.py by `python -m analytics.ingest.contract_doc`. "
        "Do not edit by hand. -->",
        "",
        "相談記録・就職等実績・目標のファイル（CSV／Excel）を取り込むときの列と値の約束です。"
        "見出しの表記ゆれ、和暦、全角数字、表題行・合計行・注記行はそのまま送っていただいて構いません。",
        "",
        "This is the contract for the files agencies send. Header spellings, 和暦 dates, full-width digits, "
        "title/total/note rows are all accepted as they come.",
        "",
        "## ファイル形式 / File formats",
        "",
        "- CSV（カンマまたはタブ区切り）: UTF-8、UTF-8（BOM付き）、Shift_JIS（CP932）。コードやIDは文字列のまま読みます（先頭の0は失われません）。",
        "- Excel: .xlsx / .xls。複数シート可。記録ではないシート（「集計」など）はスキップして報告します。",
        "- 見出しの上の表題行（「令和3年度 就職実績一覧（青森県）」「作成日：…」）、空行、2段の見出し（結合セル）、"
        "合計行（合計・計・総計・小計）、注記行（※…、注）…）は自動で判別して除外します。",
        "- 日付: `2021-04-05`、`2021/4/5`、`2021年4月5日`、`令和3年4月5日`、`令和元年5月1日`、`R3.4.5`、`H31/4/30`、全角数字、"
        "Excel の日付セル、Excel のシリアル値（`44291`）。",
        "- 年度は4月〜翌3月で、開始年で呼びます（2021年度 = 令和3年度 = FY2021）。",
        "",
        "## 個人情報 / Personal data",
        "",
        "次の見出しの列は **保存前に削除** し、取込結果に「削除した列」として表示します（保留データにも残りません）。"
        "個人IDは全角・半角やハイフンの違いをそろえた後、鍵付きハッシュ（HMAC-SHA256）で仮名化して保存します。鍵はデータベースの外"
        "（データディレクトリの `pseudonym.key`）にあり、元のIDはどこにも保存されません。",
        "",
        "Columns with these headers are dropped before anything is written; person IDs are normalised then "
        "pseudonymised with a keyed hash whose key is kept outside the database.",
        "",
        "- " + "、".join(contract.PERSONAL_DATA_HEADERS),
        "- 見出しに次の語を含む列も同様: " + "、".join(contract.PERSONAL_DATA_HEADER_PARTS),
        "- 生年月日は年だけを `birth_year` として残し、月日は保存しません。",
        "",
    ]
    for table in contract.TABLES.values():
        out += [f"## {table.ja}（`{table.name}`） / {table.en}", ""]
        required = [c.ja for c in table.columns if c.required]
        out.append(f"必須: {'、'.join(required)}。")
        for group in table.one_of:
            out.append("少なくとも1つ必要: " + "、".join(table.column(c).ja for c in group) + "。")
        key = "、".join(table.column(k).ja if k in table.column_names else k for k in table.duplicate_key)
        out += [f"重複の判定（すでに取込済みの行は重複として数え、再度は保存しません）: {key} が同じ行。", ""]
        out += ["| 列 | 日本語名 | 型 | 必須 | 説明 | 受け付ける見出し |", "|---|---|---|---|---|---|"]
        for c in table.columns:
            aliases = "、".join(dict.fromkeys(a for a in c.aliases if a not in (c.name,)))
            out.append(
                f"| `{c.name}` | {c.ja} | {'○／×' if c.codes == 'connected' else _TYPE_JA[c.type]} | "
                f"{'○' if c.required else ''} | "
                f"{c.description_ja} | {aliases} |"
            )
        out += ["", "例 / Example:", "", _example_csv(table), ""]
        if table.name == "platforms":
            out += _platform_notes()
    out += _reported_figures()
    out += [
        "## 区分の値 / Coded values",
        "",
        "値は日本語・英語のどちらでも、次の表記のいずれでも受け付けます。保存は英数字のコードです。",
        "",
    ]
    for list_name, codes in contract.CODE_LISTS.items():
        out += [f"### {list_name}", "", "| コード | 日本語 | English | 受け付ける表記 |", "|---|---|---|---|"]
        for code in codes:
            out.append(f"| `{code.code}` | {code.ja} | {code.en} | {'、'.join(code.aliases)} |")
        if list_name in contract.LENIENT_CODE_LISTS:
            out.append(
                f"\n登録されていない表記は `{contract.LENIENT_CODE_LISTS[list_name]}` として取り込みます"
                "（名称は機関名の列に残ります）。"
            )
        out.append("")
    out += ["### 目標の指標 / Target indicators", "", "| コード | 日本語 | 受け付ける表記 |", "|---|---|---|"]
    for code in contract.TARGET_INDICATORS:
        out.append(f"| `{code.code}` | {code.ja} | {'、'.join(code.aliases)} |")
    out += ["", "都道府県の列に「全国」と書いた目標は全国の目標です。", ""]
    out += [
        "## 市区町村コード / Municipality codes",
        "",
        "- 全国地方公共団体コード5桁（`02201`）、検査数字付き6桁（`022012`）、Excelで先頭の0が落ちた数値（`22012`、`2201`）、"
        "または名称（`青森市`、`青森県青森市`）。同名の市区町村（府中市、伊達市など）は都道府県の列で判別します。",
        "- 6桁コードの検査数字: 上5桁に重み 6,5,4,3,2 を掛けた和を11で割った余りを11から引き、その1の位（余り0→1、1→0）。",
        "- 政令指定都市の区（札幌市中央区など）は市にまとめて集計します。",
        "- 出典：総務省『全国地方公共団体コード』（analytics/reference/municipalities.csv に同梱）。",
        "",
    ]
    out += [
        "## 保留（隔離）の理由 / Quarantine reasons",
        "",
        "問題のある行は取り込まずに保留し、ファイル名・シート・行番号（Excelで見える行番号／CSVの行）・列・値・理由を記録します。"
        "直した行だけを再送しても重複にはなりません。",
        "",
        "| reason_code | メッセージ | Message |",
        "|---|---|---|",
    ]
    for code, (ja, en) in REASONS.items():
        out.append(f"| `{code}` | {ja} | {en} |")
    out += [
        "",
        "## 取り込めないファイル / Files that cannot be loaded",
        "",
        "ファイル全体を読めないときは取込を中止し、データベースは変更しません。",
        "",
        "| code | メッセージ |",
        "|---|---|",
    ]
    for code, (ja, _en) in FILE_ERRORS.items():
        out.append(f"| `{code}` | {ja} |")
    out += [
        "",
        "## 行の扱い / How every row is accounted for",
        "",
        "読み込んだ行 = 取込 + 保留 + 重複 + 除外（表題・空行・合計行・注記行）。この式は各ファイル・各シートで必ず成り立ちます。",
        "",
    ]
    return "\n".join(out)


def write(path: Path = DOC_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
