"""backprop_nb.widgets.plot_explorer driven from Python, as a notebook would: set a control's
``.value`` and read what the plot is sent (``plot.state``), the message line and the still."""

import base64
import doctest
import re
import sys

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb.errors import ShapeError
from backprop_nb.widgets import Points, plot_explorer
from backprop_nb.widgets._common import STATIC_NOTE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
XS = np.linspace(-2.0, 2.0, 9)


def line(a, b=0.0):
    """The line y = a x + b over XS, with its slope as the message."""
    return {"a x + b": (XS, a * XS + b)}, f"slope {a}"


def sent(explorer):
    """What the page is sent: {label: (x, y)} as lists (None for a gap)."""
    state = explorer.plot.state["curves"]
    labels = [series["label"] for series in explorer.plot.panels[0]["series"]]
    return {label: (x, y) for label, x, y in zip(labels, state["xs"], state["ys"], strict=True)}


def test_moving_a_slider_sends_fn_s_new_curve_and_message():
    explorer = plot_explorer(line, a=(-3.0, 3.0, 0.5), b=1.0, xlabel="x", ylabel="y")
    assert explorer.values == {"a": 0.0, "b": 1.0}  # a range starts in its middle
    assert sent(explorer) == {"a x + b": (list(XS), [1.0] * 9)}
    assert explorer.message == "slope 0.0" and explorer.error is None
    frames = explorer.plot.frames_sent
    explorer.controls["a"].value = 2.5
    assert sent(explorer)["a x + b"][1] == list(2.5 * XS + 1.0)
    assert explorer.message == "slope 2.5" and "slope 2.5" in explorer._message.value
    assert explorer.plot.frames_sent == frames + 1  # one frame per change


def test_a_range_starts_at_fn_s_default():
    explorer = plot_explorer(line, a=1.0, b=(-5.0, 5.0))
    assert explorer.values == {"a": 1.0, "b": 0.0}


def test_dropdown_checkbox_and_int_slider_controls_pass_their_values():
    calls = []

    def activation(kind, derivative, points):
        calls.append((kind, derivative, points))
        x = np.linspace(-3, 3, points)
        y = {"relu": np.maximum(x, 0), "tanh": np.tanh(x)}[kind]
        if derivative:
            y = {"relu": (x > 0) * 1.0, "tanh": 1 - np.tanh(x) ** 2}[kind]
        return {kind: (x, y)}

    explorer = plot_explorer(
        activation, kind=["relu", "tanh"], derivative=False, points=widgets.IntSlider(5, min=2, max=50)
    )
    assert isinstance(explorer.controls["kind"], widgets.Dropdown)
    assert isinstance(explorer.controls["derivative"], widgets.Checkbox)
    assert calls == [("relu", False, 5)] and isinstance(calls[0][2], int)
    assert sent(explorer)["relu"][1] == [0.0, 0.0, 0.0, 1.5, 3.0]

    explorer.controls["kind"].value = "tanh"
    assert list(sent(explorer)) == ["tanh"]  # other labels: the panel's series follow
    assert explorer.plot.panels[0]["series"][0]["label"] == "tanh"
    explorer.controls["derivative"].value = True
    assert sent(explorer)["tanh"][1] == pytest.approx(list(1 - np.tanh(np.linspace(-3, 3, 5)) ** 2))
    explorer.controls["points"].value = 7
    assert calls[-1] == ("tanh", True, 7) and len(sent(explorer)["tanh"][0]) == 7


def test_a_menu_starts_at_fn_s_default_when_it_is_a_choice():
    def f(kind="tanh"):
        return {kind: ([0, 1], [0, 1])}

    assert plot_explorer(f, kind=["relu", "tanh"]).values == {"kind": "tanh"}
    assert plot_explorer(f, kind=("relu", "sigmoid")).values == {"kind": "relu"}


def test_points_are_drawn_without_a_line_and_curves_keep_their_own_x():
    def error_at(h):
        hs = np.array([1e-3, 1e-2, 1e-1])
        return {"error": (hs, hs / 2), "chosen h": Points(h, h / 2)}

    explorer = plot_explorer(error_at, h=widgets.FloatLogSlider(value=0.01, min=-3, max=-1), logx=True)
    assert explorer.controls["h"].description == "h"  # a widget without a name is given its parameter's
    series = explorer.plot.panels[0]["series"]
    assert series[1] == {"label": "chosen h", "color": series[1]["color"], "span_gaps": False} | {
        "line": False,
        "points": True,
    }
    assert "line" not in series[0] and series[0]["span_gaps"] is False
    assert sent(explorer)["chosen h"] == ([0.01], [0.005])  # a number is one point
    explorer.controls["h"].value = 10**-2.5
    assert sent(explorer)["chosen h"] == ([pytest.approx(10**-2.5)], [pytest.approx(10**-2.5 / 2)])
    assert sent(explorer)["error"][0] == [1e-3, 1e-2, 1e-1]
    assert isinstance(explorer.curves["chosen h"], Points)


def test_points_are_sorted_and_a_decreasing_curve_is_drawn_from_the_left():
    explorer = plot_explorer(
        lambda s: {"p": Points([3, 1, 2], [30, 10, 20]), "c": ([2, 1, 0], [s, 1, 0])}, s=2.0
    )
    assert sent(explorer) == {"p": ([1, 2, 3], [10, 20, 30]), "c": ([0, 1, 2], [0, 1, 2])}


def test_non_finite_values_are_gaps():
    def logarithm(a):
        with np.errstate(divide="ignore", invalid="ignore"):
            return {"log": (XS, np.log(a * XS))}

    explorer = plot_explorer(logarithm, a=1.0)
    y = sent(explorer)["log"][1]
    assert y[:4] == [None] * 4 and y[4] is None  # log of negatives: nan; log 0: -inf
    assert y[5:] == pytest.approx(list(np.log(XS[5:])))


def test_panel_carries_labels_log_axes_and_fixed_limits():
    explorer = plot_explorer(
        lambda a: {"y": ([1, 10], [a, a])},
        a=1.0,
        xlabel="h",
        ylabel="error",
        title="t",
        logx=True,
        logy=True,
        xlim=(0.1, 100),
        ylim=(1e-3, 10),
    )
    panel = explorer.plot.panels[0]
    assert (panel["xlabel"], panel["ylabel"], panel["title"]) == ("h", "error", "t")
    assert panel["logx"] is True and panel["log_switch"] is True and explorer.plot.log_scale is True
    assert panel["x_range"] == [0.1, 100.0] and panel["y_range"] == [1e-3, 10.0]
    unlogged = plot_explorer(lambda a: {"y": ([1, 10], [a, a])}, a=1.0).plot
    assert unlogged.panels[0]["x_range"] is None and unlogged.log_scale is False


def test_an_error_while_dragging_is_shown_in_red_and_the_plot_keeps_the_last_curves():
    def picky(a):
        if a < 0:
            raise ValueError("a must not be negative")
        return {"sqrt": (XS + 2, np.sqrt(a * (XS + 2)))}

    explorer = plot_explorer(picky, a=(-1.0, 4.0, 0.5))
    explorer.controls["a"].value = 1.0
    good = sent(explorer)
    frames = explorer.plot.frames_sent
    explorer.controls["a"].value = -0.5
    assert explorer.error == "ValueError: a must not be negative"
    assert explorer.message.startswith("picky(a=-0.5) failed: ValueError: a must not be negative")
    assert "#B00020" in explorer._message.value  # red
    assert sent(explorer) == good and explorer.plot.frames_sent == frames  # nothing sent
    explorer.controls["a"].value = 4.0
    assert explorer.error is None and sent(explorer)["sqrt"][1] == pytest.approx(list(np.sqrt(4 * (XS + 2))))


def test_a_bad_return_value_while_dragging_is_shown_not_raised():
    explorer = plot_explorer(lambda n: {"c": (XS, XS[:n])}, n=widgets.IntSlider(9, min=1, max=9))
    good = sent(explorer)
    explorer.controls["n"].value = 3
    assert explorer.error == "ShapeError: curve 'c': x has 9 values but y has 3"
    assert sent(explorer) == good


def test_an_error_at_the_starting_values_raises_with_a_note():
    def broken(a):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError, match="boom") as info:
        plot_explorer(broken, a=1.0)
    assert "plot_explorer: while running broken(a=1) for the starting values" in info.value.__notes__[0]


@pytest.mark.parametrize(
    ("returned", "error", "words"),
    [
        (
            [(XS, XS)],
            TypeError,
            "must return a dict {label: (x, y)} of curves, or a pair (that dict, a message), not list",
        ),
        (({"c": (XS, XS)}, 3), TypeError, "a message that is int, not str"),
        ({1: (XS, XS)}, TypeError, "label its curves with strings, not int 1"),
        (
            {"c": XS},
            TypeError,
            "curve 'c': give a pair (x, y) of 1-D arrays or bp.widgets.Points(x, y), not ndarray",
        ),
        ({"c": (XS, XS[:-1])}, ShapeError, "curve 'c': x has 9 values but y has 8"),
        (
            {"c": (XS.reshape(3, 3), XS.reshape(3, 3))},
            ShapeError,
            "curve 'c': x must be 1-D, got shape (3, 3)",
        ),
        ({"c": (XS, np.ones((9, 2)))}, ShapeError, "curve 'c': y must be 1-D, got shape (9, 2)"),
        ({"c": (XS, ["a"] * 9)}, TypeError, "curve 'c': x and y must be arrays of numbers"),
        (
            {"c": ([0, np.nan, 2], [0, 1, 2])},
            ValueError,
            "curve 'c': x must be finite (nan or inf in y is a gap), but x[1] = nan",
        ),
        (
            {"c": ([0, 2, 1], [0, 1, 2])},
            ValueError,
            "curve 'c': x must increase (or decrease) along the curve, but x[2] = 1.0 follows x[1] = 2.0",
        ),
        ({"p": Points([1, 1], [0, 2])}, ValueError, "points 'p': two points at x = 1.0"),
    ],
)
def test_a_return_value_that_is_not_curves_is_named(returned, error, words):
    with pytest.raises(error, match=re.escape(words)):
        plot_explorer(lambda a: returned, a=1.0)


def test_logx_needs_positive_x_and_limits():
    with pytest.raises(ValueError, match=re.escape("curve 'c': logx needs x > 0, but x[0] = 0.0")):
        plot_explorer(lambda a: {"c": ([0, 1], [1, 1])}, a=1.0, logx=True)
    with pytest.raises(ValueError, match=re.escape("xlim must be positive on a log scale, got (0.0, 1.0)")):
        plot_explorer(lambda a: {"c": ([1, 2], [1, 1])}, a=1.0, logx=True, xlim=(0, 1))


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        (
            {"a": 1.0, "b": 2.0, "c": 3},
            TypeError,
            "plot_explorer: control 'c' is not a parameter of line (its parameters: a, b)",
        ),
        ({"b": 2.0}, TypeError, "plot_explorer: line needs a control for its parameter 'a'"),
        ({}, ValueError, "plot_explorer needs at least one control"),
        ({"a": (1, 1)}, ValueError, "slider 'a': min must be less than max"),
        (
            {"a": {"x": 1}},
            TypeError,
            "control 'a': give a number, a (min, max) or (min, max, step) tuple, a list of strings",
        ),
        ({"a": widgets.Button()}, TypeError, "control 'a': a widget must have a .value"),
        ({"a": 1.0, "xlim": (2, 1)}, ValueError, "xlim must be (low, high) with low < high"),
        ({"a": 1.0, "logy": "yes"}, TypeError, "logy must be True or False, got 'yes'"),
        ({"a": 1.0, "xlabel": 3}, TypeError, "xlabel must be a str, got int 3"),
    ],
)
def test_bad_controls_and_options_are_named(arguments, error, words):
    with pytest.raises(error, match=re.escape(words)):
        plot_explorer(line, **arguments)


def test_fn_must_be_a_function():
    with pytest.raises(
        TypeError, match=re.escape("plot_explorer needs a function of the controls, not float 3.0")
    ):
        plot_explorer(3.0, a=1.0)


def test_the_still_is_a_deterministic_png_of_the_start_with_its_axes():
    def make():
        return plot_explorer(
            lambda a: ({"y": (XS + 3, a * (XS + 3))}, f"a = {a}"),
            a=2.0,
            xlabel="x",
            ylabel="y",
            logx=True,
            logy=True,
            xlim=(0.5, 10),
            ylim=(0.1, 100),
        )

    explorer = make()
    bundle = explorer._repr_mimebundle_()
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(PNG_SIGNATURE) and bundle["text/plain"] == f"{STATIC_NOTE}\na = 2.0"
    explorer.controls["a"].value = 3.0  # the still stays the starting state
    assert (
        base64.b64decode(explorer._repr_mimebundle_()["image/png"])
        == png
        == base64.b64decode(make()._repr_mimebundle_()["image/png"])
    )
    figure = make()._still_figure()
    plt.close(figure)  # pyplot keeps no copy; the axes can still be read
    ax = figure.axes[0]
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert ax.get_xlim() == pytest.approx((0.5, 10)) and ax.get_ylim() == pytest.approx((0.1, 100))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    assert list(ax.lines[0].get_ydata()) == list(2.0 * (XS + 3))


def test_the_docstring_example_runs():
    module = sys.modules["backprop_nb.widgets.plot_explorer"]
    result = doctest.testmod(module, extraglobs={"bp": bp, "np": np, "widgets": widgets})
    assert result.attempted >= 6 and result.failed == 0
