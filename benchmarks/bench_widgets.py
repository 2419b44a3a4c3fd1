"""How long a widget takes to follow a slider, against the bare render time of the same graph.

For graphs of about 10, 50, 100 and 200 nodes, and for each renderer (system ``dot`` and the in-process
WebAssembly Graphviz), it times:

* render: ``render_svg`` of the graph's DOT text alone (the reference, measured in the same run:
  what every slider event cost the kernel before the graph was drawn in the page);
* slider: ``slider.value = v`` on a ``graph_explorer`` until its graph's looks are updated
  (forward, backward and the new texts: everything the kernel does for one slider event; the
  page draws the graph itself, see ``bench_browser_graph.py``);
* next: ``stepper.next.click()`` on a ``backward_stepper`` of the same graph (one step).

Prints the median of repeats in ms, and the ratio to the bare render. The goal: under 50 ms for a
50-node graph. Run by hand: ``python benchmarks/bench_widgets.py``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time

import backprop_nb as bp
from backprop_nb.viz.render import render_svg, renderer_name, use_renderer
from backprop_nb.widgets import backward_stepper, graph_explorer


def chain_of(nodes: int):
    """A function of x whose graph has about ``nodes`` tensors: scaled sines, x added back every 4th op."""
    ops, count = 0, 1
    while count < nodes:
        ops += 1
        count += 3 if ops % 4 else 1  # 0.9, ×, sin  or  +

    def chain(x):
        h = x
        for i in range(1, ops + 1):
            h = (h * 0.9).sin() if i % 4 else h + x
        return h

    return chain


def median_ms(action, repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(nodes: int, repeats: int) -> dict[str, float]:
    fn = chain_of(nodes)
    explorer = graph_explorer(fn, x=(-2, 2, 0.01))
    slider = explorer.sliders["x"]
    x = bp.tensor(0.3, requires_grad=True, name="x")
    stepper = backward_stepper(fn(x))

    def move(i: int) -> None:
        before = explorer.graph.nodes
        slider.value = 0.5 if i % 2 else -0.5
        assert explorer.graph.nodes != before and explorer.error is None

    def step(i: int) -> None:
        stepper.play.value = 1 + i % (stepper.total - 1)

    return {
        "nodes": len(bp.topological_order(explorer.output)),
        "render": median_ms(lambda _: render_svg(explorer.dot_source), repeats),
        "slider": median_ms(move, repeats),
        "next": median_ms(step, repeats),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    renderers = (["system"] if shutil.which("dot") else []) + ["wasm"]
    print(
        f"{'renderer':<34} {'nodes':>5} {'render ms':>10} {'slider ms':>10} {'ratio':>6} {'next ms':>8} {'ratio':>6}"
    )
    for choice in renderers:
        with use_renderer(choice):
            render_svg("digraph { a -> b }")  # the in-process renderer loads once per process (~0.7 s)
            for nodes in (10, 50, 100, 200):
                row = measure(nodes, args.repeats)
                print(
                    f"{renderer_name():<34} {row['nodes']:>5} {row['render']:>10.1f} {row['slider']:>10.1f} "
                    f"{row['slider'] / row['render']:>6.2f} {row['next']:>8.1f} {row['next'] / row['render']:>6.2f}"
                )


if __name__ == "__main__":
    main()
