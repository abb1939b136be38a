"""`python -m analytics report`: writes the xlsx or pdf, takes scope, period and threshold, fails clearly."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from analytics import cli


def test_report_writes_an_excel_file_for_a_prefecture(seeded_db, tmp_path, capsys):
    out = tmp_path / "tokyo.xlsx"
    code = cli.main(
        ["report", "--db", str(seeded_db), "--prefecture", "13", "--fiscal-year", "2023", "--out", str(out)]
    )
    assert code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "概要"
    assert "東京都" in wb["概要"]["A1"].value and "令和5年度" in wb["概要"]["A1"].value
    assert str(out) in capsys.readouterr().out


def test_report_writes_a_pdf_for_a_stage_with_a_threshold(seeded_db, tmp_path):
    out = tmp_path / "stage.pdf"
    code = cli.main(
        [
            "report",
            "--db",
            str(seeded_db),
            "--stage",
            "第2ステージ",
            "--format",
            "pdf",
            "--suppress-below",
            "5",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "第2ステージ" in text and "1～4の数値" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--stage", "第9ステージ"], "ステージ"),
        (["--prefecture", "99"], "都道府県コード"),
    ],
)
def test_report_refuses_bad_choices(seeded_db, tmp_path, capsys, args, message):
    code = cli.main(["report", "--db", str(seeded_db), *args, "--out", str(tmp_path / "x.xlsx")])
    assert code == 2
    assert message in capsys.readouterr().err


def test_fiscal_year_and_stage_are_exclusive(seeded_db, tmp_path):
    with pytest.raises(SystemExit):
        cli.main(
            [
                "report",
                "--db",
                str(seeded_db),
                "--fiscal-year",
                "2023",
                "--stage",
                "第2ステージ",
                "--out",
                str(tmp_path / "x.xlsx"),
            ]
        )


def test_report_on_an_empty_database_says_there_is_no_data(empty_db, tmp_path, capsys):
    from analytics import db

    db.connect(empty_db).close()
    code = cli.main(["report", "--db", str(empty_db), "--out", str(tmp_path / "x.pdf")])
    assert code == 2
    assert "データがありません" in capsys.readouterr().err
