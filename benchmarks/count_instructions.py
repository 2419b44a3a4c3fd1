"""Count the CPU instructions per scalar op with valgrind, a figure that machine noise cannot move.

    python benchmarks/count_instructions.py [--n 10000] [--dag]

Wall-clock timings on a shared machine vary by ±10% between runs minutes apart, too much to see
a 3% change. valgrind's callgrind counts the instructions the program executes instead: the same
code, inputs and environment give the same count to within a few hundred per op, whatever else
the machine is doing. This runs the scalar-graph benchmark of ``bench_core.py`` under callgrind
twice (building the graph plan only, then also running the pass) and prints the difference per
op, for backprop_nb and for plain Python floats doing the same pass.

Instructions are not time: cache misses and the garbage collector's memory traffic cost more
per instruction. Use this to compare two versions of the code, and ``bench_core.py`` for the
figures themselves. Needs valgrind (Debian: ``apt install valgrind``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

import bench_core

RUNS = 2


def _instructions(args: list[str]) -> int:
    """Instructions callgrind counts for this script run with ``args``."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # idle BLAS threads spin and count too
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
    result = subprocess.run(command + args, env=env, capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def _run_pass(side: str, n: int, chain: bool) -> None:
    """What runs under valgrind: the plan, a warm-up, and (unless side is 'none') the passes."""
    plan = bench_core._dag_plan(n, chain)
    inputs = [0.3, -0.7]
    bench_core.bp_scalar(bench_core._dag_plan(100, chain), inputs)  # first-call costs, counted in both runs
    if side == "bp":
        for _ in range(RUNS):
            bench_core.bp_scalar(plan, inputs)
    elif side == "floats":
        for _ in range(RUNS):
            bench_core.float_scalar(plan, inputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--dag", action="store_true", help="the random DAG instead of the chain")
    parser.add_argument("--side", choices=["none", "bp", "floats"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    shape = ["--n", str(args.n), *(["--dag"] if args.dag else [])]
    if args.side is not None:  # we are the program valgrind runs
        _run_pass(args.side, args.n, not args.dag)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt install valgrind)")
    plan = bench_core._dag_plan(args.n, not args.dag)
    ops = args.n + sum(1 for kind, _, _ in plan if kind in (0, 3))
    base = _instructions([*shape, "--side", "none"])
    per_op = {
        side: (_instructions([*shape, "--side", side]) - base) / (RUNS * ops) for side in ("floats", "bp")
    }
    kind = "dag" if args.dag else "chain"
    print(f"{kind} N={args.n} ({ops} ops): instructions per op, forward + backward")
    print(f"  floats       {per_op['floats']:10.0f}")
    print(f"  backprop_nb  {per_op['bp']:10.0f}   ({per_op['bp'] / per_op['floats']:.1f}x floats)")


if __name__ == "__main__":
    main()
