"""What does the PNG beside each show_graph SVG cost? Run by hand: python benchmarks/bench_graph_png.py

Times what Jupyter does with a ``bp.show_graph(...)`` output (``_repr_mimebundle_``) for graphs of
the lectures' sizes, with the PNG (graphviz-pure, its own process) and without it (the SVG alone,
as where no PNG can be made), and prints median ms, the ratio, and the PNG's size. The last line
adds up 11 graphs of the first size, as many as notebook 02 shows.
"""

import argparse
import statistics
import time
from unittest import mock

import numpy as np

import backprop_nb as bp
from backprop_nb.viz import graph_view


def lecture_f() -> bp.Tensor:
    """f = (x + y) z: 5 boxes."""
    x, y, z = (bp.tensor(v, requires_grad=True, name=n) for n, v in [("x", -2.0), ("y", 5.0), ("z", -4.0)])
    f = (x + y) * z
    f.backward()
    return f


def mlp_loss(widths: list[int]) -> bp.Tensor:
    """Mean squared output of an MLP on 4 examples: about 50 boxes for [2, 8, 8, 1]."""
    model = bp.nn.MLP(widths, seed=0)
    loss = (model(bp.tensor(np.ones((4, widths[0])), name="x")) ** 2).mean()
    loss.backward()
    return loss


def median_ms(view: bp.GraphView, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        view._repr_mimebundle_()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    graphs = {
        "f = (x + y) z": bp.show_graph(lecture_f(), edge_grads=True),
        "MLP [2, 8, 8, 1]": bp.show_graph(mlp_loss([2, 8, 8, 1]), edge_grads=True),
        "MLP [2, 16, 16, 16, 3]": bp.show_graph(mlp_loss([2, 16, 16, 16, 3])),
    }
    print(f"renderer: {bp.renderer_name()}")
    print(f"{'graph':<24}{'SVG ms':>8}{'+PNG ms':>9}{'ratio':>7}{'PNG KB':>8}")
    rows = []
    for name, view in graphs.items():
        view._repr_mimebundle_()  # the first call starts the renderer
        with mock.patch.object(graph_view, "graph_png", lambda source: None):
            alone = median_ms(view, repeat)
        both = median_ms(view, repeat)
        png_kb = len(graph_view.graph_png(view.source) or b"") / 1000
        rows.append((alone, both))
        print(f"{name:<24}{alone:>8.1f}{both:>9.1f}{both / alone:>7.1f}{png_kb:>8.1f}")
    alone, both = rows[0]
    print(f"11 graphs like the first: {11 * alone / 1000:.2f} s SVG alone, {11 * both / 1000:.2f} s with PNG")


if __name__ == "__main__":
    main()
