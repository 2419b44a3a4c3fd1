"""widgets_as_stills: what a saved notebook stores for a widget (its still picture, never the
widget view that needs a kernel)."""

import ipywidgets as widgets
import nbformat
from _lecture_graphs import lecture_function
from nbformat.v4 import new_code_cell, new_notebook, new_output

from backprop_nb.stills import WIDGET_VIEW, widgets_as_stills
from backprop_nb.widgets import _common, graph_explorer
from backprop_nb.widgets._common import STATIC_NOTE


def notebook_with(*outputs):
    notebook = new_notebook(cells=[new_code_cell("x", outputs=list(outputs))])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return notebook


def displayed(widget):
    return new_output("display_data", data=widget._repr_mimebundle_())


def test_a_widget_keeps_its_still_picture_and_text(monkeypatch):
    monkeypatch.setattr(_common, "graph_png", lambda dot: b"\x89PNG dot")
    printed = new_output("stream", name="stdout", text="before\n")
    notebook = notebook_with(printed, displayed(graph_explorer(lecture_function, x=-2, y=5, z=-4)))
    assert widgets_as_stills(notebook) == 1
    before, picture = notebook.cells[0].outputs
    assert before == printed
    assert set(picture.data) == {"image/png", "text/plain"} and picture.output_type == "display_data"
    assert picture.data["text/plain"].startswith(STATIC_NOTE)
    assert "widgets" not in notebook.metadata
    nbformat.validate(notebook)


def test_the_graph_still_has_the_note_under_the_graph(monkeypatch):
    drawn = []
    monkeypatch.setattr(_common, "graph_png", lambda dot: drawn.append(dot) or b"\x89PNG dot")
    graph_explorer(lecture_function, x=-2, y=5, z=-4)._repr_mimebundle_()
    assert drawn[0].endswith(
        '  label="A still picture of the widget:\\lrun the cell in Jupyter to make it '
        'interactive.\\l"; labelloc="b"; labeljust="l"; fontcolor="#555555";\n}\n'
    )


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
