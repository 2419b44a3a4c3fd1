"""widgets_as_stills: what a saved notebook stores for a widget (its still picture and a note,
never the widget view that needs a kernel)."""

import ipywidgets as widgets
import nbformat
from _lecture_graphs import lecture_function
from nbformat.v4 import new_code_cell, new_notebook, new_output

from backprop_nb.stills import WIDGET_VIEW, widgets_as_stills
from backprop_nb.widgets import _common, graph_explorer
from backprop_nb.widgets._common import STATIC_NOTE


def notebook_with(*outputs):
    cell = new_code_cell("x", outputs=list(outputs))
    notebook = new_notebook(cells=[cell])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return notebook


def displayed(widget):
    return new_output("display_data", data=widget._repr_mimebundle_())


def test_a_widget_becomes_the_note_and_its_picture(monkeypatch):
    monkeypatch.setattr(_common, "graph_png", lambda dot: b"\x89PNG dot")
    printed = new_output("stream", name="stdout", text="before\n")
    notebook = notebook_with(printed, displayed(graph_explorer(lecture_function, x=-2, y=5, z=-4)))
    assert widgets_as_stills(notebook) == 1
    before, note, picture = notebook.cells[0].outputs
    assert before == printed
    assert note.data == {"text/markdown": f"*{STATIC_NOTE}*", "text/plain": STATIC_NOTE}
    assert set(picture.data) == {"image/png", "text/plain"} and picture.output_type == "display_data"
    assert "widgets" not in notebook.metadata
    nbformat.validate(notebook)


def test_a_widget_without_a_picture_keeps_only_its_text():
    notebook = notebook_with(displayed(widgets.IntSlider(value=3)))
    assert widgets_as_stills(notebook) == 1
    (output,) = notebook.cells[0].outputs
    assert list(output.data) == ["text/plain"] and "IntSlider" in output.data["text/plain"]


def test_other_outputs_are_left_alone():
    figure = new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})
    notebook = notebook_with(figure)
    assert widgets_as_stills(notebook) == 0
    assert notebook.cells[0].outputs == [figure] and WIDGET_VIEW not in figure.data
