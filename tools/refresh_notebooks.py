"""Run notebooks top to bottom in place and store the outputs nbval checks and every picture.

    python tools/refresh_notebooks.py notebooks/01_chain_rule.ipynb [more.ipynb ...]

Notebooks are source: after editing one, run this so its stored outputs are the ones a fresh run
gives. What is stored:

* cells nbval checks: all their outputs;
* cells marked ``# NBVAL_IGNORE_OUTPUT`` or ``# NBVAL_SKIP`` (plots, widgets, timings): only their
  pictures (matplotlib figures, graphs), so a reader who opens the notebook without running it,
  on GitHub or nbviewer, sees every figure; what they print (timings, source listings) is dropped;
* a widget: its still picture, the widget at its start with "run the cell in Jupyter to make it
  interactive" written under it, and never its live view, which a reader without the kernel that
  made the widget would see as "Error displaying widget: model not found" (the view outranks the
  picture in every front-end, so it is dropped: :func:`backprop_nb.stills.widget_still`, which
  ``backprop-nb html`` uses too).

nbval ignores the bytes of pictures (image/png; ``notebooks/nbval_sanitize.cfg`` for PNGs inside
HTML), so they never fail a test. Running this twice stores the same bytes where the pictures
are the same: a PNG keeps only its pixels, not the text chunks naming the software that wrote
it, and what a cell prints is joined into one output per stream (where the kernel splits it
depends on timing). Code cells are numbered 1, 2, … in order and saved widget state is removed,
so the files stay small and their diffs readable. Runs in this Python environment's kernel.
"""

from __future__ import annotations

import argparse
import base64
import struct
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from backprop_nb.stills import WIDGET_VIEW, widget_still

_UNCHECKED_MARKERS = ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP")
_PICTURES = ("image/png", "image/svg+xml", "image/jpeg")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt", b"tIME")  # "Software: Matplotlib version3.10…"


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
        checked = not any(marker in cell.source.split("\n", 1)[0] for marker in _UNCHECKED_MARKERS)
        cell.outputs = [
            _stored(output, number)
            for output in _joined_streams(cell.outputs)
            if checked or _shows_a_picture(output)
        ]
        cell.execution_count = number
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return seconds


def _joined_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``outputs`` with each run of printed text to the same stream as one output.

    Where the kernel splits what a cell prints depends on timing ("passed:" and " True" may
    arrive apart); joined, the stored text is the same on every run.
    """
    joined: list[dict[str, Any]] = []
    for output in outputs:
        last = joined[-1] if joined else {}
        if (
            output["output_type"] == "stream"
            and last.get("output_type") == "stream"
            and last["name"] == output["name"]
        ):
            last["text"] += output["text"]
        else:
            joined.append(output)
    return joined


def _shows_a_picture(output: dict[str, Any]) -> bool:
    data = output.get("data", {})
    return WIDGET_VIEW in data or any(kind in data for kind in _PICTURES)


def _stored(output: dict[str, Any], number: int) -> dict[str, Any]:
    """``output`` as the notebook stores it: numbered as its cell, widgets as their still picture."""
    if "execution_count" in output:
        output["execution_count"] = number
    output = widget_still(output)
    if "image/png" in output.get("data", {}):
        output["data"]["image/png"] = _png_pixels_only(output["data"]["image/png"])
    return output


def _png_pixels_only(encoded: str) -> str:
    """The base64 PNG ``encoded`` without its text and time chunks (who wrote it, and when)."""
    png = base64.b64decode(encoded)
    if not png.startswith(_PNG_SIGNATURE):
        raise ValueError("an image/png output that is not a PNG")
    kept, at = [_PNG_SIGNATURE], len(_PNG_SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        chunk = png[at : at + 12 + length]  # length, type, data, CRC
        if chunk[4:8] not in _PNG_TEXT_CHUNKS:
            kept.append(chunk)
        at += 12 + length
    return base64.b64encode(b"".join(kept)).decode("ascii")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    for path in args.notebooks:
        print(f"{path}: {refresh(path):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
