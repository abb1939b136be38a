"""The measure registry: names as senders write them map onto one id; unknown names stay unknown."""

from analytics.metrics import indicators, measures


def test_names_as_written_map_onto_the_registry_id():
    assert measures.measure_id("正社員就職件数（件）") == "regular_placements"
    assert measures.measure_id("就職氷河期世代の正社員就職者数") == "regular_placed_persons"
    assert measures.measure_id("ｓｈｉｎｋｉ") is None
    assert measures.measure_id("新規相談件数") == "new_consultations"   # not 新規相談者数: 件 is not 人


def test_an_unknown_measure_never_merges_with_a_known_one():
    assert measures.measure_id("就労体験参加者数") is None


def test_every_linked_indicator_exists_and_counts_in_the_same_unit():
    for m in measures.MEASURES:
        if m.indicator is not None:
            ind = indicators.REGISTRY_BY_ID[m.indicator]
            assert ind.kind == "count" and ind.unit == m.unit, m.id


def test_scale_words_give_the_base_unit_and_factor():
    assert measures.scale_unit("万人") == ("人", 10_000.0)
    assert measures.scale_unit("（千件）") == ("件", 1_000.0)
    assert measures.scale_unit("事業所") == ("事業所", 1.0)


def test_the_catalogue_lists_every_measure_and_the_precedence_rule():
    text = indicators.catalogue_markdown()
    for m in measures.MEASURES:
        assert f"| `{m.id}` | {m.ja} | {m.en} | {m.unit} |" in text, m.id
    assert "Precedence, one rule" in text and "the reported figure where one exists" in text
    assert "stay records-only" in text
