"""Committed notebooks opened in JupyterLab *without running them*, as a reader of a fresh clone
sees them: untrusted (the copies are not signed), nothing executed. Every widget must show its
still picture (the note "run the cell ..." is written in it) and nothing else, every graph a
picture, and nothing may say "model not found".

Opens notebooks 02 (two graph widgets and many graphs), 05 (the descent explorer) and 08 (the
training dashboard) in headless Chromium; about 20 s each.
"""

from pathlib import Path

import pytest
from _jupyter_browser import closing_page, jupyter_lab

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
STORED = ["02_computational_graphs.ipynb", "05_losses_and_gradient_descent.ipynb", "08_training_an_mlp.ipynb"]

CELLS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(cell => ({
  source: cell.querySelector('.jp-InputArea-editor').textContent,
  prompt: cell.querySelector('.jp-InputPrompt').textContent,
  images: [...cell.querySelectorAll('.jp-OutputArea-output img')].filter(img => img.naturalWidth > 50).length,
  text: cell.querySelector('.jp-OutputArea').textContent,
}))"""


def draw_every_cell(lab) -> None:
    """JupyterLab draws only the cells near the view (windowing); here every cell must be drawn.
    Sets the notebook's windowing mode to "none" in the server's own settings folder (beside its
    root, see _jupyter_browser._isolated_env) before the page opens."""
    folder = lab.root.parent / "lab-settings" / "@jupyterlab" / "notebook-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')


def drawing_cells(cells: list[dict]) -> tuple[list[dict], list[dict]]:
    """The cells that display a widget (their last line is the widget's name), and show_graph cells."""
    widgets = [
        cell for cell in cells if "bp.widgets." in cell["source"] and "# a second" not in cell["source"]
    ]
    graphs = [cell for cell in cells if "bp.show_graph(" in cell["source"]]
    return widgets, graphs


@pytest.mark.parametrize("notebook", STORED)
def test_a_stored_notebook_shows_its_pictures_without_running(browser, tmp_path, notebook):
    with jupyter_lab([NOTEBOOKS / notebook]) as lab:
        draw_every_cell(lab)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        with closing_page(page, tmp_path, lab.log):
            page.goto(lab.url(notebook))
            page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=60_000)
            page.wait_for_timeout(2_000)  # the outputs render
            page.wait_for_function(  # and their pictures load
                "() => [...document.querySelectorAll('.jp-OutputArea-output img')].every(i => i.complete)",
                timeout=30_000,
            )
            cells = page.evaluate(CELLS_JS)
            page.screenshot(path=str(tmp_path / f"{notebook}.png"), full_page=True)
    widgets, graphs = drawing_cells(cells)
    assert widgets, "no widget cell found: the selectors no longer match JupyterLab"
    assert all("[*]" not in cell["prompt"] for cell in cells)  # nothing ran
    for cell in widgets:
        assert cell["images"] == 1 and "widget" not in cell["text"].lower(), cell["source"]
    for cell in graphs:
        assert cell["images"] >= 1, cell["source"]
    shown = " ".join(cell["text"] for cell in cells)
    assert "model not found" not in shown and "Error displaying widget" not in shown
    assert "<GraphView of" not in shown  # an untrusted SVG left as text
