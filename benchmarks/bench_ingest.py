"""Benchmark the ingest pipeline on a 1,000,000-row CP932 CSV and a 100,000-row xlsx (a script, not a test).

Generates (once, cached in ``--out``) the kind of file a ministry analyst receives, at national size:
CP932 with Japanese headers, a title block above the header, 和暦 dates (令和3年4月5日, R3.4.5, full-width
digits), full-width IDs and municipality codes (０１－００１２３４, ０２２０１), label variants (不安定な就労状態に
ある方), a 氏名 column that must be dropped, a few bad rows, a total row and a ※ footnote. Then times, side by
side in the same run, each step in its own child process on a fresh database file (best of ``--repeat``
wall-clock runs; peak RSS of the child):

* ``csv_ours``       ``ingest_file(db.connect(fresh), csv)``: read, normalise, validate, write, refresh facts
* ``csv_duckdb``     DuckDB's bare ``read_csv(all_varchar=true, header=false, null_padding=true)`` of the same
                     file, including its CP932 → UTF-8 decode (timed: issue 17's baseline)
* ``csv_pandas``     the same steps written as straightforward pandas (``pandas_load`` below)
* ``xlsx_ours``      ``ingest_file`` of the xlsx
* ``xlsx_calamine``  python-calamine's bare read of the same sheet

Run: ``python benchmarks/bench_ingest.py`` (about five minutes on two cores the first time, generation
included) or smaller with ``--rows 200000 --xlsx-rows 20000``. Results go to stdout as Markdown; copy them
into docs/performance.md under "## Ingest". ``--step NAME`` runs one measured step (used by the parent).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from analytics import contract

GENERATOR_VERSION = 1  # bump when the generated files change, so cached ones are rebuilt
DEFAULT_OUT = Path("/tmp/hyogaki-bench")
SEED = 20240401

# Targets from issue 2 ("Done when").
CSV_VS_DUCKDB_MAX = 3.5  # issue 17: full CP932 load ≤ 3.5× a bare DuckDB load including the CP932 decode
CSV_VS_PANDAS_MIN = 3.0
XLSX_VS_CALAMINE_MAX = 2.0
PEAK_MB_MAX = 1536

# Functions of our pipeline timed in the csv_ours / xlsx_ours steps: (module, function, label, depth); a stage
# includes the deeper ones listed below it.
STAGES = (
    ("pipeline", "prepare_file", "prepare_file: read, find header, normalise, validate", 0),
    ("pipeline", "read_file", "read_file: bytes → raw text table", 1),
    ("readers", "_read_utf8_copy", "UTF-8 copy (CP932 transcoded in pieces) + DuckDB read_csv", 2),
    ("readers", "_excel_columns", "Excel sheet → Arrow text columns (fastexcel)", 2),
    ("pipeline", "_stage_rows", "_stage_rows: normalise + validate (DuckDB SQL)", 1),
    ("pipeline", "_person_lookup", "person IDs: normalise + HMAC per distinct ID", 2),
    ("pipeline", "_lookup_table", "per-distinct parsers (dates, codes, numbers)", 2),
    ("pipeline", "_municipality_lookup", "municipality lookup", 2),
    ("pipeline", "_issue_frame", "quarantine frame", 2),
    ("load", "load_prepared", "load_prepared: write in one transaction", 0),
    ("load", "_refresh_facts", "facts.refresh_facts", 1),
)

STEPS = ("csv_duckdb", "csv_ours", "csv_pandas", "xlsx_calamine", "xlsx_ours")

# Headers as one agency's system exports them (all are contract aliases), and one personal-data column.
CSV_HEADERS = {"person_id": "相談者ID", "consultation_date": "相談年月日", "municipality_code": "市区町村コード",
               "prefecture_code": "都道府県コード", "target_group": "対象者区分", "agency_type": "機関種別",
               "agency_name": "機関名", "channel": "相談方法", "age": "年齢", "birth_year": "生年",
               "gender": "性別", "referred_to": "紹介先"}
SURNAMES = np.array(["佐藤", "鈴木", "髙橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
                     "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"], dtype=object)
GIVEN_NAMES = np.array(["翔太", "大輔", "健一", "直樹", "美香", "恵", "裕子", "智子", "拓也", "誠", "陽子", "亮",
                        "真由美", "剛", "愛", "浩二"], dtype=object)
TO_FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


# ============================================================================================
# Generating the input files (untimed, cached)
# ============================================================================================

def _agency_rows(rows: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """``rows`` consultations with Japanese headers and export quirks, in date order, and their true dates.

    Vectorised: styles are drawn per row with numpy, strings are built per distinct value (dates, IDs,
    codes) and indexed back, so a million rows take seconds. The true dates feed the xlsx's date cells.
    """
    from analytics.sample import generator as sample

    scale = rows / 2_400_000  # scale 1.0 gives about 2.5 million consultations
    data = sample.generate(scale=scale, seed=seed)["consultations"]
    while len(data) < rows:  # volumes are random: scale up until there are enough rows
        scale *= rows / len(data) * 1.05
        data = sample.generate(scale=scale, seed=seed)["consultations"]
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(data), size=rows, replace=False))
    data = data.iloc[pick].sort_values("consultation_date", kind="stable").reset_index(drop=True)
    frame = sample.to_agency_frame(data, "consultations")
    frame = frame.rename(columns={contract.TABLES["consultations"].column(c).ja: h for c, h in CSV_HEADERS.items()})
    frame = frame[list(CSV_HEADERS.values())]
    n = len(frame)

    # 相談年月日: 令和 kanji 45%, R3.4.5 30%, 令和 in full-width digits 15%, 2021/4/5 10%.
    codes, uniques = pd.factorize(data["consultation_date"])
    u = pd.DatetimeIndex(uniques)
    era_year = pd.Series(u.year - 2018).astype(str)
    y, m, d = (pd.Series(u.year).astype(str), pd.Series(u.month).astype(str), pd.Series(u.day).astype(str))
    kanji = "令和" + era_year.where(era_year != "1", "元") + "年" + m + "月" + d + "日"
    styles = np.stack([kanji.to_numpy(), ("R" + era_year + "." + m + "." + d).to_numpy(),
                       kanji.str.translate(TO_FULLWIDTH).to_numpy(), (y + "/" + m + "/" + d).to_numpy()])
    style = rng.choice(4, size=n, p=[0.45, 0.30, 0.15, 0.10])
    frame["相談年月日"] = styles[style, codes]

    # IDs and codes typed in full width by some counters (per distinct value, indexed back).
    for header, share in (("相談者ID", 0.3), ("市区町村コード", 0.25)):
        codes, uniques = pd.factorize(frame[header])
        wide = pd.Series(uniques).str.translate(TO_FULLWIDTH).to_numpy()
        use = rng.random(n) < share
        frame.loc[use, header] = wide[codes[use]]
    lost_zero = (rng.random(n) < 0.05) & frame["市区町村コード"].str.startswith("0")
    frame.loc[lost_zero, "市区町村コード"] = frame.loc[lost_zero, "市区町村コード"].str[1:]  # Excel ate the zero

    # Long official labels instead of the short ones in a fifth of the rows.
    long_labels = {"不安定就労": "不安定な就労状態にある方", "長期無業": "長期にわたり無業の状態にある方",
                   "社会参加支援": "社会参加に向けた支援を必要とする方"}
    use = rng.random(n) < 0.2
    frame.loc[use, "対象者区分"] = frame.loc[use, "対象者区分"].map(long_labels)

    # A personal-data column that must never be stored.
    name = SURNAMES[rng.integers(0, len(SURNAMES), n)] + "　" + GIVEN_NAMES[rng.integers(0, len(GIVEN_NAMES), n)]
    frame.insert(1, "氏名", name)

    # A few bad rows for the quarantine: impossible dates, missing IDs, unknown municipality codes.
    bad = rng.choice(n, size=max(3, n // 1000), replace=False)
    third = len(bad) // 3
    frame.loc[bad[:third], "相談年月日"] = "令和3年2月30日"
    frame.loc[bad[third:2 * third], "相談者ID"] = ""
    frame.loc[bad[2 * third:], "市区町村コード"] = "99999"
    return frame, data["consultation_date"]


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    buf = io.StringIO()
    buf.write("令和6年度 就職氷河期世代 相談記録一覧（全国）\r\n作成日：令和7年4月10日\r\n\r\n")
    frame.to_csv(buf, index=False, lineterminator="\r\n")
    buf.write(f"合計,{len(frame)}件\r\n※ 相談者IDは各機関の管理番号です。\r\n")
    _atomic_write(path, buf.getvalue().encode("cp932"))


def _write_xlsx(frame: pd.DataFrame, true_dates: pd.Series, path: Path, seed: int) -> None:
    """A 相談記録 sheet (title block, real date cells mixed with 和暦 text, numbers) and a 集計 pivot sheet."""
    from openpyxl import Workbook

    rng = np.random.default_rng(seed + 1)
    n = len(frame)
    as_date = rng.random(n) < 0.4  # 40% real Excel date cells, the rest text as typed
    iso = true_dates.where(as_date & (frame["相談年月日"] != "令和3年2月30日"))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("相談記録")
    ws.append(["令和6年度 相談記録一覧"])
    ws.append(["作成日：令和7年4月10日"])
    ws.append([])
    ws.append(list(frame.columns))
    dates = [d.to_pydatetime() if not pd.isna(d) else None for d in iso]
    age = pd.to_numeric(frame["年齢"], errors="coerce")
    birth = pd.to_numeric(frame["生年"], errors="coerce")
    columns = [frame[c].tolist() for c in frame.columns]
    i_date, i_age, i_birth = (list(frame.columns).index(c) for c in ("相談年月日", "年齢", "生年"))
    for r in range(n):  # openpyxl takes rows; generation is not measured
        row = [col[r] if col[r] != "" else None for col in columns]
        if dates[r] is not None:
            row[i_date] = dates[r]
        row[i_age] = None if pd.isna(age.iat[r]) else int(age.iat[r])
        row[i_birth] = None if pd.isna(birth.iat[r]) else int(birth.iat[r])
        ws.append(row)
    pivot = wb.create_sheet("集計")
    pivot.append(["対象者区分", "件数"])
    for label, count in frame["対象者区分"].value_counts().items():
        pivot.append([label, int(count)])
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def ensure_inputs(out: Path, rows: int, xlsx_rows: int) -> dict[str, Path]:
    """Generate the CSV (CP932), its UTF-8 twin for the bare DuckDB read, and the xlsx, unless cached."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / f"consultations_{rows}_v{GENERATOR_VERSION}.csv",
             "csv_utf8": out / f"consultations_{rows}_v{GENERATOR_VERSION}.utf8.csv",
             "xlsx": out / f"consultations_{xlsx_rows}_v{GENERATOR_VERSION}.xlsx"}
    if not paths["csv"].exists():
        t = time.perf_counter()
        _write_csv(_agency_rows(rows, SEED)[0], paths["csv"])
        print(f"generated {paths['csv']} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    if not paths["csv_utf8"].exists():
        _atomic_write(paths["csv_utf8"], paths["csv"].read_bytes().decode("cp932").encode("utf-8"))
    if not paths["xlsx"].exists():
        t = time.perf_counter()
        _write_xlsx(*_agency_rows(xlsx_rows, SEED + 7), paths["xlsx"], SEED)
        print(f"generated {paths['xlsx']} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return paths


# ============================================================================================
# The straightforward pandas version of the same steps
# ============================================================================================

def pandas_load(csv_path: Path, db_path: Path) -> dict[str, int]:
    """Decode, find the header, map and drop columns, normalise, validate, pseudonymise, write: in pandas.

    Honest, idiomatic pandas on whole columns (``.str`` methods, ``.str.extract``, ``merge``); the HMAC
    runs per distinct ID. Simplifications against ours: consultations only, codes and names of
    municipalities by code only, no two-row headers, no profiles.
    """
    from analytics import db
    from analytics.ingest import headers as hdr, normalise as nz, pseudonym
    from analytics.ingest.errors import REASONS
    from analytics.ingest.pipeline import NOTE_PATTERN, TOTAL_WORDS

    table = contract.TABLES["consultations"]
    data = Path(csv_path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp932")
    del data

    # Header: the first of the first 40 lines in which at least three cells are known aliases.
    head = csv.reader(text.splitlines()[:40] if len(text) < 10_000 else text[:10_000].splitlines()[:40])
    header_at = next(i for i, row in enumerate(head) if sum(hdr.match_header(v)[0] is not None for v in row) >= 3)
    df = pd.read_csv(io.StringIO(text), skiprows=header_at, dtype=str, keep_default_na=False,
                     skip_blank_lines=False)
    del text
    df.index = df.index + header_at + 2  # the CSV line number the sender sees
    columns = {h: hdr.match_header(h)[0] for h in df.columns}
    dropped = [h for h in df.columns if hdr.is_personal_header(h)]
    df = df[[h for h, c in columns.items() if c in table.column_names and h not in dropped]]
    df.columns = [columns[h] for h in df.columns]
    orig = df.copy()

    # Clean: NFKC (full width → ASCII), trim, empty → NA; classify rows.
    for c in df.columns:
        df[c] = df[c].str.normalize("NFKC").str.strip().replace("", pd.NA)
    first = df.bfill(axis=1).iloc[:, 0]
    first_key = first.str.lower().str.replace(" ", "", regex=False)
    row_class = np.select([df.isna().all(axis=1), first_key.isin(TOTAL_WORDS),
                           first.str.match(NOTE_PATTERN, na=False)], ["blank", "total", "note"], "data")
    data_rows = row_class == "data"
    df, orig = df[data_rows], orig[data_rows]
    issues: list[pd.DataFrame] = []

    def issue(mask: pd.Series, column: str, reason: str) -> None:
        issues.append(pd.DataFrame({"row_number": df.index[mask], "column_name": CSV_HEADERS.get(column, column),
                                    "value": orig.loc[mask, column].to_numpy(), "reason_code": reason}))

    # Person IDs: normalised, then HMAC per distinct ID.
    key = pseudonym.load_key(db_path)
    dashes = str.maketrans(nz.DASHES, "-" * len(nz.DASHES))
    pid = df["person_id"].str.translate(dashes).str.replace(r"\s+", "", regex=True).str.upper()
    issue(pid.isna(), "person_id", "missing_required")
    pseudonyms = {v: hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:32] for v in pid.dropna().unique()}
    out = pd.DataFrame({"person_id": pid.map(pseudonyms)}, index=df.index)

    # Dates: ISO / 2021年4月5日 and 和暦 (令和3年4月5日, R3.4.5) with .str.extract and arithmetic.
    s = df["consultation_date"]
    west = s.str.extract(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
    era = s.str.extract(r"^(令和|平成|昭和|[RHSrhs])(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$")
    era_base = era[0].map({"令和": 2018, "R": 2018, "r": 2018, "平成": 1988, "H": 1988, "h": 1988,
                           "昭和": 1925, "S": 1925, "s": 1925})
    era_year = era_base + pd.to_numeric(era[1].replace("元", "1"), errors="coerce")
    parts = pd.DataFrame({"year": pd.to_numeric(west[0]).fillna(era_year),
                          "month": pd.to_numeric(west[1]).fillna(pd.to_numeric(era[2])),
                          "day": pd.to_numeric(west[2]).fillna(pd.to_numeric(era[3]))})
    date = pd.to_datetime(parts, errors="coerce")
    issue(s.isna(), "consultation_date", "missing_required")
    issue(s.notna() & date.isna(), "consultation_date", "invalid_date")
    out_of_range = (date < pd.Timestamp(contract.EARLIEST_RECORD_DATE)) | (date > pd.Timestamp.today())
    issue(out_of_range, "consultation_date", "date_out_of_range")
    out["consultation_date"] = date.where(~out_of_range)

    # Municipality: 5 digits, 6 with check digit, or lost leading zero; wards roll up to their city.
    ref = nz.region_reference()
    muni_ref = pd.DataFrame([(m.code5, nz._city_of(m)) for m in ref.municipalities.values()],
                            columns=["code5", "city"])
    m = df["municipality_code"]
    six = m.str.len() == 6
    weights = sum(pd.to_numeric(m.str[i], errors="coerce") * w for i, w in enumerate((6, 5, 4, 3, 2)))
    bad_check = six & (pd.to_numeric(m.str[5], errors="coerce") != (11 - weights % 11) % 10)
    code5 = m.where(~six, m.str[:5]).str.zfill(5)
    city = code5.to_frame("code5").merge(muni_ref, on="code5", how="left")["city"].set_axis(df.index)
    issue(bad_check, "municipality_code", "invalid_check_digit")
    issue(m.notna() & ~bad_check & city.isna(), "municipality_code", "unknown_municipality")
    out["municipality_code"] = city.where(~bad_check)
    pref = df["prefecture_code"].str.zfill(2)
    pref = pref.where(pref.isin(list(ref.prefectures)))
    issue(df["prefecture_code"].notna() & pref.isna(), "prefecture_code", "unknown_prefecture")
    issue(out["municipality_code"].notna() & pref.notna() & (out["municipality_code"].str[:2] != pref),
          "prefecture_code", "prefecture_mismatch")
    issue(m.isna() & df["prefecture_code"].isna(), "prefecture_code", "missing_region")
    out["prefecture_code"] = out["municipality_code"].str[:2].fillna(pref)

    # Coded labels: a lookup frame of label keys per code list, joined with merge.
    for column in table.columns:
        if column.type != "code":
            continue
        lookup = pd.DataFrame([(nz._label_key(label), code.code) for code in contract.CODE_LISTS[column.codes]
                               for label in (code.code, code.ja, code.en, *code.aliases)],
                              columns=["key", "code"]).drop_duplicates("key")
        values = df[column.name]
        keys = values.str.lower().str.replace(r"[\s・･/／_\-]+", "", regex=True)
        code = keys.to_frame("key").merge(lookup, on="key", how="left")["code"].set_axis(df.index)
        if column.codes in contract.LENIENT_CODE_LISTS:
            code = code.where(values.isna() | code.notna(), contract.LENIENT_CODE_LISTS[column.codes])
        else:
            issue(values.notna() & code.isna(), column.name, "unknown_code")
        if column.required:
            issue(values.isna(), column.name, "missing_required")
        out[column.name] = code
    out["agency_name"] = df["agency_name"]

    # Numbers.
    age = pd.to_numeric(df["age"].str.removesuffix("歳"), errors="coerce")
    issue(df["age"].notna() & age.isna(), "age", "invalid_number")
    issue(age.notna() & ~age.between(0, 120), "age", "out_of_range")
    out["age"] = age.where(age.between(0, 120)).astype("Int16")
    birth = pd.to_numeric(df["birth_year"].str.removesuffix("年"), errors="coerce")
    issue(df["birth_year"].notna() & birth.isna(), "birth_year", "invalid_number")
    out["birth_year"] = birth.where(birth.between(1900, dt.date.today().year)).astype("Int16")

    # Quarantine and in-file duplicates.
    problems = pd.concat(issues, ignore_index=True).sort_values(["row_number", "column_name"])
    bad_rows = problems["row_number"].unique()
    valid = out.drop(index=bad_rows)
    valid = valid[~valid.duplicated(list(table.duplicate_key))]
    valid.insert(0, "source_row", valid.index)
    valid.insert(0, "source_sheet", Path(csv_path).name)
    when = valid["consultation_date"].dt
    valid["fiscal_year"] = (when.year - (when.month < 4)).astype("Int16")
    raw_rows = orig.loc[bad_rows].assign(person_id=out.loc[bad_rows, "person_id"]).rename(columns=CSV_HEADERS)
    raw_json = pd.Series(raw_rows.to_json(orient="records", lines=True, force_ascii=False).splitlines(),
                         index=raw_rows.index)
    reasons = pd.DataFrame([(c, ja, en) for c, (ja, en) in REASONS.items()], columns=["reason_code", "ja", "en"])
    problems = problems.merge(reasons, on="reason_code", how="left")
    for lang in ("ja", "en"):  # message templates, filled per problem row (a few per thousand rows)
        problems[f"message_{lang}"] = [
            template.replace("{column}", str(c)).replace("{value}", str(v or ""))
            for template, c, v in zip(problems[lang], problems["column_name"], problems["value"], strict=True)]
    problems["raw_row"] = raw_json.reindex(problems["row_number"]).to_numpy()

    # Write in one transaction, skipping rows already in the database (same SQL as the loader).
    con = db.connect(db_path)
    con.execute("begin transaction")
    batch_id = con.execute("select nextval('batch_id_seq')").fetchone()[0]
    names = ["source_sheet", "source_row", *table.column_names, "fiscal_year"]
    match = " and ".join(f"t.{k} is not distinct from s.{k}" for k in table.duplicate_key)
    con.register("valid_df", valid[names])
    loaded = con.execute(f"insert into consultations (batch_id, {', '.join(names)}) "
                         f"select {batch_id}, {', '.join(f's.{c}' for c in names)} from valid_df s "
                         f"where not exists (select 1 from consultations t where {match})").fetchone()[0]
    con.register("issues_df", problems.assign(batch_id=batch_id, kind="consultations", file_name=Path(csv_path).name,
                                              sheet=Path(csv_path).name, value=problems["value"].astype(str)))
    con.execute("insert into quarantine (batch_id, kind, file_name, sheet, row_number, column_name, value, "
                "reason_code, message_ja, message_en, raw_row) select batch_id, kind, file_name, sheet, row_number, "
                "column_name, value, reason_code, message_ja, message_en, raw_row from issues_df")
    con.execute("insert into batches (batch_id, file_name, content_hash, kinds, loaded_at, status, rows_read, "
                "rows_loaded, rows_quarantined, rows_duplicate, rows_excluded, dropped_columns) "
                "values (?, ?, '', 'consultations', now(), 'loaded', ?, ?, ?, ?, ?, ?)",
                [batch_id, Path(csv_path).name, len(row_class), loaded, len(bad_rows),
                 len(out) - len(bad_rows) - loaded,
                 int((row_class != "data").sum()) + header_at, json.dumps(dropped, ensure_ascii=False)])
    con.execute("commit")
    con.close()
    return {"loaded": int(loaded), "quarantined": len(bad_rows)}


# ============================================================================================
# One measured step (runs in a child process)
# ============================================================================================

class StageTimer:
    """Wraps module functions to add up the wall time spent in each (stage breakdown of our load)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, module: object, name: str, label: str) -> None:
        inner = getattr(module, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t

        setattr(module, name, timed)


def run_step(step: str, paths: dict[str, Path], db_path: Path) -> dict:
    """Run one step once; return wall seconds, peak RSS of this process, stage times and counts."""
    import duckdb

    from analytics import db
    from analytics.ingest import load, pipeline, readers

    stages = StageTimer()
    counts: dict[str, int] = {}
    for suffix in ("", ".wal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    if step in ("csv_ours", "xlsx_ours"):
        modules = {"pipeline": pipeline, "readers": readers, "load": load}
        for module, function, label, _ in STAGES:
            if hasattr(modules[module], function):  # the pipeline changes; time what exists
                stages.wrap(modules[module], function, label)
        source = paths["csv" if step == "csv_ours" else "xlsx"]
        t = time.perf_counter()
        con = db.connect(db_path)
        report = pipeline.ingest_file(con, source)
        con.close()
        seconds = time.perf_counter() - t
        counts = {"loaded": report.total("loaded"), "quarantined": report.total("quarantined"),
                  "duplicates": report.total("duplicates"), "excluded": report.total("rows_excluded")}
    elif step == "csv_duckdb":
        t = time.perf_counter()
        # The bare load includes the CP932 decode (issue 17's target): DuckDB reads UTF-8 only, so the file as
        # sent is decoded and written as UTF-8 first, the straightforward way, inside the timing.
        utf8 = db_path.with_suffix(".utf8.csv")
        utf8.write_text(Path(paths["csv"]).read_bytes().decode("cp932"), encoding="utf-8")
        paths = {**paths, "csv_utf8": utf8}
        con = duckdb.connect(str(db_path))
        # null_padding: the title rows above the header have one cell; header=false: every line is a row
        con.execute("create table t as select * from read_csv(?, all_varchar=true, header=false, null_padding=true)",
                    [str(paths["csv_utf8"])])
        counts = {"rows": con.execute("select count(*) from t").fetchone()[0]}
        con.close()
        seconds = time.perf_counter() - t
        utf8.unlink(missing_ok=True)
    elif step == "csv_pandas":
        t = time.perf_counter()
        counts = pandas_load(paths["csv"], db_path)
        seconds = time.perf_counter() - t
    elif step == "xlsx_calamine":
        import python_calamine

        t = time.perf_counter()
        cells = python_calamine.load_workbook(str(paths["xlsx"])).get_sheet_by_index(0).to_python()
        seconds = time.perf_counter() - t
        counts = {"rows": len(cells)}
    else:
        raise SystemExit(f"unknown step {step}")
    return {"step": step, "seconds": seconds, "peak_mb": peak_rss_mb(), "stages": stages.seconds, "counts": counts}


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB.

    VmHWM, not ``ru_maxrss``: on Linux a child started by fork+exec inherits the parent's ru_maxrss, so
    the generator's memory would show up in every step.
    """
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_child(step: str, paths: dict[str, Path], db_path: Path) -> dict:
    args = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--db", str(db_path),
            *(f"--{k.replace('_', '-')}-path={v}" for k, v in paths.items())]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ============================================================================================
# Report
# ============================================================================================

def machine() -> str:
    from importlib.metadata import version

    import duckdb

    meminfo, cpuinfo = Path("/proc/meminfo").read_text(), Path("/proc/cpuinfo").read_text()
    mem_kb = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "?")
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 ** 2:.1f} GiB RAM, {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
            f"pandas {pd.__version__}, numpy {np.__version__}, python-calamine {version('python-calamine')}")


def code_version() -> str:
    """The commit measured, and any uncommitted changes under analytics/ (others may be editing)."""
    def git(*a: str) -> str:
        done = subprocess.run(["git", *a], capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        return done.stdout.strip()

    dirty = git("status", "--short", "--", "analytics").replace("\n", ", ")
    return f"commit {git('rev-parse', '--short', 'HEAD')}" + (f" with uncommitted changes: {dirty}" if dirty else "")


def report(best: dict[str, dict], peaks: dict[str, float], sizes: dict[str, int], args: argparse.Namespace) -> str:
    b = {k: v["seconds"] for k, v in best.items()}
    facts_s = best["csv_ours"]["stages"].get("facts.refresh_facts", 0.0)
    ok = {True: "PASS", False: "FAIL"}
    lines = [
        f"Input: {args.rows:,}-row CP932 CSV ({sizes['csv'] / 1e6:.0f} MB), {args.xlsx_rows:,}-row xlsx "
        f"({sizes['xlsx'] / 1e6:.1f} MB); best of {args.repeat} runs, each in a fresh process on a fresh "
        "database file.",
        "",
        "| step | seconds | vs baseline | peak MB | target | result |",
        "|---|---:|---:|---:|---|---|",
        f"| CSV: DuckDB bare `read_csv`, CP932 decode included — baseline | {b['csv_duckdb']:.2f} | 1.00× | "
        f"{peaks['csv_duckdb']:.0f} | | |",
        f"| CSV: ours, full load (`ingest_file`) | {b['csv_ours']:.2f} | {b['csv_ours'] / b['csv_duckdb']:.2f}× | "
        f"{peaks['csv_ours']:.0f} | ≤ {CSV_VS_DUCKDB_MAX:.1f}× DuckDB | "
        f"{ok[b['csv_ours'] <= CSV_VS_DUCKDB_MAX * b['csv_duckdb']]} |",
        f"| CSV: … of which `facts.refresh_facts` | {facts_s:.2f} | {facts_s / b['csv_duckdb']:.2f}× | | | |",
        f"| CSV: ours without the facts refresh | {b['csv_ours'] - facts_s:.2f} | "
        f"{(b['csv_ours'] - facts_s) / b['csv_duckdb']:.2f}× | | (for information) | |",
        f"| CSV: straightforward pandas | {b['csv_pandas']:.2f} | {b['csv_pandas'] / b['csv_duckdb']:.2f}× | "
        f"{peaks['csv_pandas']:.0f} | ours ≥ {CSV_VS_PANDAS_MIN:.0f}× faster | "
        f"{ok[b['csv_pandas'] >= CSV_VS_PANDAS_MIN * b['csv_ours']]} "
        f"(ours {b['csv_pandas'] / b['csv_ours']:.2f}× faster) |",
        f"| xlsx: python-calamine bare read — baseline | {b['xlsx_calamine']:.2f} | 1.00× | "
        f"{peaks['xlsx_calamine']:.0f} | | |",
        f"| xlsx: ours, full load (`ingest_file`) | {b['xlsx_ours']:.2f} | "
        f"{b['xlsx_ours'] / b['xlsx_calamine']:.2f}× | "
        f"{peaks['xlsx_ours']:.0f} | ≤ {XLSX_VS_CALAMINE_MAX:.0f}× calamine | "
        f"{ok[b['xlsx_ours'] <= XLSX_VS_CALAMINE_MAX * b['xlsx_calamine']]} |",
        f"| peak memory of our loads (max RSS) | | | {max(peaks['csv_ours'], peaks['xlsx_ours']):.0f} | "
        f"< {PEAK_MB_MAX} MB | {ok[max(peaks['csv_ours'], peaks['xlsx_ours']) < PEAK_MB_MAX]} |",
        "",
        "Row counts (both implementations must agree): "
        + "; ".join(f"{k}: {json.dumps(best[k]['counts'])}" for k in STEPS),
    ]
    for step in ("csv_ours", "xlsx_ours"):
        timed = best[step]["stages"]
        lines += ["", f"Stages of `{step}` (best run; a stage includes those indented below it):", "",
                  "| stage | seconds |", "|---|---:|"]
        lines += [f"| {'· ' * depth}{label} | {timed[label]:.2f} |" for _, _, label, depth in STAGES if label in timed]
        top = sum(timed[label] for _, _, label, depth in STAGES if depth == 0 and label in timed)
        rest = best[step]["seconds"] - top
        lines.append(f"| other (connect + migrate, file hash, close/checkpoint) | {rest:.2f} |")
    end = code_version()
    code = args.code_at_start if end == args.code_at_start else f"{args.code_at_start} at the start, {end} at the end"
    lines += ["", f"Machine: {machine()}", "", f"Code: {code}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the CSV (default 1,000,000)")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the xlsx (default 100,000)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where generated files are cached")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the best is reported")
    parser.add_argument("--only", nargs="*", choices=STEPS, help="measure only these steps")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    for k in ("csv", "csv_utf8", "xlsx"):
        parser.add_argument(f"--{k.replace('_', '-')}-path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.step:  # child: one measured run, JSON on the last line of stdout
        paths = {"csv": args.csv_path, "csv_utf8": args.csv_utf8_path, "xlsx": args.xlsx_path}
        print(json.dumps(run_step(args.step, paths, args.db)))
        return 0

    args.code_at_start = code_version()  # each child imports analytics afresh: note if it changed mid-run
    paths = ensure_inputs(args.out, args.rows, args.xlsx_rows)
    db_dir = args.out / "db"
    best: dict[str, dict] = {}
    peaks: dict[str, float] = {}
    for step in args.only or STEPS:
        for run in range(args.repeat):
            if db_dir.exists():
                shutil.rmtree(db_dir)  # a fresh database file (and pseudonym key) for every run
            db_dir.mkdir(parents=True)
            result = run_child(step, paths, db_dir / "bench.duckdb")
            print(f"{step} run {run + 1}: {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB",
                  file=sys.stderr)
            if step not in best or result["seconds"] < best[step]["seconds"]:
                best[step] = result
            peaks[step] = max(peaks.get(step, 0.0), result["peak_mb"])
    shutil.rmtree(db_dir, ignore_errors=True)
    if set(best) == set(STEPS):
        sizes = {k: p.stat().st_size for k, p in paths.items()}
        print(report(best, peaks, sizes, args))
    else:
        print(json.dumps(best, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
