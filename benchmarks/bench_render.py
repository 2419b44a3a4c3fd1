"""How long does DOT -> SVG take with each renderer? Run by hand: python benchmarks/bench_render.py

Renders chain graphs (record labels, like a long expression) and binary trees (plain labels)
of 20, 200 and 1000 nodes with every renderer that works here, and prints median times in ms.
The first call of each renderer is timed on its own: it includes finding and starting the
renderer (about half a second for the in-process WebAssembly one).
"""

import argparse
import statistics
import time

from backprop_nb.viz.render import RenderError, render_svg, renderer_name, use_renderer

SIZES = (20, 200, 1000)


def chain(n: int) -> str:
    nodes = [f'v{i} [label="{{ v{i} | data {i / 2:.4f} | grad {i / 4:.4f} }}"];' for i in range(n)]
    edges = [f"v{i} -> v{i + 1};" for i in range(n - 1)]
    return "\n".join(["digraph G {", "rankdir=LR; node [shape=record];", *nodes, *edges, "}"])


def tree(n: int) -> str:
    nodes = [f'n{i} [label="node {i}"];' for i in range(n)]
    edges = [f"n{(i - 1) // 2} -> n{i};" for i in range(1, n)]
    return "\n".join(["digraph G {", *nodes, *edges, "}"])


def median_ms(dot_source: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        render_svg(dot_source)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(choice: str, repeat: int) -> dict[str, float] | None:
    """Times in ms under ``choice``: the first call, then the median for each graph."""
    with use_renderer(choice):
        start = time.perf_counter()
        try:  # the first call also finds and starts the renderer
            render_svg(tree(SIZES[0]))
        except RenderError:
            return None
        times = {"first call": (time.perf_counter() - start) * 1000}
        for make in (chain, tree):
            for n in SIZES:
                runs = repeat if n < 1000 else max(3, repeat // 3)
                times[f"{make.__name__} {n}"] = median_ms(make(n), runs)
        print(f"{choice:6s} = {renderer_name()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="renders per graph (a third at 1000)")
    repeat = parser.parse_args().repeat
    results = {}
    for choice in ("system", "wasm"):
        times = measure(choice, repeat)
        if times is None:
            print(f"{choice:6s} = not available, skipped")
        else:
            results[choice] = times
    if not results:
        return
    both = len(results) == 2
    print(f"{'ms':<12}" + "".join(f"{c:>9}" for c in results) + (" wasm/system" if both else ""))
    for row in next(iter(results.values())):
        line = f"{row:<12}" + "".join(f"{times[row]:>9.1f}" for times in results.values())
        if both:
            line += f"{results['wasm'][row] / results['system'][row]:>12.2f}"
        print(line)


if __name__ == "__main__":
    main()
