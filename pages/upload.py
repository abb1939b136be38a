"""データ取込 Upload: many files at once, a preview with mapping override, then 取り込む (one transaction per file)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import config, contract
from analytics.ingest import templates
from analytics.text import ui_text
from analytics.views import upload
from analytics.views.upload import tr
from ui.auth import record, require

lang = ui_text.lang_or_default(st.session_state.get("lang"))
viewer = require("upload")  # ui/auth.py: analysts and admins
limits = upload.UploadLimits.from_env()
db_path = str(config.default_db_path())

# Session state: options per file (kind, sheet, header row, mapping overrides), checked files by options,
# the last load's results, and a counter that gives the uploader a new key (empties it) after a load.
options: dict[str, upload.FileOptions] = st.session_state.setdefault("upload.options", {})
cache: dict = st.session_state.setdefault("upload.cache", {})
generation: int = st.session_state.setdefault("upload.generation", 0)


def who() -> str | None:
    """The signed-in analyst (ui/auth.py); None in local single-user mode."""
    return None if viewer.local_mode else viewer.username


def show_table(frame, **kwargs) -> None:
    """A table with thousands separators for counts (1,234), years as written (2021: ``frame.attrs["plain"]``)
    and "–" where there is nothing to show (a skipped sheet has no counts; a cell may be empty)."""
    plain = set(frame.attrs.get("plain", ()))
    frame = frame.copy()
    config = {}
    for column in frame.select_dtypes("number").columns:
        if frame[column].isna().any():  # the grid shows a grey "None" for a missing number: text, right-aligned
            whole = pd.api.types.is_integer_dtype(frame[column])
            as_text = (lambda v: str(int(v))) if column in plain else (lambda v, w=whole: f"{int(v) if w else v:,}")
            frame[column] = frame[column].map(lambda v, f=as_text: "–" if pd.isna(v) else f(v)).astype(object)
            config[column] = st.column_config.TextColumn(alignment="right")
        else:
            config[column] = st.column_config.NumberColumn(format="%d" if column in plain else "localized")
    for column in frame.select_dtypes("object").columns:
        frame[column] = frame[column].where(frame[column].notna(), "–")
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config, **kwargs)


def set_option(file_id: str, widget_key: str, field: str) -> None:
    value = st.session_state[widget_key]
    current = options.get(file_id, upload.FileOptions())
    if field == "header_row":
        value = int(value) or None
    options[file_id] = upload.FileOptions(**{**current.__dict__, field: value or None})


def set_mapping(file_id: str, widget_key: str, header: str) -> None:
    options[file_id] = options.get(file_id, upload.FileOptions()).with_mapping(header, st.session_state[widget_key])


def save_profile(preview: upload.FilePreview, sheet, name_key: str) -> None:
    name = (st.session_state.get(name_key) or "").strip()
    if not name:
        st.session_state["upload.flash"] = ("warning", tr("upload.profile_name_missing", lang))
        return
    upload.save_mapping(name, sheet, db_path=db_path)
    cache.clear()  # the saved mapping changes how files with these headers are read
    st.session_state["upload.flash"] = ("success", tr("upload.profile_saved", lang, name=name))


def render_options(preview: upload.FilePreview, key: str) -> None:
    current = preview.options
    kinds = [None, *contract.KINDS]
    sheets = [None, *preview.sheet_names] if len(preview.sheet_names) > 1 or current.sheet else []
    cols = st.columns(3)
    cols[0].selectbox(
        tr("upload.kind", lang), kinds, index=kinds.index(current.kind),
        format_func=lambda k: tr("upload.kind_auto", lang) if k is None else upload.kind_label(k, lang),
        key=f"kind|{key}", on_change=set_option, args=(preview.file_id, f"kind|{key}", "kind"),
    )  # fmt: skip
    if sheets:
        if current.sheet and current.sheet not in sheets:
            sheets.append(current.sheet)
        cols[1].selectbox(
            tr("upload.sheet", lang), sheets, index=sheets.index(current.sheet),
            format_func=lambda s: tr("upload.sheet_all", lang) if s is None else s,
            key=f"sheet|{key}", on_change=set_option, args=(preview.file_id, f"sheet|{key}", "sheet"),
        )  # fmt: skip
    cols[2].number_input(
        tr("upload.header_row", lang), min_value=0, max_value=40, step=1, value=current.header_row or 0,
        key=f"header|{key}", on_change=set_option, args=(preview.file_id, f"header|{key}", "header_row"),
    )  # fmt: skip


def render_mapping(preview: upload.FilePreview, sheet, key: str) -> None:
    profile = preview.profiles.get(sheet.sheet)
    st.markdown(f"**{tr('upload.mapping', lang)}**")
    st.caption(tr("upload.mapping_help", lang))
    choices = upload.column_options(sheet.kind)
    for match in sheet.matches:
        if not match.header:
            continue
        left, middle, right = st.columns([3, 4, 5], vertical_alignment="center")
        left.markdown(f"`{upload.column_letter(match.index)}` {match.header}")
        note = upload.match_note(match, profile, lang)
        if match.personal:
            middle.markdown(f":red[{note}]")
            continue
        options_here = choices if (match.column or "") in choices else [*choices, match.column]
        widget = f"map|{key}|{match.index}"
        middle.selectbox(
            match.header, options_here, index=options_here.index(match.column or ""),
            format_func=lambda c: upload.column_label(c, lang), label_visibility="collapsed",
            key=widget, on_change=set_mapping, args=(preview.file_id, widget, match.header),
        )  # fmt: skip
        details = []
        if match.column:
            details.append(f"{tr('upload.col_confidence', lang)} {match.confidence:.0%}")
        if match.alternatives:
            alternatives = "、".join(upload.column_label(a, lang) for a in match.alternatives[:3])
            details.append(f"{tr('upload.col_alternatives', lang)}: {alternatives}")
        if note:
            details.append(note)
        right.caption(" ／ ".join(details))


def render_profile_save(preview: upload.FilePreview, sheet, key: str) -> None:
    """A name and a button: save this sheet's mapping (and, for figures, the context set by hand) as a profile."""
    name_key = f"profile|{preview.file_id}|{sheet.sheet}"
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.text_input(tr("upload.profile_name", lang), key=name_key, placeholder=tr("upload.profile_placeholder", lang))
    right.button(
        tr("upload.profile_save", lang), key=f"save|{key}|{sheet.sheet}", on_click=save_profile,
        args=(preview, sheet, name_key), icon=":material/bookmark_add:",
    )  # fmt: skip


def set_override(file_id: str, widget_key: str, item: str) -> None:
    options[file_id] = options.get(file_id, upload.FileOptions()).with_mapping(item, st.session_state[widget_key].strip())


def render_figures(preview: upload.FilePreview, sheet, key: str) -> None:
    """A reported-figures sheet: counts (figure cells), what was inferred and from where, overrides, checks."""
    layout = tr(f"upload.fig_layout.{sheet.figures.layout}", lang)
    st.markdown(f"##### {tr('upload.fig_heading', lang, sheet=sheet.sheet, layout=layout, row=sheet.header_row)}")
    if profile := preview.profiles.get(sheet.sheet):
        st.caption(tr("upload.profile_applied", lang, name=profile))
    counts = upload.sheet_counts(sheet)
    for card, name in zip(st.columns(5), upload.SUMMARY_KEYS, strict=True):
        label = f"upload.fig_{name}" if name in ("rows_read", "rows_excluded") else f"upload.{name}"
        card.metric(tr(label, lang), ui_text.format_count(counts[name], lang), border=True)
    st.caption(tr("upload.fig_counts_note", lang, loaded=f"{counts['rows_to_load']:,}", warned=f"{sheet.warned:,}",
                  targets=f"{len(sheet.figures.targets):,}"))  # fmt: skip
    if text := upload.excluded_text(sheet, lang):
        st.caption(text)
    st.markdown(f"**{tr('upload.fig_context', lang)}**")
    if summary := upload.figure_context_text(sheet, lang):
        st.caption(summary)
    show_table(upload.figure_context_table(sheet, lang))
    with st.container(border=True):
        st.caption(tr("upload.fig_override", lang))
        st.caption(tr("upload.fig_override_help", lang))
        current = upload.figure_overrides(sheet)
        columns = st.columns(4)
        for i, item in enumerate(upload.FIGURE_OVERRIDES):
            widget = f"fig|{key}|{sheet.sheet}|{item}"
            columns[i % 4].text_input(
                tr(f"upload.fig_override.{item}", lang), value=current[item], key=widget,
                on_change=set_override, args=(preview.file_id, widget, item),
            )  # fmt: skip
    render_profile_save(preview, sheet, key)
    if len(sheet.figures.checks):
        st.markdown(f"**{tr('upload.fig_checks', lang)}**")
        show_table(upload.figure_checks_table(sheet, lang))
    if sheet.preview is not None and len(sheet.preview):
        st.markdown(f"**{tr('upload.preview', lang, n=len(sheet.preview))}**")
        show_table(upload.preview_table(sheet, lang))
    if sheet.quarantined:
        st.markdown(f"**{tr('upload.reasons', lang)}**")
        show_table(upload.reasons_table(sheet, lang))


def render_sheet(preview: upload.FilePreview, sheet, key: str) -> None:
    if upload.is_figures(sheet):
        render_figures(preview, sheet, key)
        return
    kind = upload.kind_label(sheet.kind, lang) if sheet.kind else ui_text.t("unknown", lang)
    if sheet.status == "skipped":
        reason = sheet.skip_reason_en if lang == "en" and sheet.skip_reason_en else sheet.skip_reason
        st.warning(tr("upload.sheet_skipped", lang, sheet=sheet.sheet, reason=reason), icon=":material/block:")
        if not sheet.matches:
            return
    else:
        rows = {"row": sheet.header_row, "first": sheet.header_row - sheet.header_rows + 1}
        heading = "upload.sheet_heading_2rows" if sheet.header_rows == 2 else "upload.sheet_heading"
        st.markdown(f"##### {tr(heading, lang, sheet=sheet.sheet, kind=kind, **rows)}")
    if profile := preview.profiles.get(sheet.sheet):
        st.caption(tr("upload.profile_applied", lang, name=profile))
    if sheet.status != "skipped":
        counts = upload.sheet_counts(sheet)
        for card, name in zip(st.columns(5), upload.SUMMARY_KEYS, strict=True):
            card.metric(tr(f"upload.{name}", lang), ui_text.format_count(counts[name], lang), border=True)
        if text := upload.excluded_text(sheet, lang):
            st.caption(text)
    if sheet.dropped_personal:
        st.caption(tr("upload.personal_dropped", lang, columns="、".join(sheet.dropped_personal)))
    render_mapping(preview, sheet, f"{key}|{sheet.sheet}")
    render_profile_save(preview, sheet, key)
    if sheet.status == "skipped":
        return
    if sheet.preview is not None and len(sheet.preview):
        st.markdown(f"**{tr('upload.preview', lang, n=len(sheet.preview))}**")
        show_table(upload.preview_table(sheet, lang))
    if sheet.quarantined:
        st.markdown(f"**{tr('upload.reasons', lang)}**")
        show_table(upload.reasons_table(sheet, lang))


def render_file(preview: upload.FilePreview, expanded: bool) -> None:
    icon = {
        "ready": ":material/check_circle:",
        "loaded": ":material/check_circle:",
        "already_loaded": ":material/content_copy:",
        "error": ":material/error:",
    }[preview.status]
    state = {
        "ready": tr("upload.file_ready", lang),
        "loaded": ui_text.t("status.loaded", lang),
        "already_loaded": tr("upload.file_already", lang, batch=preview.existing_batch_id),
        "error": tr("upload.file_error", lang),
    }[preview.status]
    with st.expander(f"{preview.name} — {state}", expanded=expanded, icon=icon):
        if preview.status == "already_loaded":
            st.info(preview.message(lang), icon=":material/content_copy:")
            return
        if preview.error is not None:
            st.error(preview.message(lang), icon=":material/error:")
        key = f"{preview.file_id}|{preview.options.cache_key()}"
        with st.container(border=True):
            st.caption(tr("upload.options", lang))
            render_options(preview, key)
        for sheet in preview.sheets:
            render_sheet(preview, sheet, key)
        if preview.report is not None and preview.report.total("quarantined"):
            st.download_button(
                tr("upload.quarantine_download", lang), upload.preview_quarantine_workbook(preview, lang),
                file_name=upload.quarantine_file_name(preview.name), icon=":material/download:",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"q|{key}",
            )  # fmt: skip


def render_results(results: list[upload.LoadResult]) -> None:
    st.subheader(tr("upload.results", lang))
    for i, result in enumerate(results):
        show = {"loaded": st.success, "already_loaded": st.info}.get(result.status, st.error)
        show(result.message(lang))
        if result.status == "loaded" and result.counts.get("quarantined") and result.preview is not None:
            st.download_button(
                tr("upload.quarantine_download", lang), upload.preview_quarantine_workbook(result.preview, lang),
                file_name=upload.quarantine_file_name(result.name, result.batch_id), icon=":material/download:",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"rq|{i}",
            )  # fmt: skip
    st.caption(tr("upload.results_next", lang))
    if st.button(tr("upload.clear_results", lang), key="upload.clear"):
        st.session_state.pop("upload.results", None)
        st.rerun()


# ---------------------------------------------------------------------------------------------

st.title(tr("upload.title", lang))
st.caption(tr("upload.caption", lang))

with st.expander(tr("upload.templates", lang), icon=":material/table_view:"):
    st.caption(tr("upload.templates_help", lang))
    for column, kind in zip(st.columns(len(contract.KINDS)), contract.KINDS, strict=True):
        column.download_button(
            tr("upload.template_button", lang, kind=upload.kind_label(kind, lang)), templates.template_workbook(kind),
            file_name=templates.template_file_name(kind), key=f"template|{kind}", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )  # fmt: skip
    for column, form in zip(st.columns(len(contract.KINDS)), templates.FIGURE_FORMS, strict=False):
        column.download_button(
            tr("upload.template_button", lang, kind=tr(f"upload.template.{form}", lang)),
            templates.figure_template_workbook(form), file_name=templates.figure_template_file_name(form),
            key=f"template|{form}", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )  # fmt: skip

if flash := st.session_state.pop("upload.flash", None):
    getattr(st, flash[0])(flash[1])

if results := st.session_state.get("upload.results"):
    render_results(results)

files = st.file_uploader(
    tr("upload.uploader", lang),
    type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls"],
    accept_multiple_files=True,
    key=f"upload.files.{generation}",
    help=tr("upload.uploader_help", lang, mb=f"{limits.max_file_mb:g}", rows=f"{limits.max_rows:,}",
            files=limits.max_files),
    # Streamlit's own limit stays above ours, so an oversized file gets our Japanese message, not its English one.
    max_upload_size=max(200, int(limits.max_file_mb) + 1),
)  # fmt: skip
st.caption(tr("upload.uploader_help", lang, mb=f"{limits.max_file_mb:g}", rows=f"{limits.max_rows:,}",
              files=limits.max_files))  # fmt: skip
if not files:
    if not results:
        st.info(tr("upload.empty", lang), icon=":material/upload_file:")
    st.stop()

if len(files) > limits.max_files:
    st.warning(tr("upload.too_many_files", lang, limit=limits.max_files, n=len(files)))
pairs = [(f.name, f.getvalue()) for f in files]
bar = st.empty()


def progress(i: int, n: int, name: str) -> None:
    if n > 1:
        bar.progress((i - 1) / n, text=tr("upload.preparing", lang, i=i, n=n, file=name))


previews = upload.prepare_uploads(pairs, options, db_path=db_path, limits=limits, cache=cache, progress=progress)
bar.empty()
current = {(p.file_id, p.options.cache_key()) for p in previews}
for stale in [k for k in cache if k not in current]:  # keep one checked version per file on the page
    del cache[stale]

st.subheader(tr("upload.summary", lang))
show_table(upload.summary_table(previews, lang))
ready = upload.loadable(previews)
if st.button(
    tr("upload.load_button", lang, n=len(ready)), type="primary", disabled=not ready, key="upload.load",
    icon=":material/cloud_upload:",
):  # fmt: skip
    loading = st.progress(0.0)

    def load_progress(i: int, n: int, name: str) -> None:
        loading.progress((i - 1) / n, text=tr("upload.loading", lang, i=i, n=n, file=name))

    st.session_state["upload.results"] = upload.load_previews(
        previews, db_path=db_path, loaded_by=who(), progress=load_progress
    )
    for result in st.session_state["upload.results"]:
        record("upload", scope_text=f"batch:{result.batch_id}" if result.batch_id else None,
               details={"file": result.name, "status": result.status, **result.counts})  # fmt: skip
    loading.progress(1.0)
    cache.clear()
    options.clear()
    st.session_state["upload.generation"] = generation + 1
    st.rerun()
if not ready:
    st.caption(tr("upload.nothing_to_load", lang))

for preview in previews:
    render_file(preview, expanded=len(previews) <= 3 or preview.status == "error")
