"""backprop_nb.widgets: graph_explorer and backward_stepper driven from Python, as a notebook would."""

import base64
import shutil

import ipywidgets as widgets
import numpy as np
import pytest
from _lecture_graphs import lecture_function

import backprop_nb as bp
from backprop_nb.viz import style
from backprop_nb.viz.render import use_renderer
from backprop_nb.widgets import _common, backward_stepper, graph_explorer
from backprop_nb.widgets._common import STATIC_NOTE, html_table, lr_slider, make_slider, slider_value
from backprop_nb.widgets.graph_explorer import FLUID_NODE_LIMIT

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz `dot` not on PATH")
RENDERERS = [pytest.param("system", marks=needs_dot), "wasm"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def neuron(w0, x0, w1, x1, w2):
    """The lectures' sigmoid neuron σ(w0 x0 + w1 x1 + w2)."""
    out = (w0 * x0 + w1 * x1 + w2).sigmoid()
    out.name = "σ"
    return out


NEURON_START = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}


def neuron_grads_by_hand(w0, x0, w1, x1, w2):
    s = 1 / (1 + np.exp(-(w0 * x0 + w1 * x1 + w2)))
    ds = s * (1 - s)
    return {"w0": x0 * ds, "x0": w0 * ds, "w1": x1 * ds, "x1": w1 * ds, "w2": ds}


def highlighted(dot_source):
    """The ids of the nodes drawn with the highlight overlay."""
    marks = [f'{key}="{value}"' for key, value in style.HIGHLIGHT.items()]
    return [line.split()[0] for line in dot_source.splitlines() if all(m in line for m in marks)]


def leaves(*values, names="xyz"):
    return [bp.tensor(v, requires_grad=True, name=n) for v, n in zip(values, names, strict=False)]


# ----- graph_explorer ---------------------------------------------------------------------------
@pytest.mark.parametrize("renderer", RENDERERS)
def test_explorer_follows_a_slider_in_graph_table_and_svg(renderer):
    with use_renderer(renderer):
        explorer = graph_explorer(lecture_function, x=-2, y=5, z=-4)
        assert explorer.values == {"x": -2.0, "y": 5.0, "z": -4.0}
        assert explorer.grads == {"x": -4.0, "y": -4.0, "z": 3.0}
        assert "q = 3|grad -4" in explorer.dot_source
        assert ">q = 3</text>" in explorer.svg and ">f = &#45;12</text>" in explorer.svg.replace("-", "&#45;")

        explorer.sliders["x"].value = 1.0
    assert explorer.values["x"] == 1.0
    assert explorer.output.item() == -24.0
    assert explorer.grads == {"x": -4.0, "y": -4.0, "z": 6.0}  # ∂f/∂z = q = x + y
    assert "q = 6|grad -4" in explorer.dot_source
    assert "z = -4|grad 6" in explorer.dot_source
    assert ">q = 6</text>" in explorer.svg and ">grad 6</text>" in explorer.svg
    assert "<td style='padding:1px 10px;text-align:right'>6</td>" in explorer.table.value
    assert "f = -24" in explorer.table.value


def test_explorer_edges_carry_the_gradient_flowing_back():
    explorer = graph_explorer(lecture_function, x=-2, y=5, z=-4)
    # x, y, z, q, f are n0 … n4: z receives q = 3 along its arrow, q receives z = -4
    assert 'n2 -> n4 [label="3"]' in explorer.dot_source
    assert 'n3 -> n4 [label="-4"]' in explorer.dot_source


def test_explorer_sigmoid_neuron_matches_the_hand_derived_gradient():
    explorer = graph_explorer(neuron, **NEURON_START)
    assert explorer.output.item() == pytest.approx(0.7310585786)  # σ(1)
    for name, grad in neuron_grads_by_hand(**NEURON_START).items():
        assert explorer.grads[name] == pytest.approx(grad, rel=1e-12)
    explorer.sliders["w2"].value = 0.5
    moved = {**NEURON_START, "w2": 0.5}
    for name, grad in neuron_grads_by_hand(**moved).items():
        assert explorer.grads[name] == pytest.approx(grad, rel=1e-12)


def test_explorer_gradients_match_finite_differences_for_any_function():
    def g(a, b):
        return (a * b).tanh() + (a / b).exp()

    explorer = graph_explorer(g, a=0.7, b=(0.5, 3, 0.1))
    explorer.sliders["b"].value = 1.3
    numeric = bp.numerical_grad(lambda a, b: g(a, b), 0.7, 1.3)
    assert explorer.grads["a"] == pytest.approx(float(numeric[0]), rel=1e-6)
    assert explorer.grads["b"] == pytest.approx(float(numeric[1]), rel=1e-6)


def test_explorer_slider_specs_values_ranges_and_widgets():
    def h(x, y=0.5, z=2.0):
        return x * y + z

    user_slider = widgets.IntSlider(value=3, min=0, max=10, continuous_update=False)
    explorer = graph_explorer(h, x=-2, y=(0, 1), z=user_slider)
    x, y, z = (explorer.sliders[n] for n in "xyz")
    assert (x.min, x.max, x.step, x.value) == (
        -5.0,
        5.0,
        0.1,
        -2.0,
    )  # a range around the value, sign can flip
    assert (y.min, y.max, y.step, y.value) == (0.0, 1.0, 0.01, 0.5)  # starts at h's default
    assert z is user_slider and z.continuous_update is False  # a widget passed in keeps its settings
    assert explorer.values == {"x": -2.0, "y": 0.5, "z": 3.0}
    assert explorer.grads == {"x": 0.5, "y": -2.0, "z": 1.0}
    user_slider.value = 7
    assert explorer.output.item() == -1 + 7


def test_explorer_parameters_with_defaults_need_no_slider_and_a_midpoint_start():
    explorer = graph_explorer(lambda x, k=3.0: x * k, x=(-4, 2))
    assert explorer.values == {"x": -1.0}
    assert explorer.grads == {"x": 3.0}


def test_make_slider_rounds_the_range_and_step():
    assert (make_slider("a", 0).min, make_slider("a", 0).max) == (-1.0, 1.0)
    big = make_slider("a", 30)
    assert (big.min, big.max, big.step, big.readout_format) == (-100.0, 100.0, 1.0, ".0f")
    small = make_slider("a", 0.003)
    assert (small.min, small.max, small.step, small.readout_format) == (-1.0, 1.0, 0.01, ".2f")


def test_make_slider_on_a_log_scale_moves_in_powers_of_ten():
    lr = make_slider("lr", (3e-4, 20.0), log=True)  # widened to 1e-4 … 100
    assert isinstance(lr, widgets.FloatLogSlider) and lr.base == 10
    assert (lr.min, lr.max, lr.step) == (-4, 2, 0.1) and lr.value == pytest.approx(0.1)  # the middle
    around = make_slider("rate", 0.05, log=True)  # 1000 times smaller to 1000 times larger
    assert (around.min, around.max, around.value) == (-5, 2, 0.05)
    chosen = make_slider("rate", (1e-3, 1.0, 0.25), start=0.2, log=True)
    assert (chosen.min, chosen.max, chosen.step, chosen.value) == (-3, 0, 0.25, 0.2)
    for spec, start, error, words in [
        ((0.0, 1.0), None, ValueError, "needs 0 < min < max"),
        ((1.0, 0.1), None, ValueError, "needs 0 < min < max"),
        ((1e-3, 1.0), 5.0, ValueError, "starting value 5.0 is outside the range 0.001 … 1"),
        ((1e-3, 1.0), -1.0, ValueError, "rate must be a positive number"),
        (-0.1, None, ValueError, "rate must be a positive number"),
        ("fast", None, TypeError, "on a log scale give a positive number"),
    ]:
        with pytest.raises(error, match=words):
            make_slider("rate", spec, start, log=True)


def test_lr_slider_covers_the_usual_rates_and_acts_on_release():
    slider = lr_slider(0.1)
    assert (slider.min, slider.max, slider.step, slider.value) == (-4, 2, 0.05, 0.1)
    assert slider.continuous_update is False and slider.description == "lr"
    assert (lr_slider(3e-6).min, lr_slider(500.0).max) == (-6, 3)  # widened to hold the rate
    for bad in (0, -0.1, float("inf"), True, "0.1"):
        with pytest.raises(ValueError, match="lr must be a positive number"):
            lr_slider(bad)


@pytest.mark.parametrize(
    ("sliders", "error", "words"),
    [
        ({"x": (1, 1), "y": 5, "z": -4}, ValueError, "min must be less than max"),
        ({"x": (2, -2), "y": 5, "z": -4}, ValueError, "min must be less than max"),
        ({"x": (-2, 2, 0), "y": 5, "z": -4}, ValueError, "step must be positive"),
        ({"x": (-2, 2, -0.1), "y": 5, "z": -4}, ValueError, "step must be positive"),
        ({"x": (-2, 2, 5), "y": 5, "z": -4}, ValueError, "larger than the range"),
        ({"x": (-2, "2"), "y": 5, "z": -4}, ValueError, "finite numbers"),
        ({"x": (-2, float("nan")), "y": 5, "z": -4}, ValueError, "finite numbers"),
        ({"x": (-2, 2, 1, 0), "y": 5, "z": -4}, ValueError, "(min, max) or (min, max, step)"),
        ({"x": "big", "y": 5, "z": -4}, TypeError, "not str 'big'"),
        ({"x": True, "y": 5, "z": -4}, TypeError, "not bool"),
        ({"x": widgets.Text("a"), "y": 5, "z": -4}, TypeError, "must hold a number"),
        ({"x": -2, "y": 5, "z": -4, "w": 1}, TypeError, "slider 'w' is not a parameter of lecture_function"),
        ({"x": -2, "y": 5}, TypeError, "needs a slider for its parameter 'z'"),
        ({}, ValueError, "at least one slider"),
    ],
)
def test_explorer_rejects_bad_sliders_by_name(sliders, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        graph_explorer(lecture_function, **sliders)


def test_explorer_rejects_a_default_outside_the_range():
    with pytest.raises(ValueError, match=r"slider 'x': the starting value 5 is outside the range -1.0 … 1.0"):
        graph_explorer(lambda x=5: x * 2, x=(-1, 1))


def test_explorer_rejects_a_function_that_returns_no_tensor():
    with pytest.raises(TypeError, match=r"fn must return a Tensor computed from its inputs, not float"):
        graph_explorer(lambda x: x.item() * 2, x=1.0)
    with pytest.raises(TypeError, match="needs a function"):
        graph_explorer(3.0, x=1.0)


def test_explorer_error_at_the_start_propagates_with_a_note():
    def broken(x):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError, match="boom") as info:
        graph_explorer(broken, x=1.0)
    assert "while running broken(x=1) for the starting values" in info.value.__notes__[0]


def test_explorer_error_while_dragging_is_shown_and_the_next_value_recovers():
    def picky(x):
        if x.item() < 0:
            raise ValueError("x must not be negative")
        return x.sqrt()

    explorer = graph_explorer(picky, x=(-1, 4, 0.5))
    assert explorer.values == {"x": 1.5} and explorer.error is None and explorer.message.value == ""
    picture = explorer.svg
    explorer.sliders["x"].value = -1.0
    assert explorer.error == "ValueError: x must not be negative"
    assert "picky(x=-1) failed: ValueError: x must not be negative" in explorer.message.value
    assert "Traceback" not in explorer.message.value
    assert explorer.svg == picture and explorer.output.item() == pytest.approx(
        np.sqrt(1.5)
    )  # last good state
    explorer.sliders["x"].value = 4.0
    assert explorer.error is None and explorer.message.value == ""
    assert explorer.grads == {"x": 0.25}  # d√x/dx = 1/(2√x)


def test_explorer_with_several_outputs_differentiates_their_sum():
    explorer = graph_explorer(lambda x: x * np.arange(1.0, 4.0), x=2.0)
    assert explorer.grads == {"x": 6.0}
    assert "∂(Σ out)/∂input" in explorer.table.value


def test_explorer_without_renderer_keeps_working_and_says_why():
    with use_renderer("none"):
        explorer = graph_explorer(lecture_function, x=-2, y=5, z=-4)
        explorer.sliders["x"].value = 1.0
        # the still picture (drawn in the kernel) says why; the page draws the live graph itself
        assert "No graph picture: No Graphviz renderer" in explorer.svg and "<svg" not in explorer.svg
    assert explorer.grads["z"] == 6.0 and "q = 6" in explorer.dot_source
    assert explorer.graph.nodes["n3"]["texts"] == ["+", "q = 6", "grad -4"]


def test_explorer_updates_while_dragging_only_on_small_graphs():
    def chain(x, n=1):
        for _ in range(n):
            x = x * 1.01
        return x

    assert graph_explorer(chain, x=1.0).sliders["x"].continuous_update is True
    long = graph_explorer(lambda x: chain(x, FLUID_NODE_LIMIT), x=1.0)  # 2 tensors per step
    assert long.sliders["x"].continuous_update is False
    assert long.grads["x"] == pytest.approx(1.01**FLUID_NODE_LIMIT)


def drawn_pngs(monkeypatch):
    """Make graph_png record the DOT it is asked to draw and answer fake PNG bytes."""
    drawn = []
    monkeypatch.setattr(_common, "graph_png", lambda dot: drawn.append(dot) or b"\x89PNG dot")
    return drawn


def test_explorer_still_is_a_png_of_the_initial_graph(monkeypatch):
    drawn = drawn_pngs(monkeypatch)
    explorer = graph_explorer(lecture_function, x=-2, y=5, z=-4)
    explorer.sliders["x"].value = 1.0
    assert drawn == []  # drawn only when displayed
    bundle = explorer._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == explorer.model_id  # live front-ends get the widget
    assert len(drawn) == 1 and "q = 3" in drawn[0] and "q = 3" not in explorer.dot_source  # the start
    assert base64.b64decode(bundle["image/png"]) == b"\x89PNG dot" and "text/html" not in bundle
    assert bundle["text/plain"].splitlines() == [
        STATIC_NOTE,
        "lecture_function(x=-2, y=5, z=-4): f = -12",
        "∂f/∂x = -4   ∂f/∂y = -4   ∂f/∂z = 3",
    ]
    explorer._repr_mimebundle_()
    assert len(drawn) == 1  # drawn once, kept


def test_explorer_still_png_is_the_graph_drawn():
    bundle = graph_explorer(lecture_function, x=-2, y=5, z=-4)._repr_mimebundle_()
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000


def test_explorer_still_without_png_is_the_inline_svg(monkeypatch):
    monkeypatch.setattr(_common, "graph_png", lambda dot: None)
    bundle = graph_explorer(lecture_function, x=-2, y=5, z=-4)._repr_mimebundle_()
    assert "image/png" not in bundle
    assert bundle["text/html"].count("<svg") == 1 and ">q = 3</text>" in bundle["text/html"]
    assert STATIC_NOTE in bundle["text/html"] and "∂f/∂input" in bundle["text/html"]


def test_html_table_escapes_cells():
    table = html_table(["<a>", "b"], [["x&y", 0.123456]])
    assert "&lt;a&gt;" in table and "x&amp;y" in table and ">0.1235<" in table


# ----- backward_stepper --------------------------------------------------------------------------
def test_stepper_walks_the_lecture_graph_with_texts_highlight_and_grads():
    x, y, z = leaves(-2.0, 5.0, -4.0)
    stepper = backward_stepper(lecture_function(x, y, z))
    assert (stepper.index, stepper.total, stepper.done, stepper.current) == (0, 5, False, None)
    assert (
        stepper.step_text
        == "Ready: the backward pass starts at f with ∂f/∂f = 1. Press Next ▶ or play: 5 steps."
    )
    assert stepper.grads == {"f": 1.0}
    assert "x = -2|grad —" in stepper.dot_source and stepper.back.disabled
    assert highlighted(stepper.dot_source) == []

    stepper.next.click()
    assert stepper.current.node.name == "f"
    assert stepper.step_text.splitlines() == [
        "Step 1 of 5: ∂f/∂f = 1 is complete (the seed).",
        "×: local derivative ∂(a·b)/∂a = b,  ∂(a·b)/∂b = a",
        "  → q: upstream × local = 1 × -4 = -4;  ∂f/∂q so far: -4",
        "  → z: upstream × local = 1 × 3 = 3;  ∂f/∂z so far: 3",
    ]
    assert 'n4 [label="{×|{f = -12|grad 1}}"' in stepper.dot_source
    assert highlighted(stepper.dot_source) == ["n4"]
    assert "q = 3|grad -4" in stepper.dot_source and "x = -2|grad —" in stepper.dot_source
    assert ">grad &#45;4</text>" in stepper.svg or ">grad -4</text>" in stepper.svg

    stepper.next.click()
    assert stepper.step_text.splitlines()[2] == "  → x: upstream × local = -4 × 1 = -4;  ∂f/∂x so far: -4"
    assert highlighted(stepper.dot_source) == ["n3"]
    assert stepper.grads == {"f": 1.0, "q": -4.0, "z": 3.0, "x": -4.0, "y": -4.0}
    stepper.next.click()
    assert stepper.step_text == (
        "Step 3 of 5: ∂f/∂z = 3 is complete (one contribution).\nz is a leaf: backward() stores this gradient in z.grad."
    )
    stepper.play.value = 5  # what Play does at its last tick
    assert stepper.done and stepper.next.disabled and stepper.counter.value == "<b>done</b>"
    assert stepper.step_text.endswith(
        "Done: every gradient is complete, equal to what f.backward() computes."
    )


def test_stepper_shows_fan_out_adding_up():
    x, y = leaves(2.0, 3.0, names="xy")
    f = x * y + x  # x is used twice: once by ×, once by +
    f.name = "f"
    stepper = backward_stepper(f)
    stepper.next.click()  # the + node: x gets 1
    assert "  → x: upstream × local = 1 × 1 = 1;  ∂f/∂x so far: 1" in stepper.step_text
    assert stepper.grads["x"] == 1.0 and "x = 2|grad 1" in stepper.dot_source
    stepper.next.click()  # the × node: x gets y = 3 more
    assert "  → x: upstream × local = 1 × 3 = 3;  ∂f/∂x so far: 1 + 3 = 4" in stepper.step_text
    assert stepper.grads["x"] == 4.0 and "x = 2|grad 4" in stepper.dot_source
    stepper.next.click()
    assert stepper.step_text.startswith("Step 3 of 4: ∂f/∂y = 2 is complete (one contribution).")
    stepper.next.click()
    assert stepper.step_text.startswith("Step 4 of 4: ∂f/∂x = 4 is complete (the sum of 2 contributions).")


def test_stepper_back_and_reset_show_earlier_steps_again():
    x, y, z = leaves(-2.0, 5.0, -4.0)
    stepper = backward_stepper(lecture_function(x, y, z))
    start = (stepper.step_text, stepper.dot_source)
    stepper.next.click()
    after_one = (stepper.step_text, stepper.dot_source)
    stepper.next.click()
    stepper.back.click()
    assert (stepper.index, stepper.step_text, stepper.dot_source) == (1, *after_one)
    stepper.reset.click()
    assert (stepper.index, stepper.step_text, stepper.dot_source) == (0, *start)
    stepper.back.click()  # nothing before the start
    assert stepper.index == 0


def _sigmoid_neuron():
    ws = [bp.tensor(v, requires_grad=True, name=n) for n, v in NEURON_START.items()]
    return ws, neuron(*ws)


def _small_mlp():
    rng = np.random.default_rng(0)
    x = bp.tensor(rng.normal(size=(4, 3)), name="X")
    w1 = bp.tensor(rng.normal(size=(3, 5)), requires_grad=True, name="W1")
    b1 = bp.tensor(rng.normal(size=5), requires_grad=True, name="b1")
    w2 = bp.tensor(rng.normal(size=(5, 1)), requires_grad=True, name="W2")
    h = (x @ w1 + b1).tanh()
    loss = ((h @ w2) ** 2).mean() + (h * h).sum() * 0.1
    return [w1, b1, w2], loss


@pytest.mark.parametrize("build", [_sigmoid_neuron, _small_mlp])
def test_stepper_ends_with_exactly_backwards_gradients_and_leaves_the_graph_alone(build):
    params, root = build()
    stepper = backward_stepper(root)
    stepped = bp.topological_order(root)
    for _ in range(stepper.total):
        stepper.next.click()
        assert all(t.grad is None for t in stepped)  # the stepper writes no .grad into the user's graph
    assert stepper.done
    fresh_params, fresh_root = build()
    fresh_root.backward()
    fresh_order = bp.topological_order(fresh_root)
    for t, fresh in zip(stepped, fresh_order, strict=True):
        if t.requires_grad:
            assert np.array_equal(stepper.grad_of(t), fresh.grad), t
    for p, fresh in zip(params, fresh_params, strict=True):
        assert np.array_equal(stepper.grads[p.name], fresh.grad)
    # the last picture is the picture of the graph after backward(), with every arrow's gradient
    last = fresh_order[stepped.index(stepper.current.node)]
    assert stepper.dot_source == bp.to_dot(fresh_root, edge_grads=True, highlight=last)


def test_stepper_shows_the_ops_derivative_instead_of_a_product_for_arrays():
    _, loss = _small_mlp()
    stepper = backward_stepper(loss)
    stepper.play.value = stepper.total
    for index in range(1, stepper.total + 1):
        stepper.play.value = index
        if stepper.current.node.op is not None and isinstance(stepper.current.node.op, bp.ops.MatMul):
            break
    text = stepper.step_text
    assert "∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G" in text and "upstream × local" not in text
    assert "contribution min" in text


def test_stepper_rejects_roots_it_cannot_start_from():
    with pytest.raises(TypeError, match="not float"):
        backward_stepper(1.0)
    with pytest.raises(bp.GradError, match="does not require grad"):
        backward_stepper(bp.tensor(1.0))
    with pytest.raises(bp.GradError, match="one-element output"):
        backward_stepper(bp.tensor([1.0, 2.0], requires_grad=True) * 2)


def test_stepper_still_is_a_png_of_the_initial_graph(monkeypatch):
    drawn = drawn_pngs(monkeypatch)
    x, y, z = leaves(-2.0, 5.0, -4.0)
    stepper = backward_stepper(lecture_function(x, y, z))
    stepper.next.click()
    bundle = stepper._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and "image/png" in bundle and "text/html" not in bundle
    assert "x = -2|grad —" in drawn[0] and "q = 3|grad —" in drawn[0]  # the start: no gradient yet
    assert "q = 3|grad -4" in stepper.dot_source
    assert bundle["text/plain"].startswith(f"{STATIC_NOTE}\nReady: the backward pass starts at f")


def test_stepper_still_without_png_is_the_inline_svg(monkeypatch):
    monkeypatch.setattr(_common, "graph_png", lambda dot: None)
    x, y, z = leaves(-2.0, 5.0, -4.0)
    bundle = backward_stepper(lecture_function(x, y, z))._repr_mimebundle_()
    assert bundle["text/html"].count("<svg") == 1 and STATIC_NOTE in bundle["text/html"]
    assert ">grad —</text>" in bundle["text/html"] and "Ready: the backward pass" in bundle["text/html"]


def test_stepper_draws_the_gradients_so_far_not_the_grads_backward_left():
    x, y, z = leaves(-2.0, 5.0, -4.0)
    f = lecture_function(x, y, z)
    f.backward()  # .grad is set everywhere; the stepper must not show it before its steps get there
    stepper = backward_stepper(f)
    assert "x = -2|grad —" in stepper.dot_source and "q = 3|grad —" in stepper.dot_source
    stepper.next.click()
    assert "q = 3|grad -4" in stepper.dot_source and "x = -2|grad —" in stepper.dot_source
    assert x.grad == -4.0 and f.grad == 1.0  # and it left them alone


def test_stepper_handles_graphs_deeper_than_the_recursion_limit():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    h = x
    for _ in range(1500):
        h = h * 1.0
    with use_renderer("none"):  # the layout is not the point here
        stepper = backward_stepper(h)
        stepper.play.value = stepper.total
    assert stepper.total == 1501 and stepper.grads["x"] == 1.0


def test_nbconvert_without_widget_state_picks_the_still_png():
    """nbconvert's HTML export skips the widget view when the notebook saved no widget state."""
    nbconvert_filter = pytest.importorskip("nbconvert.filters.widgetsdatatypefilter")
    bundle = graph_explorer(lecture_function, x=-2, y=5, z=-4)._repr_mimebundle_()
    choose = nbconvert_filter.WidgetsDataTypeFilter(notebook_metadata={})
    assert choose(bundle) == ["image/png"]


def test_stepper_names_unnamed_tensors_by_their_op_and_value():
    x = bp.tensor(2.0, requires_grad=True, name="x")
    stepper = backward_stepper(x * x + 3)
    assert stepper.step_text.startswith("Ready: the backward pass starts at out with ∂out/∂out = 1.")
    stepper.next.click()
    assert stepper.step_text.splitlines()[2:] == [
        "  → (× node): upstream × local = 1 × 1 = 1;  ∂out/∂(× node) so far: 1",
        "  → 3: needs no gradient",
    ]
    stepper.next.click()  # x * x: both arguments are x, so x gets two contributions in one step
    assert stepper.step_text.splitlines()[2:] == [
        "  → x: upstream × local = 1 × 2 = 2;  ∂out/∂x so far: 2",
        "  → x: upstream × local = 1 × 2 = 2;  ∂out/∂x so far: 2 + 2 = 4",
    ]


def test_stepper_shows_upstream_times_local_for_elementwise_ops_on_arrays():
    x = bp.tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    stepper = bp.widgets.backward_stepper((x.exp() * 2).sum())
    texts = []
    while not stepper.done:
        stepper.next.click()
        texts.append(stepper.step_text)
    exp_step = next(t for t in texts if "exp" in t.splitlines()[1])
    assert "→ x: upstream × local" in exp_step
    sum_step = next(t for t in texts if "sum" in t.splitlines()[1])
    assert "upstream × local" not in sum_step  # a reduction is not elementwise


def test_every_elementwise_flag_is_right():
    elementwise = {
        name
        for name, op in vars(bp.ops).items()
        if isinstance(op, type) and getattr(op, "elementwise", False)
    }
    assert elementwise == {
        "Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Neg", "Exp", "Log",
        "Sin", "Cos", "Tanh", "Sigmoid", "ReLU", "Sqrt", "Abs",
    }  # fmt: skip


# ----- numbers a student can trust, and arguments checked (issue 12) --------------------------
def test_a_slider_value_is_snapped_to_its_step_before_use():
    """The browser computes min + k·step: typing 0 on a (-1, 2) slider gives -1.1e-16, not 0."""
    explorer = graph_explorer(lambda x, y: x * y, x=2, y=(-1, 2))
    explorer.sliders["y"].value = 0.5
    explorer.sliders["y"].value = -1.1102230246251565e-16  # what the page sends after typing 0
    assert explorer.values["y"] == 0.0 and explorer._inputs["y"].item() == 0.0
    assert explorer.grads["x"] == 0.0 and "y = 0" in explorer.graph.nodes["n1"]["texts"]
    assert slider_value(widgets.FloatSlider(value=0.30000000000000004, min=0, max=1, step=0.1)) == 0.3
    log = widgets.FloatLogSlider(value=10**0.05 * (1 + 1e-13), min=-4, max=2, step=0.05)
    assert slider_value(log) == 10**0.05
    assert slider_value(widgets.BoundedFloatText(value=0.123456789)) == 0.123456789  # no step: as it is


def test_explorer_of_an_output_no_input_reaches_shows_no_gradients():
    explorer = graph_explorer(lambda x: bp.tensor(3.0), x=1)
    assert explorer.grads == {"x": None} and explorer.output.item() == 3.0
    assert "∂out/∂x = —" in explorer._text_summary()
    explorer.sliders["x"].value = 2.0
    assert explorer.error is None and explorer.grads == {"x": None}


def test_stepper_checks_interval_ms_and_takes_numpy_integers():
    root = lecture_function(*leaves(-2.0, 5.0, -4.0))
    with pytest.raises(ValueError, match="interval_ms must be at least 1"):
        backward_stepper(root, interval_ms=-5)
    for wrong in ("500", 0.5, True, None):
        with pytest.raises(TypeError, match="interval_ms must be a whole number"):
            backward_stepper(root, interval_ms=wrong)
    assert backward_stepper(root, interval_ms=np.int64(300)).play.interval == 300


def test_slider_specs_take_numpy_numbers_and_name_a_bad_start():
    slider = make_slider("x", (np.int64(-1), np.float32(2.0), np.float64(0.5)), np.int64(0))
    assert (slider.min, slider.max, slider.step, slider.value) == (-1.0, 2.0, 0.5, 0.0)
    assert make_slider("x", np.int64(-2)).value == -2.0
    with pytest.raises(TypeError, match="slider 'x': the starting value must be a finite number, not 'a'"):
        make_slider("x", (-1, 2), "a")
    with pytest.raises(ValueError, match="slider 'x': the starting value must be a finite number, not nan"):
        make_slider("x", float("nan"))


def test_stepper_text_keeps_one_height_so_the_graph_stays_put():
    stepper = backward_stepper(lecture_function(*leaves(-2.0, 5.0, -4.0)))
    height = stepper.text.layout.height
    assert height and height.endswith("em")
    stepper.next.click()
    stepper.next.click()  # a step with two contributions: more lines than the first
    assert stepper.step_text.count("\n") >= 2 and stepper.text.layout.height == height
