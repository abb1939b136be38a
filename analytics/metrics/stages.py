"""Program stages and progress thresholds, read from ``analytics/metrics/stages.toml`` (configuration, not code)."""

from __future__ import annotations

import os
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

STAGES_FILE = Path(__file__).resolve().parent / "stages.toml"
STAGES_FILE_ENV = "HYOGAKI_STAGES_FILE"


@dataclass(frozen=True)
class Stage:
    """One stage of the program: a name and an inclusive range of fiscal years (年度)."""

    name: str
    name_en: str
    first_fiscal_year: int
    last_fiscal_year: int
    aliases: tuple[str, ...] = ()

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.first_fiscal_year, self.last_fiscal_year + 1))


@dataclass(frozen=True)
class Thresholds:
    """Status thresholds on the pace index, and the run-rate window for projections."""

    on_track: float = 1.0
    at_risk: float = 0.9
    run_rate_months: int = 3


def _path(path: str | Path | None) -> Path:
    return Path(path or os.environ.get(STAGES_FILE_ENV) or STAGES_FILE)


def load_stages(path: str | Path | None = None) -> tuple[Stage, ...]:
    """The stages in fiscal-year order. Raises ``ValueError`` if a stage's years are reversed."""
    data = tomllib.loads(_path(path).read_text(encoding="utf-8"))
    stages = []
    for item in data.get("stage", []):
        stage = Stage(item["name"], item.get("name_en", item["name"]), int(item["first_fiscal_year"]),
                      int(item["last_fiscal_year"]), tuple(item.get("aliases", ())))
        if stage.last_fiscal_year < stage.first_fiscal_year:
            raise ValueError(f"ステージ {stage.name} の年度が逆順です")
        stages.append(stage)
    return tuple(sorted(stages, key=lambda s: s.first_fiscal_year))


def load_thresholds(path: str | Path | None = None) -> Thresholds:
    data = tomllib.loads(_path(path).read_text(encoding="utf-8")).get("thresholds", {})
    return Thresholds(float(data.get("on_track", 1.0)), float(data.get("at_risk", 0.9)),
                      int(data.get("run_rate_months", 3)))


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")


def find_stage(name: str, stages: tuple[Stage, ...] | None = None) -> Stage:
    """The stage called ``name`` (or one of its aliases). Raises ``KeyError`` with the known names."""
    stages = stages if stages is not None else load_stages()
    wanted = _key(name)
    for stage in stages:
        if wanted in {_key(stage.name), _key(stage.name_en), *(_key(a) for a in stage.aliases)}:
            return stage
    raise KeyError(f"ステージ {name!r} は設定にありません（{', '.join(s.name for s in stages)}）")


def stage_for_fiscal_year(fiscal_year: int, stages: tuple[Stage, ...] | None = None) -> Stage | None:
    """The stage containing ``fiscal_year`` (None if none does)."""
    stages = stages if stages is not None else load_stages()
    return next((s for s in stages if s.first_fiscal_year <= fiscal_year <= s.last_fiscal_year), None)
