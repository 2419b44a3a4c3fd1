"""What a widget's still picture costs: creating each widget, and displaying it the first time
(when the still is drawn: a PNG of the graph, or the matplotlib figure; for the dashboard, also
its short training run), against displaying a bare ``ipywidgets.VBox`` measured in the same run.

The widgets are those of the lecture notebooks, with their notebooks' arguments. A still is made
once, at the first display, and kept; creating a widget never draws it. Run by hand:

    python benchmarks/bench_widget_stills.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

import backprop_nb as bp
from backprop_nb.widgets import dashboard as dashboard_module


def circuit(x, y, z):
    q = x + y
    q.name = "q"
    return q * z


def lecture_widgets() -> dict[str, Callable[[], Any]]:
    X, y = bp.data.spiral(n=100, classes=3, noise=0.2, seed=0)
    x, y_, z = (bp.tensor(v, requires_grad=True, name=n) for v, n in ((-2.0, "x"), (5.0, "y"), (-4.0, "z")))
    f = circuit(x, y_, z)
    return {
        "graph_explorer (02)": lambda: bp.widgets.graph_explorer(circuit, x=-2, y=5, z=-4),
        "backward_stepper (02)": lambda: bp.widgets.backward_stepper(f),
        "descent_explorer (05)": lambda: bp.widgets.descent_explorer("parabola", optimizers=["SGD"]),
        "training_dashboard (08)": lambda: bp.widgets.training_dashboard(
            bp.nn.MLP([2, 64, 3], seed=0), X, y, loss="cross_entropy", optimizer="SGD", lr=0.5, batch_size=32
        ),
    }


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return 1000 * (time.perf_counter() - start), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    makers = lecture_widgets()
    for make in makers.values():  # imports, the in-process renderer, matplotlib's fonts: once
        make()._repr_mimebundle_()
    bare = statistics.median(timed(lambda: widgets.VBox()._repr_mimebundle_())[0] for _ in range(20))
    print(f"reference: a bare VBox displays in {bare:.2f} ms")
    print(f"{'widget':<26} {'create ms':>10} {'1st display ms':>15} {'2nd display ms':>15}")
    for name, make in makers.items():
        rows = []
        for _ in range(args.repeats):
            create, widget = timed(make)
            first, _ = timed(widget._repr_mimebundle_)
            second, _ = timed(widget._repr_mimebundle_)
            rows.append((create, first, second))
        create, first, second = (statistics.median(column) for column in zip(*rows, strict=True))
        print(f"{name:<26} {create:>10.0f} {first:>15.0f} {second:>15.1f}")
    dash = makers["training_dashboard (08)"]()
    run, _ = timed(lambda: dash._preview_run("SGD", 0.5, 32))
    print(
        f"of the dashboard's first display: its {dashboard_module.STILL_EPOCHS}-epoch run takes {run:.0f} ms"
    )


if __name__ == "__main__":
    main()
