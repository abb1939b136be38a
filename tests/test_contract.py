"""The data contract: its shape, and the user document generated from it."""

from __future__ import annotations

from analytics import contract
from analytics.ingest import contract_doc
from analytics.ingest.headers import alias_index, match_header


def test_committed_data_contract_doc_is_current():
    assert contract_doc.DOC_PATH.read_text(encoding="utf-8") == contract_doc.render(), (
        "docs/data_contract.md is stale: run `python -m analytics.ingest.contract_doc`"
    )


def test_codes_are_ascii_and_unique_with_both_labels():
    for name, codes in contract.CODE_LISTS.items():
        seen = [c.code for c in codes]
        assert len(seen) == len(set(seen)), name
        for code in codes:
            assert code.code.isascii() and code.ja and code.en


def test_every_required_column_has_aliases_and_example():
    for table in contract.TABLES.values():
        for column in table.columns:
            assert column.example, (table.name, column.name)
            if column.required:
                assert column.aliases, column.name
        assert set(table.duplicate_key) <= set(table.column_names)


def test_header_spellings_from_real_exports_map_to_the_contract():
    cases = {
        "相談日": "consultation_date",
        "相談年月日": "consultation_date",
        "受付日": "consultation_date",
        "個人ID": "person_id",
        "相談者ID": "person_id",
        "利用者ＩＤ": "person_id",
        "支援対象者ID": "person_id",
        "市区町村コード": "municipality_code",
        "団体コード": "municipality_code",
        "市町村名": "municipality_code",
        "都道府県": "prefecture_code",
        "対象者区分": "target_group",
        "支援対象区分": "target_group",
        "就職日": "placement_date",
        "就職年月日": "placement_date",
        "採用日": "placement_date",
        "雇用形態": "outcome_type",
        "就業形態": "outcome_type",
        "6か月定着": "retained_6m",
        "６ヶ月定着": "retained_6m",
        "定着状況": "retained_6m",
    }
    for header, column in cases.items():
        assert match_header(header)[0] == column, header
    assert len(alias_index()) > 100


def test_the_documented_example_rows_load_cleanly(tmp_path):
    from analytics import db
    from analytics.ingest.pipeline import ingest_file

    con = db.connect(tmp_path / "doc.duckdb")
    for table in contract.TABLES.values():
        body = contract_doc._example_csv(table).removeprefix("```csv\n").removesuffix("\n```")
        path = tmp_path / f"{table.name}.csv"
        path.write_text(body + "\n", encoding="utf-8")
        report = ingest_file(con, path)
        assert (report.kinds, report.total("loaded"), report.total("quarantined")) == ([table.name], 1, 0), table.name
