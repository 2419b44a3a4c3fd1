"""`backprop-nb html DIR`: notebooks as HTML pages that load nothing from the internet, with every
picture inside the page, math as MathML and widgets as their still pictures."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from backprop_nb import export_html
from backprop_nb.__main__ import main
from backprop_nb.widgets._common import STATIC_NOTE

pytest.importorskip("nbconvert")
REPO = Path(__file__).resolve().parents[1]

CDN_NAMES = ("require.js", "require.min.js", "mathjax", "unpkg.com", "cdnjs", "jsdelivr", "embed-amd")
NETWORK_LOAD = re.compile(
    r"<(?:script|link|img|iframe|source|embed)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//|import\(\s*[\"'](?:https?:)?//",
    re.IGNORECASE,
)


def network_loads(page: str) -> list[str]:
    """What the page would fetch from the internet when opened: scripts, styles, pictures, CDNs."""
    found = [match.group(0) for match in NETWORK_LOAD.finditer(page)]
    return found + [name for name in CDN_NAMES if name in page.lower()]


@pytest.fixture(scope="module")
def small_notebook(tmp_path_factory) -> Path:
    """Math, a link to the next notebook, a figure, a graph and two widgets."""
    folder = tmp_path_factory.mktemp("notebooks")
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# Gradients of $f = (x + y) z$\n\nThe chain rule: $$\\frac{\\partial f}{\\partial x} = "
                "\\frac{\\partial f}{\\partial q}\\frac{\\partial q}{\\partial x}$$\n\n"
                "**Next:** [the next notebook](02_next.ipynb), [PyTorch](https://pytorch.org)."
            ),
            new_code_cell("import matplotlib.pyplot as plt\nimport backprop_nb as bp"),
            new_code_cell("plt.plot([0, 1], [1, 0])\nplt.show()"),
            new_code_cell(
                "def f(x, y, z):\n    return (x + y) * z\n\n\nbp.widgets.graph_explorer(f, x=-2, y=5, z=-4)"
            ),
            new_code_cell(
                "X, y = bp.data.moons(n=30, noise=0.1, seed=0)\n"
                "bp.widgets.training_dashboard(bp.nn.MLP([2, 8, 2], seed=0), X, y, resolution=10)"
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    path = folder / "01_small.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def executed_page(small_notebook: Path, tmp_path_factory) -> str:
    (page,) = export_html(tmp_path_factory.mktemp("pages"), [small_notebook], execute=True)
    assert page.name == "01_small.html"
    return page.read_text()


def test_the_page_loads_nothing_from_the_internet(executed_page: str) -> None:
    assert network_loads(executed_page) == []
    assert 'href="https://pytorch.org"' in executed_page  # a link the reader may follow is fine


def test_plain_nbconvert_would_load_scripts_from_cdns(small_notebook: Path) -> None:
    """What the offline page avoids (and proof that network_loads finds it)."""
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter(template_name="lab").from_filename(str(small_notebook))
    assert any("require" in found for found in network_loads(page))
    assert "mathjax" in network_loads(page)


def test_math_is_mathml_and_notebook_links_point_to_pages(executed_page: str) -> None:
    assert executed_page.count("<math") == 2 and 'display="block"' in executed_page
    assert "$f = (x + y) z$" not in executed_page and "\\frac" not in executed_page
    assert "<mfrac>" in executed_page
    assert 'href="02_next.html"' in executed_page


def test_figures_and_widgets_are_pictures_inside_the_page(executed_page: str) -> None:
    pictures = re.findall(r"<img [^>]*src=\"data:image/png;base64,", executed_page)
    assert len(pictures) == 3  # the figure, the explorer's graph, the dashboard's run
    assert executed_page.count(STATIC_NOTE) == 0  # written in the pictures
    assert "widget-view+json" not in executed_page and "model not found" not in executed_page


def test_the_command_writes_a_page_and_says_where(small_notebook: Path, tmp_path: Path, capsys) -> None:
    assert main(["html", str(tmp_path / "pages"), str(small_notebook)]) == 0
    assert (tmp_path / "pages" / "01_small.html").is_file()
    assert f"wrote 1 HTML page into {tmp_path / 'pages'}" in capsys.readouterr().out


def test_the_command_names_a_missing_notebook(tmp_path: Path, capsys) -> None:
    assert main(["html", str(tmp_path), str(tmp_path / "nowhere.ipynb")]) == 1
    error = capsys.readouterr().err
    assert "no notebook at" in error and "nowhere.ipynb" in error


def test_a_stored_notebook_exports_with_every_stored_picture(tmp_path: Path) -> None:
    """The committed notebook 08, not run: every picture it stores (figures, graphs, the
    dashboard's still) is in the page, and nothing is fetched from the internet."""
    notebook_path = REPO / "notebooks" / "08_training_an_mlp.ipynb"
    stored = nbformat.read(notebook_path, as_version=4)
    pictures = [
        output
        for cell in stored.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if {"image/png", "image/svg+xml"} & set(output.get("data", {}))
    ]
    (page,) = export_html(tmp_path, [notebook_path])
    text = page.read_text()
    assert network_loads(text) == []
    shown = re.findall(r"<img [^>]*src=\"data:image/(?:png|svg\+xml);base64,", text)
    assert len(pictures) >= 5 and len(shown) == len(pictures)


@pytest.mark.browser
def test_the_page_in_a_browser_draws_everything_offline(executed_page: str, browser, tmp_path: Path) -> None:
    """Chromium opens the page from disk with every network request refused: nothing is asked
    for, every picture decodes, and the math is laid out (MathML has a size)."""
    page_path = tmp_path / "page.html"
    page_path.write_text(executed_page)
    asked = []

    def file_only(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    page = browser.new_page()
    page.route("**/*", file_only)
    try:
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        drawn = page.evaluate(
            """() => ({
              images: [...document.images].map(img => img.naturalWidth),
              math: [...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().width),
            })"""
        )
    finally:
        page.close()
    assert asked == []
    assert len(drawn["images"]) == 3 and min(drawn["images"]) > 100
    assert len(drawn["math"]) == 2 and min(drawn["math"]) > 20
