"""The live training widgets in a real JupyterLab, driven by headless Chromium.

Opens tests/browser_notebooks/training_live.ipynb (a training_dashboard on the spiral with its
default settings, and a descent_explorer on the ravine), runs it, and checks what the page
paints: Play paints new frames with every epoch's point, Pause stops them, a divergent learning
rate shows the warning, a click on the loss surface moves the start, and the page logs no
JavaScript errors. About 40 s. Screenshots go to pytest's tmp_path.
"""

import time
from pathlib import Path

import pytest
from _jupyter_browser import closing_page, jupyter_lab, open_and_run_all
from _training_browser import (
    DASHBOARD,
    EXPLORER,
    collect_errors,
    cut_labels,
    epoch,
    frames,
    message,
    points,
    set_readout,
)

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).parent / "browser_notebooks" / "training_live.ipynb"


def test_dashboard_plays_pauses_and_warns_and_the_explorer_moves_its_start(browser, tmp_path):
    with jupyter_lab([NOTEBOOK]) as lab:
        page = browser.new_page(viewport={"width": 1024, "height": 1400})
        errors = collect_errors(page)
        with closing_page(page, tmp_path, lab.log):
            open_and_run_all(page, lab, NOTEBOOK.name)
            page.locator(f"{EXPLORER} .bpnb-live").wait_for(timeout=120_000)
            page.wait_for_function(
                f"() => document.querySelector('{DASHBOARD} .bpnb-live').dataset.frames > 0"
            )
            assert points(page, DASHBOARD) == 1 and epoch(page) == 0  # epoch 0 is on the curve at once
            assert cut_labels(page, DASHBOARD) == cut_labels(page, EXPLORER) == []  # readable at 1024 px

            # Play: new frames keep coming, one epoch each, every epoch's point on the curve
            page.locator(f"{DASHBOARD} button", has_text="Play").click()
            page.wait_for_function(
                f"() => document.querySelector('{DASHBOARD} .bpnb-live').dataset.frames > 8"
            )
            page.screenshot(path=str(tmp_path / "1-playing.png"))
            page.locator(f"{DASHBOARD} button", has_text="Pause").click()
            time.sleep(1.0)  # the frame on its way when Pause was pressed
            paused_frames, paused_epoch = frames(page, DASHBOARD), epoch(page)
            time.sleep(1.5)
            assert frames(page, DASHBOARD) == paused_frames and epoch(page) == paused_epoch >= 8
            assert points(page, DASHBOARD) == paused_epoch + 1  # 0, 1, ..., every epoch
            assert points(page, DASHBOARD, index=1) == paused_epoch + 1  # the accuracy curve too

            # a learning rate far too large: the loss blows up and the message line says so. From a
            # known state (a new run trained 8 epochs), since where Pause stopped varies and the
            # step from some epochs kills every ReLU instead, a different warning
            page.locator(f"{DASHBOARD} button", has_text="Reset").click()
            page.locator(
                f"{DASHBOARD} .backprop-nb-info", has_text="reset to the initial parameters"
            ).wait_for()
            for n in range(1, 9):
                page.locator(f"{DASHBOARD} button", has_text="Step").click()
                page.locator(f"{DASHBOARD} .backprop-nb-info", has_text=f"epoch {n},").wait_for(
                    timeout=20_000
                )
            set_readout(page, DASHBOARD, 0, "100")
            page.locator(f"{DASHBOARD} button", has_text="Step").click()
            page.locator(f"{DASHBOARD} .backprop-nb-error", has_text="⚠").wait_for(timeout=20_000)
            warning = message(page, DASHBOARD)
            assert "blown up" in warning or "diverged" in warning or "stopped" in warning, warning
            assert page.locator(f"{DASHBOARD} .u-title", has_text="loss").count() == 1
            page.screenshot(path=str(tmp_path / "2-warning.png"))

            # the explorer: a click on the surface moves the start of both paths, drawn in pieces
            # ("computing the paths: step k of 1000" on the way) up to the outcome of the whole paths
            before = message(page, EXPLORER)
            assert before.startswith("SGD(lr=0.01), 1000 steps: x (-4, 1)")
            canvas = page.locator(f"{EXPLORER} .bpnb-field canvas")
            box = canvas.bounding_box()
            canvas.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.3})
            page.wait_for_function(
                f"""() => {{
                  const text = document.querySelector('{EXPLORER}').innerText;
                  return text.includes('SGD(lr=0.01), 1000 steps: x (') && !text.includes('x (-4, 1)');
                }}""",
                timeout=30_000,
            )
            assert points(page, EXPLORER) == 1001
            page.screenshot(path=str(tmp_path / "3-explorer.png"))
            assert errors == [], errors
