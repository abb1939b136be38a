"""Figures for the 対象者 (target groups) page: indicators side by side, the support path, cohort curves,
breakdowns and the referral Sankey. Pure: frames from :mod:`analytics.views.groups` in, plotly Figures out.

Each group keeps one colour, marker and bar pattern everywhere (common.series_style by contract order), and
every bar and line end carries its value, so nothing rests on colour alone.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics import contract
from analytics.charts import common
from analytics.charts.regions import format_value, indicator_name
from analytics.metrics import indicators
from analytics.text import ui_text
from analytics.views.groups import GROUP_CODES, code_label

_GROUP_INDEX = {c: i for i, c in enumerate(GROUP_CODES)}


def group_style(code: object) -> dict:
    """The fixed colour / marker / dash / pattern of a target group (unknown: grey)."""
    if code in _GROUP_INDEX:
        return common.series_style(_GROUP_INDEX[code])
    return {"colour": common.GREY, "marker": "x", "dash": "dot", "pattern": "x"}


def indicators_table(df: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The group comparison as a table: one row per indicator, one column per group (rates in %, 1 decimal)."""
    groups = list(df["target_group"])
    rows = []
    for ind in indicators.REGISTRY:
        if ind.id not in df:
            continue
        unit = "%" if ind.kind == "rate" else (ind.unit_en if lang == "en" else ind.unit)
        row = {
            ui_text.t("groups.col.indicator", lang): indicator_name(ind.id, lang),
            ui_text.t("groups.col.unit", lang): unit,
        }
        for g, (_, r) in zip(groups, df.iterrows(), strict=True):
            v = r[ind.id]
            if ind.kind == "rate":
                v = None if pd.isna(v) else round(float(v) * 100, 1)
            elif ind.kind == "median":
                v = None if pd.isna(v) else round(float(v), 1)
            else:
                v = int(v)
            row[code_label("target_group", g, lang)] = v
        rows.append(row)
    return pd.DataFrame(rows)


def indicators_by_group(
    df: pd.DataFrame, *, title: str, lang: str = ui_text.DEFAULT_LANG, source: str = "", columns: int = 4
) -> go.Figure:
    """Small multiples: one panel per registered indicator, one bar per target group, value written on it.

    Rates show their 95% interval and ※ when the denominator is under 10; a rate not yet final is left empty
    and says 「未確定」.
    """
    ids = [i.id for i in indicators.REGISTRY if i.id in df]
    rows = math.ceil(len(ids) / columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[indicator_name(i, lang) for i in ids],
                        horizontal_spacing=0.05, vertical_spacing=0.1 if rows < 5 else 0.07)  # fmt: skip
    shown = df[df["target_group"].notna()]
    labels = [code_label("target_group", g, lang) for g in shown["target_group"]]
    for n, ind_id in enumerate(ids):
        ind = indicators.REGISTRY_BY_ID[ind_id]
        r, c = divmod(n, columns)
        values = shown[ind_id].astype("float64")
        plotted = values * 100 if ind.kind == "rate" else values
        texts = []
        for i, v in enumerate(values):
            if pd.isna(v):
                texts.append(ui_text.t("regions.not_final", lang) if ind.kind == "rate" else "–")
                continue
            small = ind.kind == "rate" and bool(shown[f"{ind_id}_is_small"].iloc[i])
            texts.append(format_value(v, ind_id) + ("※" if small else ""))
        fig.add_trace(go.Bar(
            x=labels, y=plotted, text=texts, textposition="outside", cliponaxis=False,
            marker=common.patterned_marker([group_style(g)["colour"] for g in shown["target_group"]],
                                           [group_style(g)["pattern"] for g in shown["target_group"]]),
            showlegend=False, name=indicator_name(ind_id, lang),
            hovertemplate="%{x}<br>%{text}<extra>" + indicator_name(ind_id, lang) + "</extra>",
        ), row=r + 1, col=c + 1)  # fmt: skip
        if plotted.isna().all():
            fig.add_annotation(text=ui_text.t("regions.not_final", lang) if ind.kind == "rate" else "–",
                               xref="x domain", yref="y domain", x=0.5, y=0.5, showarrow=False,
                               font={"size": 12, "color": common.GREY}, row=r + 1, col=c + 1)  # fmt: skip
        top = np.nanmax(plotted.to_numpy()) if plotted.notna().any() else 1.0
        fig.update_yaxes(range=[0, (top or 1.0) * 1.3], showticklabels=False, row=r + 1, col=c + 1)
    fig.update_xaxes(tickfont={"size": 10})
    common.style(fig, title=title, note=source or None, height=230 * rows + 120, legend=False, y_format=None)
    fig.update_yaxes(showticklabels=False, showgrid=False)
    fig.update_annotations(font_size=12, selector={"xref": None})
    for a in fig.layout.annotations:
        if a.text and a.text in {indicator_name(i, lang) for i in ids}:
            a.font = {"size": 12}
    return fig


def path_funnel(
    path_long: pd.DataFrame, *, title: str, lang: str = ui_text.DEFAULT_LANG, source: str = ""
) -> go.Figure:
    """The support path per group: one funnel panel per target group, stages top to bottom, each with its
    persons and share of the group's new persons written on it. ``path_long`` is ``groups.path_long``."""
    groups = [g for g in dict.fromkeys(path_long["target_group"]) if g is not None and not pd.isna(g)]
    if not groups:
        return common.empty_figure(ui_text.t("groups.empty", lang), title=title)
    fig = make_subplots(rows=1, cols=len(groups), shared_yaxes=True, horizontal_spacing=0.02,
                        subplot_titles=[code_label("target_group", g, lang) for g in groups])  # fmt: skip
    for i, g in enumerate(groups):
        part = path_long[path_long["target_group"] == g]
        s = group_style(g)
        per = "人" if lang != "en" else ""
        text = [f"{p:,}{per} ({sh * 100:.1f}%)" if pd.notna(sh) else f"{p:,}{per}"
                for p, sh in zip(part["persons"], part["share"], strict=True)]  # fmt: skip
        fig.add_trace(go.Funnel(
            y=list(part["stage_label"]), x=list(part["persons"]), text=text, textinfo="text",
            textposition="inside", marker={"color": s["colour"]}, connector={"line": {"color": common.LIGHT_GREY}},
            name=code_label("target_group", g, lang), showlegend=False,
            hovertemplate="%{y}: %{text}<extra>" + code_label("target_group", g, lang) + "</extra>",
        ), row=1, col=i + 1)  # fmt: skip
    common.style(fig, title=title, note=source or None, height=360, legend=False, y_format=None)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(rangemode="normal")
    return fig


def cohort_curves(
    df: pd.DataFrame, *, title: str, lang: str = ui_text.DEFAULT_LANG, source: str = "", highlight: tuple[int, ...] = ()
) -> go.Figure:
    """Cumulative placement rate (%) by months since first consultation: one panel per target group, one
    line per start year (colour, dash and marker differ; the last point is labelled with the year).
    Points not yet final are not drawn. ``highlight`` years are drawn thicker."""
    data = df[df["is_final"].astype(bool) & df["rate"].notna() & df["target_group"].notna()]
    groups = [g for g in GROUP_CODES if g in set(data["target_group"])]
    if not groups:
        return common.empty_figure(ui_text.t("groups.empty", lang), title=title)
    years = sorted(int(y) for y in data["fiscal_year"].dropna().unique())
    fig = make_subplots(rows=1, cols=len(groups), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[code_label("target_group", g, lang) for g in groups])  # fmt: skip
    for gi, g in enumerate(groups):
        for yi, y in enumerate(years):
            part = data[(data["target_group"] == g) & (data["fiscal_year"] == y)].sort_values(
                "months_since_first_consultation"
            )
            if part.empty:
                continue
            s = common.series_style(yi)
            hover = (
                "{label} %{{x}}か月: %{{y:.1f}}%<extra>{group}</extra>"
                if lang != "en"
                else ("{label} month %{{x}}: %{{y:.1f}}%<extra>{group}</extra>")
            )
            label = ui_text.fiscal_year_label(y, lang).split(" ")[0] if lang != "en" else f"FY{y}"
            thick = not highlight or y in highlight
            text = [""] * len(part)
            text[-1] = label
            fig.add_trace(go.Scatter(
                x=part["months_since_first_consultation"], y=part["rate"] * 100, mode="lines+markers+text",
                text=text, textposition="middle right", textfont={"size": 10, "color": common.text_colour(s["colour"])},
                line={"color": s["colour"], "dash": s["dash"], "width": 2.6 if thick else 1.2},
                marker={"symbol": s["marker"], "size": 5, "color": s["colour"]}, opacity=1.0 if thick else 0.45,
                name=label, legendgroup=str(y), showlegend=gi == 0, cliponaxis=False,
                hovertemplate=hover.format(label=label, group=code_label("target_group", g, lang)),
            ), row=1, col=gi + 1)  # fmt: skip
    common.style(fig, title=title, note=source or None, height=420, legend=True, y_format=None,
                 y_title="%")  # fmt: skip
    fig.update_xaxes(title_text=ui_text.t("groups.months_axis", lang), dtick=6, range=[0, 27])
    fig.update_yaxes(range=[0, 100], gridcolor="#EEF0F3")
    return fig


def breakdown_bars(
    df: pd.DataFrame,
    dimension: str,
    indicator_id: str,
    *,
    title: str,
    lang: str = ui_text.DEFAULT_LANG,
    source: str = "",
) -> go.Figure:
    """Grouped bars: categories of ``dimension`` on the axis, one bar per target group with its value."""
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    data = df[df["target_group"].notna()]
    cats = list(dict.fromkeys(data[dimension]))
    cat_labels = [code_label(dimension, c, lang) for c in cats]
    fig = go.Figure()
    for g in [g for g in GROUP_CODES if g in set(data["target_group"])]:
        part = data[data["target_group"] == g].set_index(dimension).reindex(cats)
        values = part[indicator_id].astype("float64")
        s = group_style(g)
        texts = []
        for c in cats:
            v = part.loc[c, indicator_id]
            small = ind.kind == "rate" and bool(part.loc[c, f"{indicator_id}_is_small"]) if pd.notna(v) else False
            texts.append(format_value(v, indicator_id) + ("※" if small else "") if pd.notna(v) else "")
        fig.add_trace(go.Bar(
            x=cat_labels, y=values * (100 if ind.kind == "rate" else 1), name=code_label("target_group", g, lang),
            text=texts, textposition="outside", cliponaxis=False,
            marker=common.patterned_marker(s["colour"], s["pattern"]),
        ))  # fmt: skip
    unit = "%" if ind.kind == "rate" else (ind.unit_en if lang == "en" else ind.unit)
    common.style(fig, title=title, note=source or None, height=400, legend=True, y_title=unit, y_format=None)
    fig.update_layout(barmode="group", bargap=0.2)
    return fig


def breakdown_table(
    df: pd.DataFrame, dimension: str, indicator_id: str, lang: str = ui_text.DEFAULT_LANG
) -> pd.DataFrame:
    """What :func:`breakdown_bars` shows, as a table (rates in % with one decimal, plus their denominator)."""
    ind = indicators.REGISTRY_BY_ID[indicator_id]
    data = df[df["target_group"].notna()]
    out = pd.DataFrame({
        ui_text.t("groups.col.group", lang): [code_label("target_group", g, lang) for g in data["target_group"]],
        ui_text.t(f"groups.dim.{dimension}", lang): [code_label(dimension, c, lang) for c in data[dimension]],
    })  # fmt: skip
    name = indicator_name(indicator_id, lang)
    if ind.kind == "rate":
        out[f"{name} (%)"] = (data[indicator_id] * 100).round(1).to_numpy()
        out[ui_text.t("regions.col.denominator", lang)] = data[f"{indicator_id}_denominator"].to_numpy()
    else:
        out[name] = data[indicator_id].to_numpy()
    return out


def referral_sankey(
    flows: pd.DataFrame, *, title: str, lang: str = ui_text.DEFAULT_LANG, source: str = ""
) -> go.Figure:
    """Referral flows as a Sankey: agency types on the left (紹介元) to agency types on the right (紹介先),
    band width = consultations; node labels carry the totals."""
    codes = [c.code for c in contract.AGENCY_TYPES]
    data = flows.copy()
    data["agency_type"] = data["agency_type"].fillna("other")
    left = [c for c in codes if c in set(data["agency_type"])]
    right = [c for c in codes if c in set(data["referred_to"])]
    out_tot = data.groupby("agency_type")["consultations"].sum()
    in_tot = data.groupby("referred_to")["consultations"].sum()
    labels = [f"{code_label('agency_type', c, lang)} ({int(out_tot[c]):,})" for c in left] + [
        f"→ {code_label('agency_type', c, lang)} ({int(in_tot[c]):,})" for c in right
    ]
    colours = [common.colour(codes.index(c)) for c in left] + [common.colour(codes.index(c)) for c in right]
    src = [left.index(a) for a in data["agency_type"]]
    dst = [len(left) + right.index(b) for b in data["referred_to"]]
    link_colours = [_rgba(common.colour(codes.index(a)), 0.35) for a in data["agency_type"]]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": colours, "pad": 14, "thickness": 16, "line": {"color": "white", "width": 0.5}},
        link={"source": src, "target": dst, "value": list(data["consultations"]), "color": link_colours,
              "hovertemplate": "%{source.label} → %{target.label}: %{value:,}<extra></extra>"},
    ))  # fmt: skip
    common.style(fig, title=title, note=source or None, height=420, legend=False, y_format=None)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def referral_table(flows: pd.DataFrame, lang: str = ui_text.DEFAULT_LANG) -> pd.DataFrame:
    """The referral flows as a table (what the Sankey shows)."""
    return pd.DataFrame({
        ui_text.t("groups.from", lang): [code_label("agency_type", c, lang) for c in flows["agency_type"]],
        ui_text.t("groups.to", lang): [code_label("agency_type", c, lang) for c in flows["referred_to"]],
        ui_text.t("groups.col.consultations", lang): flows["consultations"].astype("int64").to_numpy(),
        ui_text.t("groups.col.referral_persons", lang): flows["persons"].astype("int64").to_numpy(),
    })  # fmt: skip


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
