"""How fast a graph in the page follows a slider: key press → first change → repainted, in a real
JupyterLab in headless Chromium.

For a scalar MLP of 55 nodes and one of 499, it focuses a slider of ``graph_explorer`` and presses
ArrowRight 20 times. In the page it records, for each press, the time from the key event to the
first change inside the graph (a MutationObserver) and to the repaint after it (two animation
frames later). The references, measured in the same run: the old way on the same graphs, an
``ipywidgets.HTML`` refilled with an SVG that Graphviz draws in the kernel on every change; and
the floor, a slider whose kernel callback only writes its value into an ``ipywidgets.HTML`` (the
round trip page → kernel → page that every widget pays).

Targets (issue 13): 55 nodes, first change median ≤ 30 ms and max ≤ 60 ms, repainted median
≤ 50 ms; 499 nodes, repainted median ≤ 100 ms. Run by hand (about a minute):

    python benchmarks/bench_browser_graph.py [--presses 20] [--rounds 2]

Needs what tests/test_browser.py needs: jupyterlab, playwright and Debian's chromium.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _jupyter_browser import CHROMIUM_ARGS, chromium_path, jupyter_lab, open_and_run_all

SETUP = '''import functools
import importlib
import operator

import ipywidgets as widgets
import backprop_nb as bp
from backprop_nb.viz.dot import live_drawing
from backprop_nb.widgets import graph_explorer
from backprop_nb.widgets._common import graph_html

# every node drawn (to_dot draws the last 150 by default), so that 499 nodes means 499 boxes
# (the module by its name: the package's attribute graph_explorer is the function)
explorer_module = importlib.import_module("backprop_nb.widgets.graph_explorer")
explorer_module.live_drawing = functools.partial(live_drawing, max_nodes=None)


def make_mlp(hidden1, hidden2):
    """A scalar MLP 2 -> hidden1 -> hidden2 -> 1 with tanh, number by number, fixed weights."""

    def mlp(x1, x2):
        h = [(x1 * ((i * 7 % 11 - 5) / 10) + x2 * ((i * 3 % 7 - 3) / 10)).tanh() for i in range(hidden1)]
        g = [functools.reduce(operator.add, (hi * (((i * 7 + j * 3) % 11 - 5) / 10) for i, hi in enumerate(h))).tanh()
             for j in range(hidden2)]
        out = functools.reduce(operator.add, (gj * ((j * 5 % 9 - 4) / 10) for j, gj in enumerate(g)))
        out.name = "out"
        return out

    return mlp


def floor(cls):
    """The round trip alone: a slider whose callback writes its value into an HTML widget."""
    slider = widgets.FloatSlider(value=0.0, min=-1, max=1, step=0.01, description="x1")
    echo = widgets.HTML("0.0")
    slider.observe(lambda change: setattr(echo, "value", str(change["new"])), names="value")
    box = widgets.VBox([slider, echo])
    box.add_class(cls)
    return box


def old_way(fn, cls):
    """The reference: a slider and an HTML widget refilled with a kernel-drawn SVG on each change."""
    slider = widgets.FloatSlider(value=0.0, min=-1, max=1, step=0.01, description="x1")
    picture = widgets.HTML()

    def draw(_=None):
        x1 = bp.tensor(slider.value, requires_grad=True, name="x1")
        out = fn(x1, bp.tensor(0.0, requires_grad=True, name="x2"))
        out.backward()
        picture.value = graph_html(bp.to_dot(out, edge_grads=True, max_nodes=None))

    draw()
    slider.observe(draw, names="value")
    box = widgets.VBox([slider, picture])
    box.add_class(cls)
    return box
'''

GRAPHS = {"55 nodes": (3, 3), "499 nodes": (11, 12)}


def cells() -> list[str]:
    made = [SETUP, 'floor("bench-floor")']
    for i, (hidden1, hidden2) in enumerate(GRAPHS.values()):
        made.append(
            f"live{i} = graph_explorer(make_mlp({hidden1}, {hidden2}), x1=(-1, 1, 0.01), x2=(-1, 1, 0.01))\n"
            f'live{i}.add_class("bench-live{i}")\nlive{i}'
        )
        made.append(f'old_way(make_mlp({hidden1}, {hidden2}), "bench-old{i}")')
    return made


def write_notebook(folder: Path) -> Path:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"c{i}",
                "metadata": {},
                "outputs": [],
                "source": src,
            }
            for i, src in enumerate(cells())
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "bench_browser_graph.ipynb"
    path.write_text(json.dumps(notebook))
    return path


INSTRUMENT_JS = """(scope) => {
  const area = document.querySelector(scope);
  const graph = area.querySelector('.bp-graph-viewport') || area.querySelector('.widget-html');
  window.__bench?.stop();  // the previous measurement's listeners
  const record = {pressed: null, times: []};
  window.__bench = record;
  const onKey = (e) => { record.pressed = e.timeStamp; record.first = null; };
  document.addEventListener('keydown', onKey, true);
  const observer = new MutationObserver(() => {
    if (record.pressed === null || record.first !== null) return;
    record.first = performance.now();
    const pressed = record.pressed, first = record.first;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      record.times.push([first - pressed, performance.now() - pressed]);
    }));
  });
  observer.observe(graph, {subtree: true, childList: true, characterData: true, attributes: true});
  record.stop = () => { observer.disconnect(); document.removeEventListener('keydown', onKey, true); };
}"""


UPDATES_JS = "() => performance.getEntriesByName('bp-graph-update').map(e => e.duration)"
"""How long each update of a graph view took in the page itself (graph_view.js measures it)."""


def measure(page, scope: str, presses: int) -> tuple[list[float], list[float], list[float]]:
    """Press ArrowRight ``presses`` times on the first slider in ``scope``: (first change, repainted,
    the page's own updates of the graph view) in ms."""
    updates_before = len(page.evaluate(UPDATES_JS))
    page.locator(scope).scroll_into_view_if_needed()
    page.evaluate(INSTRUMENT_JS, scope)
    page.locator(f"{scope} .widget-slider .noUi-handle").first.focus()
    for n in range(1, presses + 1):
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => window.__bench.times.length >= {n}", timeout=30_000)
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=30_000)
        time.sleep(0.1)
    times = page.evaluate("() => window.__bench.times")
    return [t[0] for t in times], [t[1] for t in times], page.evaluate(UPDATES_JS)[updates_before:]


def per_round(presses: int, rounds: int) -> list[int]:
    """``presses`` split into ``rounds`` nearly equal parts."""
    return [presses // rounds + (r < presses % rounds) for r in range(rounds)]


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):6.1f}  max {max(values):6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="measure each way in this many turns")
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        sys.exit("no Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chromium")
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as tmp,
        jupyter_lab([write_notebook(Path(tmp))]) as lab,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        open_and_run_all(page, lab, "bench_browser_graph.ipynb")
        page.wait_for_selector(".bench-old1 svg", timeout=180_000)
        page.wait_for_function(
            "() => document.querySelector('.bench-live1 svg text') !== null", timeout=180_000
        )
        for i, name in enumerate(GRAPHS):  # every node drawn, in both ways
            boxes = f"() => document.querySelectorAll('.bench-live{i} g.node').length"
            assert page.evaluate(boxes) == int(name.split()[0]), (name, page.evaluate(boxes))
        print(
            f"key press → graph changed / repainted, ms, over {args.presses} presses each in "
            f"{args.rounds} rounds that take turns (JupyterLab, headless Chromium)"
        )
        ways = ["floor", *(f"{way}{i}" for i in range(len(GRAPHS)) for way in ("live", "old"))]
        times: dict[str, tuple[list[float], ...]] = {way: ([], [], []) for way in ways}
        for presses in per_round(
            args.presses, args.rounds
        ):  # on a busy machine: each way meets the same load
            for way in ways:
                for kept, new in zip(times[way], measure(page, f".bench-{way}", presses), strict=True):
                    kept.extend(new)
        floor_first, floor_paint, _ = times["floor"]
        print(f"{'floor':>9}  echo: first change {summary(floor_first)} | repainted {summary(floor_paint)}")
        for i, name in enumerate(GRAPHS):
            live_first, live_paint, updates = times[f"live{i}"]
            old_first, old_paint, _ = times[f"old{i}"]
            ratio = statistics.median(live_paint) / statistics.median(old_paint)
            above = statistics.median(live_first) - statistics.median(floor_first)
            print(f"{name:>9}  live: first change {summary(live_first)} | repainted {summary(live_paint)}")
            print(f"{'':>9}  old:  first change {summary(old_first)} | repainted {summary(old_paint)}")
            print(f"{'':>9}  live / old, median repainted: {ratio:.2f}")
            print(f"{'':>9}  live above the floor, median first change: {above:.1f}")
            print(f"{'':>9}  of which the page's update of texts and colours: {summary(updates)}")
        browser.close()


if __name__ == "__main__":
    main()
