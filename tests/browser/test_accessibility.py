"""Accessibility (JIS X 8341-3:2016 level AA = WCAG 2.1 AA) in the real browser: axe-core on every page, a walk
by keyboard only, the document's language, icons hidden from assistive technology, and charts with names.

axe-core comes from the npm registry, pinned (``AXE_CORE_VERSION``; ``.ci/run`` installs exactly this version into
``tests/browser/node_modules/``, which git ignores) and is injected from that file: nothing is fetched at run time.
Without it the audit is skipped locally with the command to install it, and fails in CI (``CI=true``).
Every page is audited in Japanese and English, with the sample data and with an empty database; a serious or
critical violation of the WCAG 2.0/2.1 A and AA rules fails the test with the rule, the element and axe's advice.
What is known not to meet AA, and why, is in docs/accessibility.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import PROJECT_ROOT, Server, in_ci
from tests.browser.test_browser import (  # noqa: F401  (page is a fixture)
    RENDER_TIMEOUT_MS,
    assert_healthy,
    open_page,
    page,
    shoot,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

AXE_CORE_VERSION = "4.14.1"
AXE_DIR = PROJECT_ROOT / "tests" / "browser" / "node_modules" / "axe-core"
AXE_INSTALL = (
    f"npm install --no-save --no-package-lock --no-audit --no-fund --prefix tests/browser axe-core@{AXE_CORE_VERSION}"
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
LANGS = ("ja", "en")
REPORT_DIR = PROJECT_ROOT / "artifacts" / "accessibility"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe.min.js of the pinned version, installed locally (``.ci/run`` runs ``AXE_INSTALL``)."""
    script, manifest = AXE_DIR / "axe.min.js", AXE_DIR / "package.json"
    if script.is_file() and manifest.is_file():
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        if version == AXE_CORE_VERSION:
            return script
        message = f"axe-core {version} installed, {AXE_CORE_VERSION} expected: run `{AXE_INSTALL}`"
    else:
        message = f"axe-core not installed: run `{AXE_INSTALL}` (needs npm and the npm registry)"
    if in_ci():
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)


def audit(tab, axe_script: Path) -> list[dict]:
    """axe-core's violations of the WCAG 2.0/2.1 A and AA rules on the page as it is now."""
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.add_script_tag(path=str(axe_script))
    return tab.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                          summary: (n.failureSummary || '').slice(0, 300)})),
            }));
        }""",
        AXE_TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}, {len(v['nodes'])} elements): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}\n      {node['html']}\n      {node['summary']}".rstrip())
    return "\n".join(lines)


def assert_accessible(tab, axe_script: Path, where: str, name: str, lang: str) -> None:
    """Nothing serious by axe-core, and what axe does not check: the document's language, icons, chart names."""
    assert tab.evaluate("document.documentElement.lang") == lang, f"{where}: <html lang> is not {lang!r}"
    spoken_icons = tab.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stIconMaterial"]')]
                 .filter(el => !el.closest('[aria-hidden="true"]')).map(el => el.textContent)"""
    )
    assert not spoken_icons, f"{where}: icon names a screen reader would read as text: {spoken_icons}"
    unnamed = tab.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"]')]
                 .filter(el => !(el.getAttribute('aria-label') || '').trim()).length"""
    )
    assert unnamed == 0, f"{where}: {unnamed} charts without an accessible name (ui/charts.py show_chart)"
    violations = audit(tab, axe_script)
    REPORT_DIR.mkdir(parents=True, exist_ok=True)  # every violation, of any impact, for a closer look
    (REPORT_DIR / f"{name}.json").write_text(json.dumps(violations, ensure_ascii=False, indent=1), encoding="utf-8")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"{where}: {len(failing)} serious/critical axe-core violations\n{describe(failing)}"


# ---------------------------------------------------------------------------------------------
# axe-core on every page, both languages, sample data and empty database
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_passes_axe_with_the_sample_data(page, seeded_server, app_page, lang, axe_script):
    open_page(page, seeded_server, app_page.url_path, lang=None if lang == "ja" else lang)
    assert_healthy(page, seeded_server)
    assert_accessible(
        page, axe_script, f"{app_page.route} ({lang}, sample data)", f"{app_page.route}_{lang}_seeded", lang
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_passes_axe_with_an_empty_database(page, empty_server, app_page, lang, axe_script):
    open_page(page, empty_server, app_page.url_path, lang=None if lang == "ja" else lang)
    assert_healthy(page, empty_server)
    assert_accessible(
        page, axe_script, f"{app_page.route} ({lang}, empty database)", f"{app_page.route}_{lang}_empty", lang
    )


def test_menu_links_are_named_by_their_titles_alone(page, seeded_server, registered_pages):
    """The menu's icons are hidden: a link reads 「進捗」, not 「trending_up 進捗」."""
    open_page(page, seeded_server, "")
    nav = page.locator('[data-testid="stSidebar"]')  # the product's menu of st.page_link (ui/shell.py)
    for app_page in registered_pages:
        assert nav.get_by_role("link", name=app_page.title_ja, exact=True).count() == 1, app_page.title_ja


# ---------------------------------------------------------------------------------------------
# By keyboard only: the upload page, from the menu to a loaded file
# ---------------------------------------------------------------------------------------------

MESSY_FILE = PROJECT_ROOT / "sample_data" / "messy" / "k_bad_rows_consultations.csv"
MAX_TABS = 250
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    const uploader = el.closest('[data-testid="stFileUploaderDropzone"]');
    return {
        tag: el.tagName.toLowerCase(), role: el.getAttribute('role') || '',
        name: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 60),
        visible: ring, uploader: !!uploader && el.tagName === 'BUTTON', inOrder: el.tabIndex >= 0,
    };
}"""


@pytest.fixture(scope="module")
def keyboard_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path):
    """An empty server of its own: the walk loads a file, which the other tests' empty database must not see."""
    server = Server("keyboard", tmp_path_factory.mktemp("server_keyboard") / "data", seeding=False).start()
    yield server
    server.stop()


def tab_until(tab, wanted, what: str, walked: list[dict]) -> dict:
    """Press Tab until the focused element matches ``wanted``; every element passed must show its focus."""
    for _ in range(MAX_TABS):
        tab.keyboard.press("Tab")
        focused = tab.evaluate(FOCUSED)
        if focused is None:
            continue
        walked.append(focused)
        # (the file dialog hands focus back to Streamlit's hidden file input, outside the Tab order: not counted)
        assert focused["visible"] or not focused["inOrder"], f"no visible focus on {focused} (Tab {len(walked)})"
        if wanted(focused):
            return focused
    raise AssertionError(f"{what} not reached in {MAX_TABS} Tabs; focus went through {walked[-20:]}")


def test_the_upload_page_works_by_keyboard_alone(page, keyboard_server):
    open_page(page, keyboard_server, "")
    walked: list[dict] = []
    # the menu: Tab to 「データ取込」 and open it with Enter
    tab_until(page, lambda f: f["tag"] == "a" and f["name"].endswith("データ取込"), "the menu link データ取込", walked)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === 'データ取込'",
        timeout=RENDER_TIMEOUT_MS,
    )
    wait_until_idle(page)
    assert "lang=None" not in page.url, page.url  # the link keeps a real language (or none, for Japanese)
    # the file choice: its button opens the system's file dialog with Enter
    # (a rerun of the page can land between the Tab and the Enter and swallow the key: up to three tries, each
    # by keyboard only, re-focusing the button when the rerun moved focus away)
    for attempt in range(3):
        if not (page.evaluate(FOCUSED) or {}).get("uploader"):
            tab_until(page, lambda f: f["uploader"], "the file uploader's button", walked)
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Enter")
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            wait_until_idle(page)
    chooser.value.set_files(str(MESSY_FILE))
    page.get_by_text("確認結果（まだ保存していません）").wait_for(timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    # the load button, pressed with Space
    tab_until(page, lambda f: f["tag"] == "button" and "取り込む（" in f["name"], "the load button", walked)
    page.keyboard.press("Space")
    page.get_by_text("取込結果").wait_for(timeout=RENDER_TIMEOUT_MS)
    wait_until_idle(page)
    assert_healthy(page, keyboard_server)
    assert (
        "k_bad_rows_consultations.csv: バッチ 1 として取り込みました"
        in page.locator('[data-testid="stMain"]').inner_text()
    )
    shoot(page, "keyboard_upload_result")


def test_ci_installs_the_pinned_axe_core():
    """.ci/run installs the version this module expects (they cannot drift apart)."""
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"axe-core@{AXE_CORE_VERSION}" in ci
