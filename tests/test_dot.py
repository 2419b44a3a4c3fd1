"""backprop_nb.viz.dot: the DOT text of a computation graph, read back with a real DOT parser."""

import itertools
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pydot
import pytest
from _lecture_graphs import lecture_f

import backprop_nb as bp
from backprop_nb.viz import render, style
from backprop_nb.viz.dot import (
    broadcast_note,
    broadcast_shape,
    escape,
    format_number,
    format_shape,
    summarize,
    to_dot,
)

# pydot 4 still calls pyparsing's old method names when it builds its parser
pytestmark = pytest.mark.filterwarnings("ignore:'\\w+' deprecated - use:DeprecationWarning")

SVG = "{http://www.w3.org/2000/svg}"
RENDERERS_HERE = ["wasm", "system"] if shutil.which("dot") else ["wasm"]


# ----- helpers ------------------------------------------------------------------------------
def unquote(value: str) -> str:
    """A DOT attribute value as pydot returns it, without its quotes and DOT-level escapes."""
    assert value.startswith('"') and value.endswith('"'), value
    return value[1:-1].replace('\\"', '"')


def parse(dot: str) -> pydot.Dot:
    graphs = pydot.graph_from_dot_data(dot)
    assert graphs is not None and len(graphs) == 1
    return graphs[0]


def nodes(dot: str) -> dict[str, dict[str, str]]:
    """Node id → attributes (unquoted), for the graph's own nodes n0, n1, … (not legend, note)."""
    found = {}
    for node in parse(dot).get_nodes():
        if re.fullmatch(r"n\d+", node.get_name()):
            found[node.get_name()] = {k: unquote(v) for k, v in node.get_attributes().items()}
    return found


def labels(dot: str) -> dict[str, str]:
    return {name: attrs["label"] for name, attrs in nodes(dot).items()}


def edges(dot: str) -> list[tuple[str, str, str | None]]:
    """(tail, head, label or None) for every arrow, in file order."""
    found = []
    for edge in parse(dot).get_edges():
        label = edge.get_attributes().get("label")
        found.append((edge.get_source(), edge.get_destination(), unquote(label) if label else None))
    return found


def legend_labels(dot: str) -> list[str]:
    cluster = parse(dot).get_subgraph("cluster_legend")
    assert cluster, "no legend"
    return [
        unquote(n.get_attributes()["label"])
        for n in cluster[0].get_nodes()
        if n.get_name().startswith("legend")
    ]


# ----- the lectures' example ----------------------------------------------------------------
def test_lecture_example_shows_ops_names_values_and_gradients():
    *_, f = lecture_f()
    f.backward()
    assert labels(to_dot(f)) == {
        "n0": "x = -2|grad -4",
        "n1": "y = 5|grad -4",
        "n2": "z = -4|grad 3",
        "n3": "{+|{q = 3|grad -4}}",
        "n4": "{×|{f = -12|grad 1}}",
    }
    assert [(tail, head) for tail, head, _ in edges(to_dot(f))] == [
        ("n0", "n3"),
        ("n1", "n3"),
        ("n3", "n4"),
        ("n2", "n4"),
    ]


def test_gradients_show_a_dash_before_backward():
    *_, f = lecture_f()
    assert labels(to_dot(f))["n3"] == "{+|{q = 3|grad —}}"
    assert labels(to_dot(f))["n0"] == "x = -2|grad —"


def test_grad_of_shows_given_gradients_instead_of_dot_grad():
    x, _, z, q, f = lecture_f()
    f.backward()  # .grad everywhere; grad_of overrides all of it
    halfway = {f: np.array(1.0), q: np.array(-4.0), z: np.array(3.0)}  # after the first step
    by_mapping = labels(to_dot(f, grad_of=halfway))
    assert by_mapping == {
        "n0": "x = -2|grad —",  # missing: no gradient has reached x yet
        "n1": "y = 5|grad —",
        "n2": "z = -4|grad 3",
        "n3": "{+|{q = 3|grad -4}}",
        "n4": "{×|{f = -12|grad 1}}",
    }
    assert labels(to_dot(f, grad_of=halfway.get)) == by_mapping  # a function works the same
    assert x.grad == -4.0 and q.grad == -4.0  # and .grad is left as backward() made it


def test_grad_of_feeds_the_gradient_colours_and_the_nonfinite_mark():
    x, _, _, q, f = lecture_f()
    found = nodes(to_dot(f, grad_of={f: 1.0, q: np.inf, x: 0.01}, grad_colors=True))
    assert "⚠ first inf gradient" in found["n3"]["label"]  # q, no .grad at all
    assert found["n0"]["fillcolor"] == style.VIRIDIS[5]  # 1e-2 is two decades below f's 1
    assert found["n1"]["fillcolor"] == style.NODE_STYLES["parameter"]["fillcolor"]  # y: none given


def test_grad_of_is_checked_before_drawing():
    x, *_, f = lecture_f()
    with pytest.raises(TypeError, match="grad_of maps Tensors to gradients, but has a key of type str"):
        to_dot(f, grad_of={"x": 1.0})
    with pytest.raises(TypeError, match="grad_of must be a mapping or a function"):
        to_dot(f, grad_of=[1.0])
    with pytest.raises(
        bp.ShapeError, match=r"grad_of gave a gradient of shape \(2,\) for tensor .x. of shape \(\)"
    ):
        to_dot(f, grad_of={x: np.ones(2)})


def test_arguments_enter_in_order_and_the_graph_keeps_that_order():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    y = bp.tensor(2.0, requires_grad=True, name="y")
    d = y - x  # argument order differs from creation order
    dot = to_dot(d)
    assert [(tail, head) for tail, head, _ in edges(dot)] == [("n1", "n2"), ("n0", "n2")]
    assert parse(dot).get_node("graph")[0].get_attributes()["ordering"] == '"in"'


def test_edge_labels_are_the_gradients_each_backward_step_sends():
    x, *_, f = lecture_f()
    dot = to_dot(f, edge_grads=True)
    assert edges(dot) == [("n0", "n3", "-4"), ("n1", "n3", "-4"), ("n3", "n4", "-4"), ("n2", "n4", "3")]
    assert x.grad is None and f.grad is None  # the walk wrote no gradients


def test_edge_labels_agree_with_finite_differences_on_the_sigmoid_neuron():
    w0, x0, w1, x1, w2 = (bp.tensor(v, requires_grad=True) for v in (2.0, -1.0, -3.0, -2.0, -3.0))

    def neuron(w0, x0, w1, x1, w2):
        return 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())

    out = neuron(w0, x0, w1, x1, w2)
    leaves = {f"n{i}": t for i, t in enumerate(bp.topological_order(out)) if t.requires_grad and t.is_leaf}
    numerical = dict(zip(leaves, bp.numerical_grad(neuron, w0, x0, w1, x1, w2), strict=True))
    labelled = {
        tail: float(label) for tail, _, label in edges(to_dot(out, edge_grads=True)) if tail in leaves
    }
    assert labelled.keys() == leaves.keys()
    for name in leaves:
        assert labelled[name] == pytest.approx(float(numerical[name]), rel=1e-3)  # 4 significant digits
    assert labelled["n0"] == pytest.approx(-0.1966, abs=1e-4)  # the lectures' ∂f/∂w0 = -0.20


def test_edge_grads_can_label_just_the_steps_walked_so_far():
    *_, f = lecture_f()
    first_step = list(itertools.islice(bp.backward_steps(f), 1))
    assert edges(to_dot(f, edge_grads=first_step)) == [
        ("n0", "n3", None),
        ("n1", "n3", None),
        ("n3", "n4", "-4"),
        ("n2", "n4", "3"),
    ]


def test_edge_grads_reject_steps_of_another_graph_and_other_things():
    *_, f = lecture_f()
    *_, other = lecture_f()
    with pytest.raises(ValueError, match="another graph"):
        to_dot(f, edge_grads=list(bp.backward_steps(other)))
    with pytest.raises(TypeError, match="BackwardSteps"):
        to_dot(f, edge_grads=["not a step"])


def test_edge_grads_of_a_non_scalar_root_is_the_engines_error():
    v = bp.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(bp.GradError, match="one-element output"):
        to_dot(v * 2, edge_grads=True)


def test_x_plus_x_draws_two_arrows_each_with_its_gradient():
    x = bp.tensor(3.0, requires_grad=True, name="x")
    y = x + x
    y.backward()
    dot = to_dot(y, edge_grads=True)
    assert edges(dot) == [("n0", "n1", "1"), ("n0", "n1", "1")]
    assert labels(dot)["n0"] == "x = 3|grad 2"


# ----- arrays -------------------------------------------------------------------------------
def test_arrays_show_shape_min_max_mean_and_a_grad_cell():
    v = bp.tensor([1.0, 2.0, 3.0, 6.0], requires_grad=True, name="v")
    s = (v * v).sum()
    s.backward()  # ∂s/∂v = 2v
    found = labels(to_dot(s))
    assert found["n0"] == "v (4,)|min 1 · max 6\\nmean 3|{grad|min 2 · max 12\\nmean 6}"
    assert found["n1"] == "{×|{(4,)|min 1 · max 36\\nmean 12.5|{grad|min 1 · max 1\\nmean 1}}}"
    assert found["n2"] == "{sum|{50|grad 1}}"


def test_summaries_and_numbers_are_rounded_to_the_precision():
    assert format_number(1 / 3) == "0.3333"
    assert format_number(1 / 3, 2) == "0.33"
    assert format_number(3.0) == "3"
    assert format_number(-0.0) == "0"
    assert format_number(-1e-20, 3) == "-1e-20"
    assert format_number(123456.0) == "1.235e5"
    assert [format_number(v) for v in (np.nan, np.inf, -np.inf)] == ["nan", "inf", "-inf"]
    assert summarize(np.array([[-0.0]])) == ["0"]
    assert summarize(np.array([-1 / 3, 0.0, 2.0]), 2) == ["min -0.33 · max 2", "mean 0.56"]
    assert summarize(np.zeros((0, 3))) == ["empty"]
    assert summarize(np.array([np.inf, -np.inf])) == ["min -inf · max inf", "mean nan"]  # and no warning
    assert [format_shape(s) for s in ((4, 3), (3,), ())] == ["(4,3)", "(3,)", "()"]
    x = bp.tensor(-1 / 3, requires_grad=True, name="x")
    assert labels(to_dot(x * 1, precision=2))["n0"] == "x = -0.33|grad —"


def test_values_and_grads_can_be_switched_off():
    *_, f = lecture_f()
    f.backward()
    assert labels(to_dot(f, values=False))["n3"] == "{+|{q|grad -4}}"
    assert labels(to_dot(f, grads=False))["n3"] == "{+|{q = 3}}"
    unnamed = bp.tensor(2.0, requires_grad=True) * 3
    assert labels(to_dot(unnamed, values=False, grads=False)) == {"n0": "", "n1": "", "n2": "{×}"}


def test_top_to_bottom_layout_turns_the_record_around():
    *_, f = lecture_f()
    dot = to_dot(f, rankdir="TB")
    assert 'rankdir="TB"' in dot
    assert labels(dot)["n3"] == "+|{q = 3|grad —}"
    assert labels(dot)["n0"] == "{x = -2|grad —}"


def test_ops_use_the_lectures_symbols_and_show_their_parameters():
    a = bp.tensor([[1.0, 2.0]], requires_grad=True, name="a")
    out = ((a * 2 - 1) / 3) ** 2
    found = labels(to_dot(out.sum(axis=0)))
    ops = [label.split("|")[0].strip("{") for label in found.values() if label.startswith("{")]
    assert ops == ["×", "−", "÷", "^", "sum(axis=0)"]


# ----- kinds of node and their styles -------------------------------------------------------
def test_parameters_inputs_constants_ops_and_the_root_look_different():
    w = bp.tensor(2.0, requires_grad=True, name="w")
    data = bp.tensor(3.0, name="data")
    out = w * data + 1
    found = nodes(to_dot(out))
    fills = {name: attrs["fillcolor"] for name, attrs in found.items()}
    assert fills == {
        "n0": style.NODE_STYLES["parameter"]["fillcolor"],
        "n1": style.NODE_STYLES["input"]["fillcolor"],
        "n2": style.NODE_STYLES["op"]["fillcolor"],
        "n3": style.NODE_STYLES["constant"]["fillcolor"],
        "n4": style.NODE_STYLES["root"]["fillcolor"],
    }
    assert found["n3"]["style"] == "filled,dashed"  # the constant 1
    assert found["n4"]["penwidth"] == style.NODE_STYLES["root"]["penwidth"]
    assert len(set(fills.values())) == 4  # op and constant share white, told apart by the outline


def test_the_kinds_use_okabe_ito_colours():
    for kind, colour in [
        ("parameter", "sky_blue"),
        ("input", "yellow"),
        ("root", "orange"),
        ("block", "bluish_green"),
    ]:
        fill, base = (
            [int(c[i : i + 2], 16) for i in (1, 3, 5)]
            for c in (style.NODE_STYLES[kind]["fillcolor"], style.OKABE_ITO[colour])
        )
        # a tint: every channel moved the same fraction of the way to white (up to rounding)
        darkest = base.index(min(base))  # the channel with the most room tells the amount best
        amount = (fill[darkest] - base[darkest]) / (255 - base[darkest])
        assert all(abs(f - (b + (255 - b) * amount)) <= 1 for f, b in zip(fill, base, strict=True)), kind
        assert 0.2 < amount < 0.7


def test_highlight_outlines_the_chosen_tensors():
    x, _, _, q, f = lecture_f()
    found = nodes(to_dot(f, highlight=[q, x]))
    outlined = {name for name, attrs in found.items() if attrs.get("color") == style.BACKWARD}
    assert outlined == {"n0", "n3"}
    assert found["n3"]["penwidth"] == style.HIGHLIGHT["penwidth"]
    assert nodes(to_dot(f, highlight=f))["n4"]["color"] == style.BACKWARD  # one tensor is fine too
    assert "color" not in nodes(to_dot(f))["n4"]


def test_highlight_rejects_tensors_outside_the_graph_and_non_tensors():
    *_, f = lecture_f()
    with pytest.raises(ValueError, match="not in the graph"):
        to_dot(f, highlight=[bp.tensor(1.0, name="stranger")])
    with pytest.raises(TypeError, match="highlight takes Tensors"):
        to_dot(f, highlight=["x"])


def test_legend_lists_the_kinds_and_overlays_in_the_picture():
    x, *_, f = lecture_f()
    f.backward()
    assert "cluster_legend" not in to_dot(f)
    key = legend_labels(to_dot(f, legend=True))
    assert key == ["leaf that\\nrequires grad", "result of an op", "root\\n(the output drawn)"]
    key = legend_labels(to_dot(f, legend=True, edge_grads=True, highlight=[x]))
    assert "highlighted" in key
    assert any(entry.startswith("numbers on arrows") for entry in key)
    with_constant = legend_labels(to_dot(x * 2, legend=True))
    assert "constant\\n(unnamed leaf, no grad)" in with_constant


@pytest.mark.parametrize("choice", RENDERERS_HERE)
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_legend_entries_keep_their_order_in_the_picture(choice, rankdir):
    x = bp.tensor(1.0, requires_grad=True, name="x")
    dot = to_dot(x * bp.tensor(2.0, name="d") + 1, legend=True, rankdir=rankdir)
    with render.use_renderer(choice):
        svg = ET.fromstring(render.render_svg(dot))
    corners = {}
    for group in svg.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if group.get("class") == "node" and title.text.startswith("legend"):
            corner = group.find(f"{SVG}polygon").get("points").split()[0]
            corners[title.text] = tuple(float(c) for c in corner.split(","))
    assert len(corners) == 5  # parameter, input, constant, op, root
    across = [corners[f"legend{i}"][1 if rankdir == "LR" else 0] for i in range(5)]
    assert across == sorted(across)  # top to bottom (SVG's y grows downwards), or left to right


def test_legend_explains_mean_gradients_and_drops_kinds_hidden_by_gradient_colours():
    w = bp.tensor([1.0, 2.0], requires_grad=True, name="w")
    loss = (w * 3).sum()
    loss.backward()
    key = legend_labels(to_dot(loss, legend=True, edge_grads=True))
    assert "|g| on arrows: mean\\n|gradient| of an array" in key
    coloured = legend_labels(to_dot(loss, legend=True, grad_colors=True))
    assert not [entry for entry in coloured if entry.startswith(("parameter", "result"))]
    assert "constant\\n(unnamed leaf, no grad)" in coloured  # the 3 has no gradient, keeps its look


# ----- overlays -----------------------------------------------------------------------------
def test_first_nan_value_is_marked_and_the_ones_it_causes_are_not():
    a = bp.tensor(-1.0, requires_grad=True, name="a")
    with np.errstate(invalid="ignore"):
        b = a.log()  # nan
    c = b * 2
    d = c + 1
    found = nodes(to_dot(d))
    marked = {name for name, attrs in found.items() if "⚠" in attrs["label"]}
    assert marked == {"n1"}
    assert "⚠ first nan value" in found["n1"]["label"]
    assert found["n1"]["fillcolor"] == style.NONFINITE["fillcolor"]
    assert "⚠" not in to_dot(d, mark_nonfinite=False)
    assert "⚠ first nan" in legend_labels(to_dot(d, legend=True))[-1]


def test_first_infinite_gradient_in_backward_order_is_marked():
    x = bp.tensor(0.0, requires_grad=True, name="x")
    u = x * 3
    t = u.sqrt() * 2
    t.backward()  # d sqrt(u)/du = 1/(2 sqrt(0)) = inf reaches u first, then x
    assert np.isinf(u.grad) and np.isinf(x.grad)
    found = labels(to_dot(t))
    assert [name for name, label in found.items() if "⚠" in label] == ["n2"]  # u
    assert "⚠ first inf gradient" in found["n2"]


def test_broadcast_arrows_say_over_which_axes_the_gradient_is_summed():
    x = bp.tensor(np.ones((4, 3)), requires_grad=True, name="x")
    b = bp.tensor(np.arange(3.0), requires_grad=True, name="b")
    col = bp.tensor(np.ones((4, 1)), requires_grad=True, name="col")
    s = bp.tensor(2.0, requires_grad=True, name="s")
    out = ((x + b) * col - s).sum()
    out.backward()
    notes = {tail: label for tail, _, label in edges(to_dot(out))}
    assert notes == {
        "n0": None,
        "n1": "Σ over axis 0: (4,3) → (3,)",
        "n4": None,
        "n2": "Σ over axis 1: (4,3) → (4,1)",
        "n5": None,
        "n3": "Σ over axes 0, 1: (4,3) → ()",
        "n6": None,
    }
    with_grads = {tail: label for tail, _, label in edges(to_dot(out, edge_grads=True))}
    assert with_grads["n1"] == "|g| 4\\nΣ over axis 0: (4,3) → (3,)"  # b.grad = 4 per element
    np.testing.assert_array_equal(b.grad, [4.0, 4.0, 4.0])
    assert all(label is None for *_, label in edges(to_dot(out, broadcast=False)))
    product = (x @ bp.tensor(np.ones(3))).sum().op.parents[0]
    assert broadcast_note(product, 1, broadcast_shape(product.op)) is None  # matmul: no note


def test_grad_colors_step_down_one_viridis_colour_per_factor_of_ten():
    a = bp.tensor(1.0, requires_grad=True, name="a")  # n0, then a constant and a product each line
    b = a * 0.05  # n2
    c = b * 0.05  # n4
    loss = c * 0.05  # n6
    loss.backward()  # grads: loss 1, c 0.05, b 0.0025, a 0.000125: decades 0, -2, -3, -4
    found = nodes(to_dot(loss, grad_colors=True))
    fills = [found[name]["fillcolor"] for name in ("n6", "n4", "n2", "n0")]
    assert fills == [style.VIRIDIS[7], style.VIRIDIS[5], style.VIRIDIS[4], style.VIRIDIS[3]]
    assert found["n0"]["fontcolor"] == "#FFFFFF"  # white text on the dark half of the scale
    assert found["n6"]["fontcolor"] == "#000000"
    assert found["n1"]["fillcolor"] == style.NODE_STYLES["constant"]["fillcolor"]  # no gradient
    key = legend_labels(to_dot(loss, grad_colors=True, legend=True))
    assert [entry for entry in key if entry.startswith("mean")] == [
        "mean |grad| ≈ 1e0",
        "mean |grad| ≈ 1e-2",
        "mean |grad| ≈ 1e-3",
        "mean |grad| ≈ 1e-4",
    ]


def test_grad_colors_put_zero_gradients_at_the_dark_end_and_leave_missing_ones_alone():
    x = bp.tensor([-1.0, -2.0], requires_grad=True, name="x")
    loss = x.relu().sum()
    loss.backward()  # relu is off: x gets exactly 0
    found = nodes(to_dot(loss, grad_colors=True))
    assert found["n0"]["fillcolor"] == style.VIRIDIS[0]
    fresh = bp.tensor(1.0, requires_grad=True) * 2
    assert (
        nodes(to_dot(fresh, grad_colors=True))["n0"]["fillcolor"]
        == style.NODE_STYLES["parameter"]["fillcolor"]
    )


# ----- large graphs -------------------------------------------------------------------------
def two_layers(x, w1, w2):
    with bp.scope("layer1"):
        h = (x * w1 + 0.5).relu()
    with bp.scope("layer2"):
        out = h * w2
    return out.sum()


def test_collapse_draws_each_scope_call_as_one_block():
    x = bp.tensor([1.0, -2.0], name="x")
    w1 = bp.tensor(2.0, requires_grad=True, name="w1")
    w2 = bp.tensor(3.0, requires_grad=True, name="w2")
    loss = two_layers(x, w1, w2)
    loss.backward()
    dot = to_dot(loss, collapse=True)
    found = nodes(dot)
    blocks = {name: attrs["label"] for name, attrs in found.items() if attrs.get("shape") == "Mrecord"}
    assert list(blocks.values()) == [
        "{layer1|{× → + → relu|(2,)|min 0 · max 2.5\\nmean 1.25|{grad|min 3 · max 3\\nmean 3}}}",
        "{layer2|{(2,)|min 0 · max 7.5\\nmean 3.75|{grad|min 1 · max 1\\nmean 1}}}",
    ]
    assert list(found) == [
        "n0",
        "n1",
        "n2",
        "n6",
        "n7",
        "n8",
    ]  # x, w1, w2, layer1 (+ constant 0.5), layer2, sum
    assert [(tail, head) for tail, head, _ in edges(dot)] == [
        ("n0", "n6"),
        ("n1", "n6"),
        ("n6", "n7"),
        ("n2", "n7"),
        ("n7", "n8"),
    ]
    assert len(nodes(to_dot(loss))) == 9  # not collapsed


def test_collapse_merges_repeated_inputs_of_a_block_and_sums_their_gradients():
    x = bp.tensor(2.0, requires_grad=True, name="x")
    with bp.scope("square_plus"):
        y = x * x + x
    y.backward()  # dy/dx = 2x + 1 = 5
    dot = to_dot(y, collapse=True, edge_grads=True)
    assert edges(dot) == [("n0", "n2", "5")]
    block = nodes(dot)["n2"]  # the root is inside: a rounded box in the root's colours
    assert (block["shape"], block["fillcolor"]) == ("Mrecord", style.NODE_STYLES["root"]["fillcolor"])


def block_names(dot: str) -> list[str]:
    return [attrs["label"].split("|")[0] for attrs in nodes(dot).values() if attrs.get("shape") == "Mrecord"]


def layer(t, name):
    with bp.scope(name):
        return t * 2 + 1


def test_collapse_by_depth_and_a_scope_called_twice():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    with bp.scope("net"):
        h = layer(layer(x, "a"), "b")
    out = layer(h, "a") * 1  # "a" again, outside "net"
    assert block_names(to_dot(out, collapse=True)) == ["{a", "{b", "{a"]
    assert block_names(to_dot(out, collapse=1)) == ["{net", "{a"]


def test_consecutive_calls_of_one_scope_share_a_block():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    out = layer(layer(x, "a"), "a")  # nothing in between tells the two calls apart
    (label,) = [a["label"] for a in nodes(to_dot(out, collapse=True)).values() if a.get("shape") == "Mrecord"]
    assert label.startswith("{a|{× → + → × → +|")


def test_collapsed_pictures_have_no_cycles():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    with bp.scope("res"):
        y = x * 2
        with bp.scope("fc"):
            h = y * 3
        out = y + h  # the "res" ops come before and after the "fc" block
    picture = edges(to_dot(out, collapse=True))
    tails, heads = {t for t, _, _ in picture}, {h for _, h, _ in picture}
    remaining = list(picture)
    while remaining:  # peel off arrows from sources; a cycle would leave some behind
        sources = {t for t, _, _ in remaining} - {h for _, h, _ in remaining}
        assert sources, f"cycle among {remaining}"
        remaining = [e for e in remaining if e[0] not in sources]
    assert len(tails | heads) == 4  # x, res (y), fc, res (out)


def test_max_nodes_draws_the_nodes_nearest_the_root_and_says_how_many_are_left_out():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    t = x
    for _ in range(100):
        t = t * 1.0  # 100 products and 100 constants: 201 tensors, the root is n200
    dot = to_dot(t, max_nodes=10)
    assert list(nodes(dot)) == [f"n{i}" for i in range(191, 201)]
    note = parse(dot).get_node("more")[0].get_attributes()["label"]
    assert unquote(note) == "… 191 more nodes not shown: use collapse=True or max_nodes=201"
    assert [e for e in edges(dot) if e[0] == "more"] == [("more", "n192", None)]  # n190 (left out) × n191
    assert len(re.findall(r"^  n\d+ \[", to_dot(t), flags=re.MULTILINE)) == 150  # the default cap
    assert len(re.findall(r"^  n\d+ \[", to_dot(t, max_nodes=None), flags=re.MULTILINE)) == 201
    assert "use max_nodes=201" in to_dot(t, collapse=True)  # collapsing is on already


def test_invalid_options_are_named_in_the_error():
    *_, f = lecture_f()
    for options, error, words in [
        ({"rankdir": "LEFT"}, ValueError, "rankdir"),
        ({"precision": 0}, ValueError, "precision"),
        ({"precision": True}, ValueError, "precision"),
        ({"collapse": 0}, ValueError, "collapse"),
        ({"max_nodes": 0}, ValueError, "max_nodes"),
        ({"max_nodes": 2.5}, ValueError, "max_nodes"),
        ({"values": "yes"}, TypeError, "values"),
        ({"legend": None}, TypeError, "legend"),
    ]:
        with pytest.raises(error, match=words):
            to_dot(f, **options)
    with pytest.raises(TypeError, match="not of a ndarray"):
        to_dot(np.ones(3))


# ----- determinism and escaping -------------------------------------------------------------
def test_same_graph_gives_the_same_text_whatever_was_created_before():
    *_, first = lecture_f()
    first.backward()
    for _ in range(50):
        bp.tensor(1.0) * 2  # a notebook re-running cells creates many tensors
    *_, second = lecture_f()
    second.backward()
    options = {"edge_grads": True, "legend": True, "grad_colors": True}
    assert to_dot(first, **options) == to_dot(second, **options)
    assert "n0" in to_dot(first) and f"n{first._id}" not in to_dot(first)


HOSTILE = [
    'say "hi"',
    "back\\slash\\",
    "<b>bold</b>",
    "{a|b}",
    "x & y &amp; z",
    "line1\nline2",
    "\\N \\G \\l \\n",
    "<script>alert(1)</script>",
    'a"]; evil [label="x',
]


def test_escape_neutralises_graphviz_syntax():
    assert escape('a"b') == 'a\\"b'
    assert escape("a\\nb") == "a\\\\nb"
    assert escape("{a|b<c>}") == "\\{a\\|b\\<c\\>\\}"
    assert escape("{a|b}", record=False) == "{a|b}"
    assert escape("&lt;") == "&amp;lt;"
    assert escape("one\ntwo\x00") == "one\\\\ntwo\\\\x00"


def test_hostile_names_cannot_change_the_graph():
    tensors = [bp.tensor(float(i), requires_grad=True, name=name) for i, name in enumerate(HOSTILE)]
    total = tensors[0]
    for t in tensors[1:]:
        total = total + t
    total.name = "}{|"
    dot = to_dot(total, edge_grads=True, legend=True)
    names = [node.get_name() for node in parse(dot).get_nodes()]
    graph_nodes = [f"n{i}" for i in range(2 * len(HOSTILE) - 1)]
    assert names == ["graph", "node", "edge", *graph_nodes]  # no "evil"; the legend is a subgraph
    assert len(edges(dot)) == 2 * (len(HOSTILE) - 1)
    texts = set()
    for choice in RENDERERS_HERE:
        with render.use_renderer(choice):
            svg = ET.fromstring(render.render_svg(dot))
        assert not [e.tag for e in svg.iter() if not e.tag.startswith(SVG)]  # no foreign markup
        texts.add(frozenset(t.text for t in svg.iter(f"{SVG}text")))
    (shown,) = texts  # both renderers show the same text
    visible = [name.replace("\n", "\\n") for name in HOSTILE]
    assert {f"{name} = {i}" for i, name in enumerate(visible)} <= shown
    assert "}{| = 36" in shown


def test_hostile_scope_names_show_literally_in_blocks():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    out = layer(x, '<b>"scope"</b> {1|2}')
    dot = to_dot(out, collapse=True)
    (label,) = [attrs["label"] for attrs in nodes(dot).values() if attrs.get("shape") == "Mrecord"]
    assert label.startswith('{\\<b\\>"scope"\\</b\\> \\{1\\|2\\}|{')
    with render.use_renderer("wasm"):
        svg = ET.fromstring(render.render_svg(dot))
    assert '<b>"scope"</b> {1|2}' in {t.text for t in svg.iter(f"{SVG}text")}


def test_a_mean_that_is_zero_up_to_rounding_shows_as_zero():
    s = bp.tensor([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0]], requires_grad=True, name="s")
    bp.nn.cross_entropy(s, [0, 1]).backward()
    assert abs(s.grad.mean()) < 1e-15  # rows of a softmax gradient sum to zero
    assert "mean 0" in bp.to_dot(s)
    assert "e-1" not in bp.to_dot(s)


def test_no_broadcast_note_on_a_constant_that_gets_no_gradient():
    q = bp.tensor([1.0, 2.0], requires_grad=True, name="q")
    assert "Σ over" not in bp.to_dot((q**2).sum())
    b = bp.tensor(1.0, requires_grad=True, name="b")
    assert "Σ over axis 0: (2,) → ()" in bp.to_dot((q + b).sum())


def test_an_op_with_many_inputs_broadcasts_their_shapes_once_not_once_per_arrow(monkeypatch):
    """l2_penalty over n parameters is one op with n arrows: its shapes are broadcast once (time n, not n²)."""
    n = 300
    params = [bp.tensor(np.ones(2), requires_grad=True) for _ in range(n)]
    penalty = bp.nn.l2_penalty(params)
    penalty.backward()
    shapes_broadcast = []
    real = np.broadcast_shapes

    def counting(*shapes):
        shapes_broadcast.append(len(shapes))
        return real(*shapes)

    monkeypatch.setattr(np, "broadcast_shapes", counting)
    source = bp.to_dot(penalty, max_nodes=None, edge_grads=True)
    assert source.count(" -> ") == n
    assert sum(shapes_broadcast) <= 2 * n  # the old code broadcast n shapes for each of n arrows


def test_to_dot_draws_an_l2_penalty_over_ten_thousand_parameters():
    params = [bp.tensor(np.ones(2), requires_grad=True) for _ in range(10_000)]
    penalty = bp.nn.l2_penalty(params)
    source = bp.to_dot(penalty, max_nodes=None)  # took minutes when it was quadratic
    assert source.count(" -> n10000") == 10_000


def test_options_take_numpy_integers_and_bools_but_not_strings():
    x = bp.tensor([1.0, 2.0], requires_grad=True, name="x")
    y = (x * 2).sum()
    y.backward()
    expected = bp.to_dot(y, precision=3, max_nodes=2, legend=True, collapse=1, edge_grads=True)
    assert (
        bp.to_dot(
            y,
            precision=np.int64(3),
            max_nodes=np.int32(2),
            legend=np.bool_(True),
            collapse=np.int64(1),
            edge_grads=np.bool_(True),
        )
        == expected
    )
    with pytest.raises(TypeError, match="grads must be True or False, got 'no'"):
        bp.to_dot(y, grads="no")
    with pytest.raises(ValueError, match=r"max_nodes must be a whole number >= 1 or None, not 2\.0"):
        bp.to_dot(y, max_nodes=2.0)
