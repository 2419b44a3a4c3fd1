"""Time the notebook series under nbval, exactly as the test suite runs it.

    python benchmarks/bench_notebooks.py [--renderer auto|system|wasm] [--solutions]

Runs ``pytest --nbval`` (the options in pyproject.toml) on notebooks/*.ipynb in a subprocess (the
series 00 to 10 and the glossary notation.ipynb, all of which the test suite runs) and prints each
notebook's time (kernel start included) and the wall time of the whole run.
Target: the whole series in under two minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renderer", default="auto", choices=["auto", "system", "wasm"])
    parser.add_argument("--solutions", action="store_true", help="also run notebooks/solutions/")
    args = parser.parse_args()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.solutions:
        notebooks += sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
    if not notebooks:
        print("no notebooks found in notebooks/")
        return 1
    env = dict(os.environ, BACKPROP_NB_RENDERER=args.renderer)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
        start = time.perf_counter()
        result = subprocess.run(
            [*command, *map(str, notebooks)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        per_notebook: dict[str, float] = defaultdict(float)
        cells: dict[str, int] = defaultdict(int)
        for case in ET.parse(report).iter("testcase"):
            name = Path(case.get("file") or case.get("classname", "?")).name.removeprefix("notebooks.")
            per_notebook[name] += float(case.get("time", 0.0))
            cells[name] += 1
    print(f"renderer: {args.renderer}")
    print(f"{'notebook':<48}{'cells':>6}{'seconds':>9}")
    for name in sorted(per_notebook):
        print(f"{name:<48}{cells[name]:>6}{per_notebook[name]:>9.1f}")
    print(f"{'total (wall, incl. pytest start-up)':<54}{wall:>9.1f}")
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
