"""Small data sets for training networks in a notebook.

Every function returns a pair ``(X, y)``:

* ``X`` is a float64 array of shape ``(N, D)``: one row per example, one column per feature.
* ``y`` is an integer array of shape ``(N,)`` holding class labels ``0 .. classes-1`` for
  classification sets, or a float64 array of shape ``(N,)`` of targets for regression. The
  integers are numpy's index type ``np.intp`` (int64 on a 64-bit machine, int32 in a browser's
  32-bit Python), so ``np.bincount(y)`` and indexing with ``y`` work everywhere.

Conventions of the toy sets (``spiral``, ``moons``, ``circles``, ``xor``, ``blobs``):

* ``n`` is the number of points *per class*, so every set is exactly balanced and has
  ``n * classes`` rows.
* Rows are grouped by class (all of class 0 first). That makes the data easy to read and
  plot; shuffle it (for instance with ``train_test_split``) before mini-batch training.
* ``seed`` makes a set reproducible: the same seed always gives the same arrays. Each call
  uses its own ``np.random.default_rng(seed)``, so numpy's global random state
  (``np.random.seed``) is never touched. ``seed=None`` gives fresh random data each call.

``load_digits`` loads a real data set shipped with the package: 1,797 handwritten digits
as 8x8 images (UCI "Optical Recognition of Handwritten Digits", Alpaydin and Kaynak, 1998,
CC BY 4.0, as bundled by scikit-learn). ``datasets/DIGITS_LICENSE.txt`` gives the
citation, the licence and the one-off steps that produced ``datasets/digits.npz``.

``check_dataset`` turns any ``(X, y)`` a user brings into the arrays above, or raises an
error that says exactly what is wrong.
"""

from __future__ import annotations

import numbers
from importlib import resources
from typing import Literal

import numpy as np

from . import _checks
from .errors import ShapeError

__all__ = [
    "blobs",
    "check_dataset",
    "circles",
    "load_digits",
    "moons",
    "regression_1d",
    "spiral",
    "train_test_split",
    "xor",
]


# ---------------------------------------------------------------------------
# argument checks shared by the generators
# ---------------------------------------------------------------------------


def _check_fraction(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise unless ``0 < value < 1``."""
    value = _checks.number(name, value)
    if not 0 < value < 1:
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value}")
    return value


def _rng(seed: object) -> np.random.Generator:
    """``np.random.default_rng(seed)`` once ``seed`` is checked: None, an int >= 0 or a Generator."""
    return np.random.default_rng(_checks.seed("seed", seed))


def _labels(classes: int, n: int) -> np.ndarray:
    """Labels ``[0]*n + [1]*n + ... + [classes-1]*n`` as ``np.intp``."""
    return np.repeat(np.arange(classes, dtype=np.intp), n)


# ---------------------------------------------------------------------------
# toy classification sets
# ---------------------------------------------------------------------------


def spiral(
    n: int = 100, classes: int = 3, noise: float = 0.2, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n spiral).

    Point ``i`` of an arm sits at radius ``i / (n - 1)`` (from 0 out to 1) and angle
    ``4 * (class + radius)`` radians plus Gaussian noise of standard deviation ``noise``.
    No straight line separates the arms: a good first problem for a hidden layer.

    Returns ``X`` of shape ``(n * classes, 2)`` and integer ``y`` in ``0 .. classes-1``.
    """
    n = _checks.integer("n", n, 1)
    classes = _checks.integer("classes", classes, 2)
    noise = _checks.non_negative("noise", noise)
    rng = _rng(seed)
    radius = np.linspace(0.0, 1.0, n)
    arms = []
    for k in range(classes):
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), n) + noise * rng.standard_normal(n)
        arms.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
    return np.concatenate(arms), _labels(classes, n)


def moons(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles.

    Class 0 is the upper half of the unit circle; class 1 is the lower half shifted to
    centre ``(1, 0.5)``. Gaussian noise of standard deviation ``noise`` is added to both
    coordinates.

    Returns ``X`` of shape ``(2 * n, 2)`` and integer ``y`` in ``{0, 1}``.
    """
    n = _checks.integer("n", n, 1)
    noise = _checks.non_negative("noise", noise)
    rng = _rng(seed)
    t = np.linspace(0.0, np.pi, n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((2 * n, 2))
    return X, _labels(2, n)


def circles(
    n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle inside a large one.

    Class 0 lies on the circle of radius 1, class 1 on the circle of radius ``factor``
    (``0 < factor < 1``), both centred at the origin, with Gaussian noise of standard
    deviation ``noise`` added to both coordinates.

    Returns ``X`` of shape ``(2 * n, 2)`` and integer ``y`` in ``{0, 1}``.
    """
    n = _checks.integer("n", n, 1)
    noise = _checks.non_negative("noise", noise)
    factor = _check_fraction("factor", factor)
    rng = _rng(seed)
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    ring = np.column_stack([np.cos(t), np.sin(t)])
    X = np.concatenate([ring, factor * ring]) + noise * rng.standard_normal((2 * n, 2))
    return X, _labels(2, n)


def xor(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: the label says whether the two coordinates have different signs.

    Points are drawn uniformly from the square ``[-1, 1] x [-1, 1]``. Class 0 lies in the
    quadrants where both coordinates have the same sign (top right, bottom left), class 1
    in the other two. Then Gaussian noise of standard deviation ``noise`` is added.
    A single neuron cannot learn this; two hidden units can.

    Returns ``X`` of shape ``(2 * n, 2)`` and integer ``y`` in ``{0, 1}``.
    """
    n = _checks.integer("n", n, 1)
    noise = _checks.non_negative("noise", noise)
    rng = _rng(seed)
    size = rng.uniform(0.0, 1.0, (2 * n, 2))  # distance from each axis
    sign = rng.choice([-1.0, 1.0], 2 * n)
    y = _labels(2, n)
    flip = np.where(y == 1, -1.0, 1.0)  # class 1: second coordinate has the other sign
    X = np.column_stack([sign * size[:, 0], flip * sign * size[:, 1]])
    return X + noise * rng.standard_normal((2 * n, 2)), y


def blobs(
    n: int = 100,
    centers: int | np.ndarray = 3,
    std: float = 0.5,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds of points, one per class.

    ``centers`` is either a number of classes, placed evenly on a circle of radius 2
    around the origin, or an array of shape ``(classes, D)`` giving each class's centre.
    Every point is its class centre plus Gaussian noise of standard deviation ``std``.

    Returns ``X`` of shape ``(n * classes, D)`` (D is 2 for an integer ``centers``) and
    integer ``y`` in ``0 .. classes-1``.
    """
    n = _checks.integer("n", n, 1)
    std = _checks.non_negative("std", std)
    if isinstance(centers, numbers.Integral):
        classes = _checks.integer("centers", centers, 2)
        angle = 2.0 * np.pi * np.arange(classes) / classes
        means = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    else:
        try:
            means = np.asarray(centers, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"centers must be an integer or an array of numbers (classes, D): {err}") from err
        if means.ndim != 2 or means.shape[0] < 2 or means.shape[1] < 1:
            raise ValueError(
                "centers must be an integer >= 2 or an array of shape (classes, D) with "
                f"classes >= 2, got shape {means.shape}"
            )
        if not np.all(np.isfinite(means)):
            raise ValueError("centers must contain only finite numbers")
    classes, dims = means.shape
    rng = _rng(seed)
    X = np.repeat(means, n, axis=0) + std * rng.standard_normal((n * classes, dims))
    return X, _labels(classes, n)


# ---------------------------------------------------------------------------
# toy regression set
# ---------------------------------------------------------------------------


def regression_1d(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of ``sin(x)`` for ``x`` in ``[-pi, pi]``: fit a curve with a network.

    ``x`` is drawn uniformly and sorted, so ``plt.plot(X[:, 0], y)`` draws a clean curve.
    ``y = sin(x)`` plus Gaussian noise of standard deviation ``noise``.

    Returns ``X`` of shape ``(n, 1)`` and float64 ``y`` of shape ``(n,)``. A network with
    one output unit predicts shape ``(n, 1)``; compare it with ``y.reshape(-1, 1)``.
    """
    n = _checks.integer("n", n, 1)
    noise = _checks.non_negative("noise", noise)
    rng = _rng(seed)
    x = np.sort(rng.uniform(-np.pi, np.pi, n))
    y = np.sin(x) + noise * rng.standard_normal(n)
    return x.reshape(-1, 1), y


# ---------------------------------------------------------------------------
# a real data set: 8x8 handwritten digits
# ---------------------------------------------------------------------------


def load_digits(
    scale: bool = True, split: float | None = None, seed: int | None = 0
) -> tuple[np.ndarray, ...]:
    """The 1,797 handwritten digits of UCI "Optical Recognition of Handwritten Digits".

    Each row of ``X`` is an 8x8 image flattened to 64 pixel values: how much ink fell in
    each cell, from 0 to 16 (``X[i].reshape(8, 8)`` shows image ``i``). ``y`` is the digit,
    0 to 9. ``scale=True`` divides by 16 so the pixels lie in ``[0, 1]``.

    With ``split=None`` returns ``(X, y)``: X float64 ``(1797, 64)``, y integer ``(1797,)``.
    With ``split`` a test fraction such as ``0.2``, returns
    ``(X_train, y_train, X_test, y_test)``, shuffled with ``seed`` and stratified so every
    digit is as common in the test set as in the training set.
    """
    scale = _checks.boolean("scale", scale)
    if split is not None:
        split = _check_fraction("split", split)
    path = resources.files("backprop_nb") / "datasets" / "digits.npz"
    with path.open("rb") as file, np.load(file, allow_pickle=False) as npz:
        X = npz["X"].astype(np.float64)
        y = npz["y"].astype(np.intp)
    if scale:
        X /= 16.0
    if split is None:
        return X, y
    return train_test_split(X, y, test_fraction=split, seed=seed, stratify=True)


# ---------------------------------------------------------------------------
# helpers for any (X, y)
# ---------------------------------------------------------------------------


def train_test_split(
    X: np.ndarray,
    y: np.ndarray,
    test_fraction: float = 0.2,
    seed: int | None = 0,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows and hold out ``test_fraction`` of them for testing.

    Returns ``(X_train, y_train, X_test, y_test)`` (note the order: each X beside its y).
    The test set gets ``round(test_fraction * N)`` rows. With ``stratify=True`` each class
    (each distinct row of ``y``) is split separately, so class proportions match in both
    parts. Arrays are indexed, not converted, so dtypes are kept.
    """
    test_fraction = _check_fraction("test_fraction", test_fraction)
    stratify = _checks.boolean("stratify", stratify)
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ShapeError(f"X and y need one row per example, got shapes {X.shape} and {y.shape}")
    if len(y) != len(X):
        raise ShapeError(f"y has {len(y)} rows but X has {len(X)}")
    rng = _rng(seed)
    if stratify:
        _, group = np.unique(y, axis=0, return_inverse=True)
        group = group.reshape(-1)
        groups = [np.flatnonzero(group == g) for g in np.unique(group)]
    else:
        groups = [np.arange(len(y))]
    train_parts, test_parts = [], []
    for rows in groups:
        rows = rng.permutation(rows)
        k = round(test_fraction * len(rows))
        test_parts.append(rows[:k])
        train_parts.append(rows[k:])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.concatenate(test_parts))
    if len(train) == 0 or len(test) == 0:
        raise ValueError(
            f"test_fraction={test_fraction} of {len(y)} rows leaves {len(train)} training "
            f"and {len(test)} test rows; both need at least 1"
        )
    return X[train], y[train], X[test], y[test]


def check_dataset(
    X: object,
    y: object,
    task: Literal["classification", "regression"] = "classification",
) -> tuple[np.ndarray, np.ndarray]:
    """Check a data set and convert it to the arrays the rest of backprop_nb expects.

    Returns float64 ``X`` of shape ``(N, D)`` and ``y`` of shape ``(N,)``: integer class
    labels (non-negative integers; floats such as ``2.0`` are accepted) for
    ``task="classification"``, float64 targets for ``task="regression"``. A ``y`` of shape
    ``(N, 1)`` is flattened. Anything else raises an error naming the shape or the value
    at fault, e.g. ``"y has 99 rows but X has 100"`` or ``"label -1 at index 7 is
    negative"``.
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")

    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"X must be an array of numbers: {err}") from err
    if X.ndim != 2:
        hint = "; for a single feature use X.reshape(-1, 1)" if X.ndim == 1 else ""
        raise ShapeError(f"X must be 2-D (N, D), got shape {X.shape}{hint}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ShapeError(f"X needs at least one row and one column, got shape {X.shape}")

    try:
        y = np.asarray(y)
    except ValueError as err:  # a ragged list
        raise TypeError(f"y must be an array of numbers: {err}") from err
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim != 1:
        hint = "; for one-hot labels use y.argmax(axis=1)" if y.ndim == 2 else ""
        raise ShapeError(f"y must be 1-D (N,) or (N, 1), got shape {y.shape}{hint}")
    if len(y) != len(X):
        raise ShapeError(f"y has {len(y)} rows but X has {len(X)}")

    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        row, col = bad[0]
        raise ValueError(f"X contains {X[row, col]} at row {row}, column {col}")

    if y.dtype.kind not in "biuf":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"y must be an array of numbers, got dtype {y.dtype}") from err

    if task == "regression":
        y = y.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(y))
        if len(bad):
            raise ValueError(f"y contains {y[bad[0]]} at index {bad[0]}")
        return X, y

    if y.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(y) | (y != np.round(y)))
        if len(bad):
            raise ValueError(f"label {y[bad[0]]} at index {bad[0]} is not an integer")
    bad = np.flatnonzero(y < 0)
    if len(bad):
        raise ValueError(f"label {int(y[bad[0]])} at index {bad[0]} is negative")
    return X, y.astype(np.intp)
