"""The widgets in a real JupyterLab, driven by headless Chromium: what a student's browser shows.

Opens tests/browser_notebooks/widgets_smoke.ipynb (graph_explorer and backward_stepper on
f = (x + y) z), runs it, moves the x slider by keyboard and by typing into its readout, presses
Next in the stepper and then Play, and reads the <text> elements of the inline SVGs each time.
About 20 s.
Screenshots go to pytest's tmp_path; the last one is also copied to /tmp/widget_screenshot.png.
"""

import shutil
import time
from pathlib import Path

import pytest
from _jupyter_browser import (
    CHROMIUM_ARGS,
    chromium_path,
    jupyter_lab,
    open_and_run_all,
    svg_texts,
    wait_svg_text,
)

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).parent / "browser_notebooks" / "widgets_smoke.ipynb"
EXPLORER = ".bp-graph-explorer"
STEPPER = ".bp-backward-stepper"
SCREENSHOT_FOR_REVIEW = Path("/tmp/widget_screenshot.png")

HIGHLIGHTED_NODES_JS = """(scope) => [...document.querySelectorAll(scope + ' svg g.node')]
  .filter(g => g.querySelector('[stroke-width="3.5"]'))
  .map(g => g.querySelector('title').textContent)"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python package is not installed"
    )
    chromium = chromium_path()
    if chromium is None:
        pytest.skip("no Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chromium")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_widgets_follow_slider_and_next_in_jupyterlab(browser, tmp_path):
    shots = tmp_path
    started = time.monotonic()
    with jupyter_lab([NOTEBOOK]) as lab:
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        try:
            open_and_run_all(page, lab, NOTEBOOK.name)
            wait_svg_text(page, EXPLORER, "q = 3", timeout_ms=60_000)
            wait_svg_text(page, STEPPER, "f = -12")
            kernel = page.locator(".jp-OutputArea-output", has_text="backprop_nb from:").first.inner_text()
            assert str(Path(__file__).parents[1] / "backprop_nb") in kernel, kernel  # the package under test
            assert "grad 3" in svg_texts(page, EXPLORER)  # ∂f/∂z = q = 3

            # keyboard: ArrowRight on the x slider's handle moves x by one step, -2 → -1.9
            page.locator(f"{EXPLORER} .widget-slider .noUi-handle").first.press("ArrowRight")
            wait_svg_text(page, EXPLORER, "q = 3.1")
            # typing into the readout: x = 1, so q = x + y = 6 and ∂f/∂z = q = 6
            page.locator(f"{EXPLORER} .widget-slider .widget-readout").first.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("1")
            page.keyboard.press("Enter")
            wait_svg_text(page, EXPLORER, "q = 6")
            texts = svg_texts(page, EXPLORER)
            assert {"x = 1", "q = 6", "f = -24", "grad 6"} <= set(texts), texts
            assert page.locator(f"{EXPLORER} .backprop-nb-table td", has_text="6").count() >= 1
            page.screenshot(path=str(shots / "1-explorer-after-slider.png"), full_page=True)

            # the stepper: Next takes the first step, at f (n4, highlighted), sending -4 to q and 3 to z
            assert page.evaluate(HIGHLIGHTED_NODES_JS, STEPPER) == []
            page.locator(f"{STEPPER} button", has_text="Next").click()
            page.locator(STEPPER, has_text="Step 1 of 5: ∂f/∂f = 1 is complete (the seed).").wait_for()
            wait_svg_text(page, STEPPER, "grad -4")
            assert page.evaluate(HIGHLIGHTED_NODES_JS, STEPPER) == ["n4"]
            page.locator(f"{STEPPER} button", has_text="Next").click()
            page.locator(STEPPER, has_text="∂f/∂x so far: -4").wait_for()
            page.wait_for_function(f"(scope) => ({HIGHLIGHTED_NODES_JS})(scope).join() === 'n3'", arg=STEPPER)
            assert svg_texts(page, STEPPER).count("grad -4") == 3  # q, and now x and y
            page.locator(f"{STEPPER} .backprop-nb-graph").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "2-stepper-after-next.png"))
            shutil.copy(shots / "2-stepper-after-next.png", SCREENSHOT_FOR_REVIEW)

            # Play (a timer in the browser) takes the 3 remaining steps, to the done state
            page.locator(f"{STEPPER} .widget-play button").first.click()
            page.locator(STEPPER, has_text="Done: every gradient is complete").wait_for(timeout=20_000)
            assert page.evaluate(HIGHLIGHTED_NODES_JS, STEPPER) == ["n0"]  # x, the last leaf
            assert "grad 3" in svg_texts(page, STEPPER)  # ∂f/∂z
            page.screenshot(path=str(shots / "3-stepper-done.png"))
        except Exception:
            page.screenshot(path=str(shots / "failure.png"), full_page=True)
            print(f"screenshots in {shots}; server log:\n{lab.log.read_text()[-3000:]}")
            raise
        finally:
            page.close()
    print(f"browser test: {time.monotonic() - started:.1f} s, screenshots in {shots}")
