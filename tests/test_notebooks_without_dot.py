"""The notebooks under strict nbval with the in-process renderer, as on a machine without Graphviz.

The plain ``pytest`` run already checks every notebook with the renderer it finds (system
``dot`` when installed). This test runs the same nbval check again in a subprocess with
``BACKPROP_NB_RENDERER=wasm``, which the kernels inherit, so the stored SVGs are proven to
compare equal (after notebooks/nbval_sanitize.cfg) with both renderers.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.skipif(not NOTEBOOKS, reason="notebooks/ holds no notebooks")
def test_every_notebook_passes_nbval_with_the_in_process_renderer():
    env = dict(os.environ, BACKPROP_NB_RENDERER="wasm")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *map(str, NOTEBOOKS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, (
        f"nbval with the in-process renderer failed: {summary}\n{result.stdout[-4000:]}"
    )
    assert " passed" in summary and "failed" not in summary
