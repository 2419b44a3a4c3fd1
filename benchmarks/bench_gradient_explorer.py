"""How long notebook 09's gradient explorer takes to follow its controls.

Runs notebook 09's code cells (the notebook is the source: nothing is copied here) up to the cell
that defines the explorer, then times, for the 18 combinations of activation, residual
connections and initialisation at depth 50:

* compute: ``gradient_norms`` alone, on the network already built (the reference, measured in
  the same run: one forward and one backward pass through 50 layers);
* change: setting a control's ``.value`` on the explorer (compute, then the curves and the message
  sent to the page: everything the kernel does for one change);
* first: the same change right after the networks were forgotten (build the 50 layers, then
  compute and send), the cost of a combination's first visit in a fresh kernel.

Prints the median over the combinations in ms and the ratio to compute. The goal: a change
well under 100 ms. Run by hand: ``python benchmarks/bench_gradient_explorer.py``.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from itertools import product
from pathlib import Path

import matplotlib
import nbformat

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "09_deep_networks.ipynb"
LAST_CELL = "explorer-widget"  # the id of the cell that defines gradient_explorer


def notebook_namespace() -> dict:
    """The variables of notebook 09 after running its code cells up to LAST_CELL."""
    matplotlib.use("Agg")
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):  # what the cells print is not the point here
        for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"{NOTEBOOK.name}:{cell.id}", "exec"), namespace)
            if cell.get("id") == LAST_CELL:
                return namespace
    raise LookupError(f"{NOTEBOOK.name} has no cell with id {LAST_CELL!r}")


def milliseconds(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return 1000 * (time.perf_counter() - start)


def main() -> None:
    ns = notebook_namespace()
    explorer = ns["gradient_explorer"]()
    combinations = list(product(ns["ACTIVATIONS"], (False, True), ns["INITS"]))
    times: dict[str, list[float]] = {"compute": [], "change": [], "first": []}

    def set_controls(activation, residual, init):
        explorer.controls["activation"].value = activation
        explorer.controls["residual"].value = residual
        explorer.controls["init"].value = init

    for activation, residual, init in combinations:
        set_controls(activation, residual, init)  # built and cached
        times["compute"].append(milliseconds(ns["gradient_norms"], 50, activation, residual, init))
        explorer.controls["depth"].value = 49
        times["change"].append(milliseconds(setattr, explorer.controls["depth"], "value", 50))
    for activation, residual, init in combinations:
        set_controls(activation, residual, init)
        explorer.controls["depth"].value = 49
        ns["deep_network"].cache_clear()
        times["first"].append(milliseconds(setattr, explorer.controls["depth"], "value", 50))

    reference = statistics.median(times["compute"])
    print(f"notebook 09's gradient explorer, depth 50, median over {len(combinations)} combinations")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:8s} {median:7.1f} ms  (max {max(values):6.1f} ms)   {median / reference:5.2f} × compute"
        )


if __name__ == "__main__":
    main()
