"""Benchmark bp.fit against a hand-written numpy training loop doing exactly the same training.

    python benchmarks/bench_train.py [--repeat N]

1. The CS231n case study: a 2-100-3 ReLU network on the 3-class spiral (100 points per class),
   full-batch gradient descent with lr 1.0 and an L2 penalty ½·10⁻³·Σ‖W‖², 1,000 epochs.
2. One epoch over the 1,797 handwritten digits: a 64-64-10 ReLU network, mini-batches of 32,
   SGD with lr 0.1 and momentum 0.9.

Both sides start from the same weights (the bp.nn.MLP's, copied), visit the same shuffled
batches (np.random.default_rng(seed).permutation each epoch), apply the same SGD update
(PyTorch's momentum buffer) and evaluate the whole training set after each epoch, as fit does.
Each figure is the median of several interleaved runs; the final losses and weights of the two
sides are compared, so a wrong benchmark cannot look fast. Both sides run with glibc keeping
freed memory for reuse, as bp.fit trains (backprop_nb/_memory.py);
BACKPROP_NB_KEEP_FREED_MEMORY=0 measures them without.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np

from backprop_nb import nn, optim
from backprop_nb._memory import keep_freed_memory
from backprop_nb.data import load_digits, spiral
from backprop_nb.train import fit


@dataclass
class Task:
    name: str
    X: np.ndarray
    y: np.ndarray
    sizes: list[int]
    epochs: int
    batch_size: int
    lr: float
    momentum: float
    l2: float  # the loss adds ½·l2·Σ‖W‖² over the weight matrices
    seed: int = 0


# ----- the numpy reference -----------------------------------------------------------------
def numpy_loss(params, X, y, l2, with_grads=True):
    """Mean softmax cross-entropy plus the L2 penalty and, if asked, the gradients (W1, b1, W2, b2)."""
    W1, b1, W2, b2 = params
    h = np.maximum(X @ W1.T + b1, 0.0)
    scores = h @ W2.T + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    loss = -log_probs[rows, y].mean() + 0.5 * l2 * ((W1 * W1).sum() + (W2 * W2).sum())
    if not with_grads:
        return loss, None
    d_scores = np.exp(log_probs)
    d_scores[rows, y] -= 1.0
    d_scores /= len(y)
    d_h = d_scores @ W2
    d_h[h <= 0] = 0.0
    return loss, [d_h.T @ X + l2 * W1, d_h.sum(axis=0), d_scores.T @ h + l2 * W2, d_scores.sum(axis=0)]


def numpy_fit(task: Task, initial):
    """The same loop as bp.fit, by hand: shuffle, batches, forward, backward, SGD; evaluate."""
    params = [array.copy() for array in initial]
    buffers = [None] * len(params)
    rng = np.random.default_rng(task.seed)
    for _ in range(task.epochs):
        order = rng.permutation(len(task.X))
        for start in range(0, len(order), task.batch_size):
            rows = order[start : start + task.batch_size]
            _, grads = numpy_loss(params, task.X[rows], task.y[rows], task.l2)
            for i, g in enumerate(grads):
                if task.momentum:
                    buffers[i] = g if buffers[i] is None else task.momentum * buffers[i] + g
                    g = buffers[i]
                params[i] -= task.lr * g
        train_loss, _ = numpy_loss(params, task.X, task.y, task.l2, with_grads=False)
    return train_loss, params


# ----- backprop_nb ---------------------------------------------------------------------------
def make_model(task: Task):
    return nn.MLP(task.sizes, activation="relu", seed=task.seed)


def bp_fit(task: Task):
    model = make_model(task)
    weights = nn.weight_matrices(model)

    def loss(scores, labels):
        return nn.cross_entropy(scores, labels) + 0.5 * task.l2 * nn.l2_penalty(weights)

    optimizer = optim.SGD(model.parameters(), lr=task.lr, momentum=task.momentum)
    history = fit(
        model, task.X, task.y, loss, optimizer, task.epochs, task.batch_size, seed=task.seed, progress=False
    )
    return history.train_loss[-1], [p.data for p in model.parameters()], history


def initial_parameters(task: Task):
    return [p.data.copy() for p in make_model(task).parameters()]


# ----- timing and the table ------------------------------------------------------------------
def median_times(runs, repeat, min_round=0.2):
    """Median time of one call of each function, over ``repeat`` interleaved rounds.

    Each round calls every function ``inner`` times, enough for the first to take ``min_round``
    seconds, so short runs (one epoch) are not lost in timer and scheduler noise.
    """
    start = time.perf_counter()
    runs[0]()
    inner = max(1, round(min_round / (time.perf_counter() - start)))
    times = [[] for _ in runs]
    for _ in range(repeat):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            for _ in range(inner):
                run()
            times[i].append((time.perf_counter() - start) / inner)
    return [statistics.median(t) for t in times]


def compare(tasks: list[Task], repeat: int) -> None:
    """Time bp.fit and the numpy loop on each task, check they agree, and print a row per task."""
    print(f"{'training':42} {'bp.fit':>9} {'numpy':>9} {'ratio':>6}   {'final loss (bp / numpy)':>27}  agree")
    for task in tasks:
        initial = initial_parameters(task)
        bp_loss, bp_params, history = bp_fit(task)
        np_loss, np_params = numpy_fit(task, initial)
        max_diff = max(float(np.abs(a - b).max()) for a, b in zip(bp_params, np_params, strict=True))
        agree = abs(bp_loss - np_loss) <= 1e-9 * abs(np_loss) and max_diff <= 1e-9
        t_bp, t_np = median_times(
            [lambda t=task: bp_fit(t), lambda t=task, w=initial: numpy_fit(t, w)], repeat
        )
        print(
            f"{task.name:42} {t_bp:8.3f}s {t_np:8.3f}s {t_bp / t_np:5.1f}x   {bp_loss:13.10f} / {np_loss:13.10f}  "
            f"{'yes' if agree else 'NO'} (max weight diff {max_diff:.1e}, accuracy {history.train_accuracy[-1]:.3f})"
        )
        if not agree:
            raise SystemExit(f"{task.name}: bp.fit and the numpy reference disagree")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    X_spiral, y_spiral = spiral(n=100, classes=3, seed=0)
    X_digits, y_digits = load_digits()
    tasks = [
        Task(
            "spiral 2-100-3, 1000 full-batch epochs",
            X_spiral,
            y_spiral,
            [2, 100, 3],
            1000,
            300,
            1.0,
            0.0,
            1e-3,
        ),
        Task("digits 64-64-10, 1 epoch, batch 32", X_digits, y_digits, [64, 64, 10], 1, 32, 0.1, 0.9, 0.0),
    ]
    with keep_freed_memory() as kept:  # for both sides: bp.fit trains inside it anyway
        print(f"glibc keeps freed memory (as in bp.fit): {'yes' if kept else 'no'}")
        compare(tasks, args.repeat)


if __name__ == "__main__":
    main()
