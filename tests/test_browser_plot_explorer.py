"""plot_explorer in a real JupyterLab, driven by headless Chromium.

Opens tests/browser_notebooks/plot_explorer.ipynb (a finite difference's error against h on
log-log axes, with the chosen h as a point; a curve with nan where log is undefined), runs it,
and checks what the page draws: every x of the curves joined on one axis, the point following
the slider, the message line, a new series when a menu changes the curve's label, and no
JavaScript errors. About 20 s.
"""

from pathlib import Path

import pytest
from _jupyter_browser import closing_page, jupyter_lab, open_and_run_all
from _training_browser import collect_errors, frames, message, points

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).parent / "browser_notebooks" / "plot_explorer.ipynb"
ERROR_PLOT = ".error-plot"
GAPS_PLOT = ".gaps-plot"


def legend(page, scope: str) -> list[str]:
    """The labels in the legend under the plot: the x axis', then each series'."""
    return page.locator(f"{scope} .u-legend .u-label").all_inner_texts()


def test_the_curves_follow_the_controls(browser, tmp_path):
    with jupyter_lab([NOTEBOOK]) as lab:
        page = browser.new_page(viewport={"width": 1024, "height": 1400})
        errors = collect_errors(page)
        with closing_page(page, tmp_path, lab.log):
            open_and_run_all(page, lab, NOTEBOOK.name)
            page.locator(f"{GAPS_PLOT} .bpnb-live").wait_for(timeout=120_000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('.bpnb-live')].every((l) => l.dataset.frames > 0)"
            )
            assert points(page, ERROR_PLOT) == 121  # the half curve and the point (h = 0.01) share hs' x
            assert legend(page, ERROR_PLOT) == ["h", "|error|", "h/2 sin 1", "chosen h"]
            assert message(page, ERROR_PLOT) == "h = 1e-02: error 4.2e-03"
            page.screenshot(path=str(tmp_path / "1-start.png"))

            before = frames(page, ERROR_PLOT)
            page.locator(f"{ERROR_PLOT} .widget-readout").click()
            page.keyboard.press("Control+A")
            page.keyboard.type("1e-8")
            page.keyboard.press("Enter")
            page.locator(f"{ERROR_PLOT} .backprop-nb-info", has_text="h = 1e-08: error 3.0e-09").wait_for()
            page.wait_for_function(
                f"() => document.querySelector('.error-plot .bpnb-live').dataset.frames > {before}"
            )
            page.screenshot(path=str(tmp_path / "2-moved.png"))

            assert points(page, GAPS_PLOT) == 61 and legend(page, GAPS_PLOT) == ["x", "log"]
            page.locator(f"{GAPS_PLOT} select").select_option("tanh")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.gaps-plot .u-legend .u-series')]"
                ".some((s) => s.querySelector('.u-label').innerText === 'tanh')"
            )
            assert legend(page, GAPS_PLOT) == ["x", "tanh"]
        assert errors == []
