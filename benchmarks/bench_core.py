"""Benchmark the autograd core against hand-written numpy doing the same math, in the same run.

    python benchmarks/bench_core.py [--repeat N]

1. One MLP training step (forward, softmax cross-entropy or MSE loss, backward, SGD update) on
   64-128-10 and 2-16-16-1 networks at batch 1, 32 and 256: backprop_nb's time divided by a
   hand-written numpy forward/backward of exactly the same step (targets for 64-128-10: at most
   1.3x at batch 256, 2.0x at 32, 3.0x at 1).
2. Scalar graphs (a chain, and a random DAG of + * tanh exp) with N = 100, 1,000, 10,000 ops:
   microseconds per op for forward + backward (target: at most 6 us per op at N = 10,000),
   against plain Python floats doing the same forward and reverse pass.

Each figure is the median of several runs; both sides run interleaved, so machine noise hits
both alike. The two sides' results are compared, so a wrong benchmark cannot look fast. Both
run with glibc keeping freed memory for reuse, as bp.fit trains (backprop_nb/_memory.py);
BACKPROP_NB_KEEP_FREED_MEMORY=0 measures them without.
"""

from __future__ import annotations

import os

# One BLAS thread for both sides: on a shared 2-core machine a second BLAS thread only adds noise.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import functools
import gc
import itertools
import math
import statistics
import time

import numpy as np

import backprop_nb as bp
from backprop_nb._memory import keep_freed_memory

LR = 0.01


def _median_time(fn, repeat: int, inner: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    return statistics.median(times)


def _init(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return [
        array
        for n_in, n_out in itertools.pairwise(sizes)
        for array in (rng.standard_normal((n_out, n_in)) * np.sqrt(2 / n_in), np.zeros(n_out))
    ]


# ----- MLP step: hand-written numpy --------------------------------------------------------
def numpy_step(params, X, y, classification):
    """Forward, loss, backward and SGD by hand, the way the lectures write it."""
    activations = [X]
    pre = []
    h = X
    n_layers = len(params) // 2
    for k in range(n_layers):
        W, b = params[2 * k], params[2 * k + 1]
        z = h @ W.T + b
        if k < n_layers - 1:
            pre.append(z)
            h = np.maximum(z, 0.0)
            activations.append(h)
        else:
            h = z
    n = X.shape[0]
    if classification:
        shifted = h - h.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_p[np.arange(n), y].mean()
        grad = np.exp(log_p)
        grad[np.arange(n), y] -= 1.0
        grad /= n
    else:
        diff = h - y
        loss = (diff * diff).mean()
        grad = 2.0 * diff / diff.size
    for k in range(n_layers - 1, -1, -1):
        W = params[2 * k]
        grad_W = grad.T @ activations[k]
        grad_b = grad.sum(axis=0)
        if k > 0:
            grad = grad @ W
            grad *= pre[k - 1] > 0
        params[2 * k] -= LR * grad_W
        params[2 * k + 1] -= LR * grad_b
    return loss


# ----- MLP step: backprop_nb ---------------------------------------------------------------
def bp_step(params, X, y, classification):
    """The same step with the engine: the forward is all we write; backward does the rest."""
    h = X
    n_layers = len(params) // 2
    for k in range(n_layers):
        h = bp.linear(h, params[2 * k], params[2 * k + 1])
        if k < n_layers - 1:
            h = h.relu()
    loss = bp.nn.cross_entropy(h, y) if classification else bp.nn.mse_loss(h, y)
    for p in params:
        p.grad = None
    loss.backward()
    with bp.no_grad():
        for p in params:
            p.data -= LR * p.grad
    return loss.item()


def bench_mlp(repeat: int) -> None:
    print("MLP training step (forward, loss, backward, SGD update)")
    print(f"{'network':<12}{'batch':>6}{'numpy us':>11}{'bp us':>10}{'ratio':>8}")
    rng = np.random.default_rng(1)
    for sizes, classification in (((64, 128, 10), True), ((2, 16, 16, 1), False)):
        for batch in (1, 32, 256):
            X = rng.standard_normal((batch, sizes[0]))
            y = rng.integers(0, sizes[-1], batch) if classification else rng.standard_normal((batch, 1))
            ref_params = _init(sizes)
            bp_params = [bp.Tensor(a, requires_grad=True) for a in _init(sizes)]
            ref_loss = numpy_step(ref_params, X, y, classification)
            bp_loss = bp_step(bp_params, X, y, classification)
            assert math.isclose(ref_loss, bp_loss, rel_tol=1e-9), (ref_loss, bp_loss)
            for a, t in zip(ref_params, bp_params, strict=True):
                np.testing.assert_allclose(a, t.data, rtol=1e-9, atol=1e-12)
            inner = max(1, 2000 // batch)
            ref_times, bp_times = [], []
            for _ in range(repeat):  # interleaved, so noise hits both sides alike
                ref_run = functools.partial(numpy_step, ref_params, X, y, classification)
                bp_run = functools.partial(bp_step, bp_params, X, y, classification)
                ref_times.append(_median_time(ref_run, 1, inner))
                bp_times.append(_median_time(bp_run, 1, inner))
            ref, ours = statistics.median(ref_times), statistics.median(bp_times)
            name = "-".join(map(str, sizes))
            print(f"{name:<12}{batch:>6}{ref * 1e6:>11.1f}{ours * 1e6:>10.1f}{ours / ref:>8.2f}")


# ----- scalar graphs -----------------------------------------------------------------------
def _dag_plan(n: int, chain: bool, seed: int = 0) -> list[tuple[int, int, int]]:
    """(kind, i, j) per node: 0 (a+b)·½, 1 a·b, 2 tanh a, 3 exp(a/100); i, j index earlier nodes.

    Each kind keeps values bounded, so 10,000 nodes neither overflow nor vanish.
    """
    rng = np.random.default_rng(seed)
    plan = []
    for k in range(n):
        count = k + 2  # two inputs exist before the first op
        i = count - 1 if chain else int(rng.integers(0, count))
        j = int(rng.integers(0, count))
        plan.append((int(rng.integers(0, 4)), i, j))
    return plan


def bp_scalar(plan, inputs):
    values = [bp.Tensor(v, requires_grad=True) for v in inputs]
    for kind, i, j in plan:
        a, b = values[i], values[j]
        if kind == 0:
            values.append((a + b) * 0.5)  # two ops
        elif kind == 1:
            values.append(a * b)
        elif kind == 2:
            values.append(a.tanh())
        else:
            values.append((a * 0.01).exp())  # two ops
    values[-1].backward()
    return [v.grad.item() for v in values[:2]]


def float_scalar(plan, inputs):
    """The same forward and reverse pass with Python floats (the hand-written reference)."""
    values = list(inputs)
    for kind, i, j in plan:
        a, b = values[i], values[j]
        values.append(
            0.5 * (a + b)
            if kind == 0
            else a * b
            if kind == 1
            else math.tanh(a)
            if kind == 2
            else math.exp(0.01 * a)
        )
    grads = [0.0] * len(values)
    grads[-1] = 1.0
    for k in range(len(plan) - 1, -1, -1):
        kind, i, j = plan[k]
        g = grads[k + 2]
        if kind == 0:
            grads[i] += 0.5 * g
            grads[j] += 0.5 * g
        elif kind == 1:
            grads[i] += g * values[j]
            grads[j] += g * values[i]
        elif kind == 2:
            grads[i] += g * (1.0 - values[k + 2] ** 2)
        else:
            grads[i] += g * 0.01 * values[k + 2]
    return grads[:2]


def bench_scalar(repeat: int) -> None:
    print("\nScalar graphs (forward + backward)")
    print(f"{'graph':<8}{'N':>7}{'ops':>7}{'floats us/op':>14}{'bp us/op':>10}{'ratio':>8}")
    inputs = [0.3, -0.7]
    for chain in (True, False):
        for n in (100, 1_000, 10_000):
            plan = _dag_plan(n, chain)
            ops = n + sum(1 for kind, _, _ in plan if kind in (0, 3))
            np.testing.assert_allclose(bp_scalar(plan, inputs), float_scalar(plan, inputs), rtol=1e-9)
            inner = max(1, 20_000 // n)
            ref = _median_time(functools.partial(float_scalar, plan, inputs), repeat, inner)
            ours = _median_time(functools.partial(bp_scalar, plan, inputs), repeat, inner)
            kind = "chain" if chain else "dag"
            print(
                f"{kind:<8}{n:>7}{ops:>7}{ref / ops * 1e6:>14.2f}{ours / ops * 1e6:>10.2f}{ours / ref:>8.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=["mlp", "scalar"])
    args = parser.parse_args()
    gc.collect()
    with keep_freed_memory() as kept:  # as bp.fit trains; BACKPROP_NB_KEEP_FREED_MEMORY=0 turns it off
        print(f"glibc keeps freed memory (as in bp.fit): {'yes' if kept else 'no'}")
        if args.only != "scalar":
            bench_mlp(args.repeat)
        if args.only != "mlp":
            bench_scalar(args.repeat)


if __name__ == "__main__":
    main()
