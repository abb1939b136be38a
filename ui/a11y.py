"""Accessibility fixes Streamlit has no option for, in one place (docs/accessibility.md).

The frame (ui/shell.py) calls :func:`apply` once per run. It adds one ``st.html`` element (not iframed, so it
reaches the page's own document) that:

- sets ``<html lang>`` to the language shown (Streamlit's page always says ``lang="en"``, so a screen reader read
  the Japanese pages with English rules);
- hides the KPI cards' sparklines from assistive technology: Streamlit draws them with Vega, whose marks read as
  "Vega visualization, x: 0; y: 3928" and include an empty image-role group with no name (axe ``svg-img-alt``).
  The same yearly values are in the card as text (:func:`visually_hidden` in ui/cards.py), so hiding the picture
  loses nothing;
- gives every focusable element a visible focus ring of at least 3:1 against the page (WCAG 2.4.7), where
  Streamlit's own is faint or missing (links, the language buttons, the toggles);
- makes elements that only carry hidden text (and this element itself) take no space in the layout.

Nothing here fetches anything or changes what the page says.
"""

from __future__ import annotations

import json

import streamlit as st

# Text for screen readers only (the usual "sr-only" recipe): present in the accessibility tree, not drawn.
HIDDEN_CLASS = "hyogaki-visually-hidden"

_STYLE = f"""
<style>
.{HIDDEN_CLASS} {{
  position: absolute !important; width: 1px !important; height: 1px !important; padding: 0 !important;
  margin: -1px !important; overflow: hidden !important; clip: rect(0, 0, 0, 0) !important;
  white-space: nowrap !important; border: 0 !important;
}}
[data-testid="stElementContainer"]:has(.{HIDDEN_CLASS}),
[data-testid="stElementContainer"]:has(.hyogaki-a11y-shim) {{
  position: absolute !important; width: 1px !important; height: 1px !important; overflow: hidden !important;
  clip: rect(0, 0, 0, 0) !important; margin: 0 !important;
}}
a:focus-visible, button:focus-visible, [role="tab"]:focus-visible, [role="radio"]:focus-visible,
[role="checkbox"]:focus-visible, [role="switch"]:focus-visible, input:focus-visible, summary:focus-visible,
[tabindex]:focus-visible {{
  outline: 3px solid #1f5fa8 !important; outline-offset: 2px !important;
}}
</style>
"""

_SCRIPT = """
<span class="hyogaki-a11y-shim" hidden></span>
<script>
(() => {
  document.documentElement.lang = %(lang)s;
  const hide = () => {
    for (const el of document.querySelectorAll('[data-testid="stMetricChart"]:not([aria-hidden])')) {
      el.setAttribute('aria-hidden', 'true');
    }
  };
  hide();
  if (!window.__hyogakiA11y) {
    window.__hyogakiA11y = new MutationObserver(hide);
    window.__hyogakiA11y.observe(document.body, {childList: true, subtree: true});
  }
})();
</script>
"""


def apply(lang: str) -> None:
    """The document's language, sparklines hidden from assistive technology, focus rings (see the module doc)."""
    st.html(_STYLE)  # only a <style>: Streamlit puts it in the event container, it takes no space
    st.html(_SCRIPT % {"lang": json.dumps(lang)}, unsafe_allow_javascript=True)


def visually_hidden(text: str) -> str:
    """HTML for text that screen readers read and the screen does not show (for ``st.markdown(unsafe_allow_html)``)."""
    from html import escape

    return f'<span class="{HIDDEN_CLASS}">{escape(text)}</span>'
