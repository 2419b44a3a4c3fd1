"""Run notebooks top to bottom in place and keep only the outputs that nbval checks.

    python tools/refresh_notebooks.py notebooks/01_chain_rule.ipynb [more.ipynb ...]

Notebooks are source: after editing one, run this so its stored outputs are the ones a fresh run
gives. Cells marked ``# NBVAL_IGNORE_OUTPUT`` or ``# NBVAL_SKIP`` (widgets, plots, timings) keep
no outputs, code cells are numbered 1, 2, … in order, and saved widget state is removed, so the
files stay small and their diffs readable. Runs in this Python environment's kernel.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

_UNCHECKED_MARKERS = ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP")


def refresh(path: Path, timeout: int = 300) -> float:
    """Execute ``path`` in place; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    seconds = time.perf_counter() - start
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):  # nbval rejects unnumbered cells with outputs
        cell.metadata.pop("execution", None)
        cell.execution_count = number
        for output in cell.outputs:
            if "execution_count" in output:
                output["execution_count"] = number
        if any(marker in cell.source.split("\n", 1)[0] for marker in _UNCHECKED_MARKERS):
            cell.outputs = []
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    for path in args.notebooks:
        print(f"{path}: {refresh(path):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
