"""tools/refresh_notebooks.py: what it stores for checked and unchecked cells, and the same bytes twice."""

import base64
import importlib.util
import io
from pathlib import Path

import matplotlib
import matplotlib.image
import nbformat
import numpy as np
import pytest
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("refresh_notebooks", ROOT / "tools" / "refresh_notebooks.py")
refresh_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refresh_notebooks)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def matplotlib_png() -> bytes:
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [1, 0])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def pixels(png: bytes) -> np.ndarray:
    return matplotlib.image.imread(io.BytesIO(png), format="png")


def test_a_png_keeps_its_pixels_and_loses_the_name_of_the_software_that_wrote_it():
    png = matplotlib_png()
    assert b"tEXtSoftware" in png and f"Matplotlib version{matplotlib.__version__}".encode() in png
    kept = base64.b64decode(refresh_notebooks._png_pixels_only(base64.b64encode(png).decode()))
    assert b"Software" not in kept and b"Matplotlib" not in kept
    np.testing.assert_array_equal(pixels(kept), pixels(png))
    with pytest.raises(ValueError, match="not a PNG"):
        refresh_notebooks._png_pixels_only(base64.b64encode(b"GIF89a").decode())


def test_printed_text_is_joined_per_stream_in_order():
    def stream(name, text):
        return {"output_type": "stream", "name": name, "text": text}

    figure = {"output_type": "display_data", "data": {"text/plain": "<Figure>"}, "metadata": {}}
    outputs = [
        stream("stdout", "passed:"),
        stream("stdout", " True\n"),
        stream("stderr", "careful\n"),
        figure,
    ]
    outputs += [stream("stdout", "after")]
    assert refresh_notebooks._joined_streams(outputs) == [
        stream("stdout", "passed: True\n"),
        stream("stderr", "careful\n"),
        figure,
        stream("stdout", "after"),
    ]


def test_a_widget_is_stored_without_its_live_part():
    output = {
        "output_type": "display_data",
        "data": {WIDGET_VIEW: {"model_id": "abc"}, "text/html": "<p>still</p>", "text/plain": "note"},
        "metadata": {WIDGET_VIEW: {"colab": {}}},
    }
    stored = refresh_notebooks._stored(output, 3)
    assert stored["data"] == {"text/html": "<p>still</p>", "text/plain": "note"}
    assert stored["metadata"] == {}


@pytest.mark.slow
def test_refreshing_keeps_pictures_drops_unchecked_text_and_gives_the_same_bytes_twice(tmp_path):
    path = tmp_path / "pictures.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nimport backprop_nb as bp"),
        nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint('took 0.123 s')\nplt.plot([0, 1], [1, 0]);"),
        nbformat.v4.new_code_cell(
            "x = bp.tensor(2.0, requires_grad=True, name='x')\nprint('checked')\nbp.show_graph(x * x)"
        ),
    ]
    nbformat.write(notebook, path)
    refresh_notebooks.refresh(path)
    first = path.read_bytes()
    refresh_notebooks.refresh(path)
    assert path.read_bytes() == first
    _, figure, graph = nbformat.read(path, as_version=4).cells
    assert [output.output_type for output in figure.outputs] == ["display_data"]  # the print is dropped
    assert base64.b64decode(figure.outputs[0].data["image/png"]).startswith(b"\x89PNG")
    assert [output.output_type for output in graph.outputs] == ["stream", "execute_result"]
    assert {"image/svg+xml", "image/png", "text/plain"} == set(graph.outputs[1].data)
    assert [cell.execution_count for cell in (figure, graph)] == [2, 3]
