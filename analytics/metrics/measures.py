"""The measure registry: what a reported figure (集計値) counts, and which indicator it means the same as.

A reported figure names its measure as the sender wrote it (正社員就職件数, 進路決定者数, 新規相談件数 …). Known names map
onto a registry id here; where the meaning is the same as an indicator computed from records, ``indicator`` names
that indicator, so the two sources can be compared cell by cell and never added together. A measure the registry
does not know is still loaded under its own name and unit (:func:`measure_id` returns None and the loader keeps the
name): it can be charted and given targets, and it never silently merges with a known measure.

Units are part of a measure's meaning: 件 (events) and 人 (persons) are different measures, never added.
Catalogue: docs/indicators.md (measures).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Measure:
    id: str
    ja: str
    en: str
    unit: str                    # 件 | 人
    indicator: str | None        # the indicator id with the same meaning, computed from records; None = none
    aliases: tuple[str, ...] = field(default=())
    description_ja: str = ""


MEASURES: tuple[Measure, ...] = (
    Measure("regular_placements", "正社員就職件数", "Regular placements", "件", "regular_placements",
            ("正社員就職件数", "正社員就職数", "正社員就職", "正規雇用就職件数", "正社員就職実績"),
            "ハローワーク等を通じた正社員就職の件数（同じ人の2回目の就職も数える）。"),
    Measure("regular_placed_persons", "正社員就職者数", "Regular placed persons", "人", "regular_placed_persons",
            ("正社員就職者数", "正社員就職者", "正規雇用者数", "正社員として就職した者の数"),
            "正社員として就職した人の実人数。"),
    Measure("placed_persons", "就職者数", "Placed persons", "人", "placed_persons",
            ("就職者数", "就職者", "就職した者の数"),
            "就職（正社員・非正規）した人の実人数。"),
    Measure("placements", "就職件数", "Placements", "件", None,
            ("就職件数", "就職数"),
            "就職（正社員・非正規）の件数。記録からの指標はありません（記録では人数で数えます）。"),
    Measure("consultations", "相談件数", "Consultations", "件", "consultations",
            ("相談件数", "相談数", "延べ相談件数"),
            "相談の延べ件数。"),
    Measure("new_consultations", "新規相談件数", "New consultations", "件", None,
            ("新規相談件数", "新規相談受付件数", "新規相談"),
            "新規に受け付けた相談の件数（自立相談支援機関の新規相談受付件数など）。"),
    Measure("new_persons", "新規相談者数", "New persons", "人", "new_persons",
            ("新規相談者数", "新規相談者", "新規相談人数"),
            "初めて相談した人の実人数。"),
    Measure("persons", "実支援者数", "Persons supported", "人", "persons",
            ("実支援者数", "支援者数", "実人数", "利用者数", "支援対象者数"),
            "期間内に支援（相談）を受けた人の実人数。"),
    Measure("new_registrations", "新規登録者数", "New registrations", "人", None,
            ("新規登録者数", "新規登録者", "登録者数"),
            "サポステ等に新規に登録した人の数。"),
    Measure("career_decisions", "進路決定者数", "Persons with a decided path", "人", None,
            ("進路決定者数", "進路決定者", "就職等進路決定者数"),
            "サポステの進路決定者数（就職・職業訓練等を含む）。記録の就職者数とは定義が異なります。"),
    Measure("social_participation_persons", "社会参加移行者数", "Persons moving into social participation", "人",
            "social_participation_persons", ("社会参加移行者数", "社会参加者数"),
            "社会参加（居場所・ボランティア等）に移行した人の数。"),
    Measure("training_persons", "職業訓練等移行者数", "Persons moving into training", "人", "training_persons",
            ("職業訓練等移行者数", "訓練移行者数", "職業訓練受講者数", "訓練受講者数"),
            "職業訓練等に移行した人の数。"),
)

MEASURES_BY_ID: dict[str, Measure] = {m.id: m for m in MEASURES}

# Scale words in units: 万人 = 10,000 人. The loader multiplies the value and stores the base unit.
UNIT_SCALES: dict[str, tuple[str, float]] = {
    "件": ("件", 1.0), "人": ("人", 1.0), "千件": ("件", 1_000.0), "万件": ("件", 10_000.0),
    "千人": ("人", 1_000.0), "万人": ("人", 10_000.0), "名": ("人", 1.0),
}


def _key(text: str) -> str:
    """Name as compared: NFKC (full-width → half-width), no spaces, brackets or the generation prefix."""
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    text = re.sub(r"[\s　]", "", text)
    text = re.sub(r"[（(][^）)]*[）)]$", "", text)  # a trailing unit in brackets: 正社員就職件数（件）
    return text.removeprefix("就職氷河期世代の").removeprefix("就職氷河期世代")


_BY_NAME: dict[str, str] = {}
for _m in MEASURES:
    for _name in (_m.id, _m.ja, _m.en, *_m.aliases):
        _BY_NAME[_key(_name)] = _m.id


def measure_id(name: str) -> str | None:
    """The registry id of a measure as written (id, 日本語名 or alias; full-width and spaces ignored), else None."""
    return _BY_NAME.get(_key(name))


def scale_unit(unit: str | None) -> tuple[str | None, float]:
    """(base unit, factor) for a unit as written: '万人' → ('人', 10000.0); unknown units stay as written, × 1."""
    if unit is None:
        return None, 1.0
    text = unicodedata.normalize("NFKC", str(unit)).strip().strip("()（）")
    return UNIT_SCALES.get(text, (text or None, 1.0))
