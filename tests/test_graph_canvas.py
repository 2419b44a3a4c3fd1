"""The live graph view: viz.dot.live_drawing (layout + looks) and widgets.graph_canvas.GraphCanvas.

The page draws the layout once and then only sets texts and colours, so the looks must name
exactly the <text>s Graphviz draws for each node, and the layout must not change while values do.
"""

import html
import re

import numpy as np
import pytest
from _lecture_graphs import lecture_function
from hypothesis import given
from hypothesis import strategies as st

import backprop_nb as bp
from backprop_nb.viz import style
from backprop_nb.viz.dot import format_number, live_drawing, number_slot
from backprop_nb.viz.render import render_svg
from backprop_nb.widgets import backward_stepper, graph_explorer
from backprop_nb.widgets.graph_canvas import MEAN_ABS_CAPTION, GraphCanvas


def lecture_root():
    x, y, z = (bp.tensor(v, requires_grad=True, name=n) for n, v in [("x", -2.0), ("y", 5.0), ("z", -4.0)])
    return lecture_function(x, y, z)


def layer_root():
    """A small layer with arrays: broadcasting, a sum, array gradients on the arrows."""
    W = bp.tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True, name="W")
    b = bp.tensor(np.ones(3), requires_grad=True, name="b")
    X = bp.tensor(np.ones((4, 2)), name="X")
    loss = ((X @ W + b).tanh() * 2).sum()
    loss.name = "loss"
    return loss


def svg_texts(svg: str, kind: str) -> dict[str, list[list[str]]]:
    """Title of each node (or edge) → the texts of its <text> elements, one list per element found."""
    found: dict[str, list[list[str]]] = {}
    for group in re.findall(rf'<g id="{kind}\d+" class="{kind}">(.*?)</g>', svg, re.S):
        title = html.unescape(re.search(r"<title>(.*?)</title>", group).group(1))
        texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", group)]
        found.setdefault(title, []).append(texts)
    return found


@pytest.mark.parametrize("make_root", [lecture_root, layer_root])
def test_looks_name_the_texts_graphviz_draws_for_each_node_and_arrow(make_root):
    root = make_root()
    root.backward()
    drawing = live_drawing(root, edge_grads=True)
    drawn = svg_texts(render_svg(drawing.dot), "node")
    assert {node: looks["texts"] for node, looks in drawing.nodes.items()} == {
        node: texts[0] for node, texts in drawn.items()
    }
    arrows = svg_texts(render_svg(drawing.dot), "edge")
    for edge in drawing.edges:
        assert edge["texts"] in arrows[f"{edge['tail']}->{edge['head']}"]
    # the layout has a <text> for each of them, holding a slot where a number goes
    laid_out = svg_texts(render_svg(drawing.layout), "node")
    for node, looks in drawing.nodes.items():
        assert len(laid_out[node][0]) == len(looks["texts"])
    assert (
        format_number(float(root.data))
        in drawing.nodes[f"n{len(bp.topological_order(root)) - 1}"]["texts"][1]
    )


def test_lecture_graph_looks_hold_values_gradients_colours_and_full_precision_tips():
    root = lecture_root()
    root.backward()
    drawing = live_drawing(root, edge_grads=True)
    assert drawing.nodes["n3"]["texts"] == ["+", "q = 3", "grad -4"]
    assert drawing.nodes["n4"]["texts"] == ["×", "f = -12", "grad 1"]
    assert drawing.nodes["n4"]["fillcolor"] == style.NODE_STYLES["root"]["fillcolor"]
    assert drawing.nodes["n0"]["tip"] == "x\nvalue -2.0\ngrad -4.0"
    assert [(e["tail"], e["head"], e["texts"]) for e in drawing.edges] == [
        ("n0", "n3", ["-4"]),
        ("n1", "n3", ["-4"]),
        ("n3", "n4", ["-4"]),
        ("n2", "n4", ["3"]),
    ]
    assert drawing.dot == bp.to_dot(root, edge_grads=True)  # the exact picture, unchanged
    slot = number_slot(0.0, 4)
    assert f'label="{{+|{{q = {slot}|grad {slot}}}}}"' in drawing.layout


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(1, 17))
def test_the_slot_is_as_wide_as_any_number(value, precision):
    """Digits are the widest characters of a number: as many zeros as characters fit any number."""
    assert len(format_number(value, precision)) <= len(number_slot(value, precision))


def test_an_array_without_a_gradient_looks_the_same_live_and_still():
    """Before backward an array's box has its "grad" cell with "—" in both pictures (not "grad —"
    in one and "grad | —" in the other)."""
    drawing = live_drawing(layer_root())
    drawn = svg_texts(render_svg(drawing.dot), "node")
    assert {node: looks["texts"] for node, looks in drawing.nodes.items()} == {
        node: texts[0] for node, texts in drawn.items()
    }
    assert drawing.nodes["n1"]["texts"][-2:] == ["grad", "—"]  # b, shape (3,)


def test_layout_stays_while_values_change_and_changes_with_the_structure():
    def branchy(x):
        return x * 2 if x.item() > 0 else (x * 2).exp()

    explorer = graph_explorer(branchy, x=0.5)
    layout, nodes = explorer.graph.layout_dot, explorer.graph.nodes
    explorer.sliders["x"].value = 0.7
    assert explorer.graph.layout_dot == layout and explorer.graph.nodes != nodes
    assert explorer.graph.nodes["n2"]["texts"] == ["×", "1.4", "grad 1"]
    explorer.sliders["x"].value = -0.5  # now x·2 goes through exp: one node more
    assert explorer.graph.layout_dot != layout and "exp" in explorer.graph.layout_dot
    assert explorer.graph.nodes["n3"]["texts"] == ["exp", format_number(np.exp(-1.0)), "grad 1"]


def test_stepper_keeps_its_layout_through_every_step_and_moves_the_highlight():
    stepper = backward_stepper(lecture_root())
    node_id = {id(t): f"n{i}" for i, t in enumerate(bp.topological_order(stepper.root))}
    layout = stepper.graph.layout_dot
    assert stepper.graph.edges[0]["texts"] == [""]  # room for the gradient still to come
    assert stepper.graph.nodes["n0"]["texts"] == ["x = -2", "grad —"]
    for _ in range(stepper.total):
        stepper.next.click()
        assert stepper.graph.layout_dot == layout
        outlined = {n: (look["color"], look["penwidth"]) for n, look in stepper.graph.nodes.items()}
        highlight = (style.HIGHLIGHT["color"], style.HIGHLIGHT["penwidth"])
        assert [n for n, look in outlined.items() if look == highlight] == [node_id[id(stepper.current.node)]]
    assert stepper.graph.nodes["n0"]["texts"] == ["x = -2", "grad -4"]
    assert [e["texts"] for e in stepper.graph.edges] == [["-4"], ["-4"], ["-4"], ["3"]]


def test_an_array_arrow_explains_its_mean_abs_gradient():
    explorer = graph_explorer(lambda x: (x * bp.tensor([1.0, 2.0])).sum(), x=1.0)
    assert any(t.startswith("|g| ") for e in explorer.graph.edges for t in e["texts"])
    assert explorer.graph.caption == MEAN_ABS_CAPTION
    assert MEAN_ABS_CAPTION.startswith(" ".join(style.ARROW_TEXT_MEANINGS["mean_abs"]))
    assert graph_explorer(lecture_function, x=-2, y=5, z=-4).graph.caption == ""


def test_the_canvas_ships_the_bundle_and_sends_one_message_per_update():
    canvas = GraphCanvas()
    assert "renderDot" in canvas._esm and "Viz.js" not in canvas._esm[:100]  # the built module itself
    messages = []
    canvas.send_state = lambda key=None: messages.append(key)  # what hold_sync flushes
    root = lecture_root()
    root.backward()
    canvas.show(live_drawing(root, edge_grads=True))
    assert len(messages) == 1
