"""Tests for backprop_nb.data: toy sets, the shipped digits and check_dataset."""

import re
from importlib import resources

import numpy as np
import pytest

from backprop_nb import data
from backprop_nb.errors import ShapeError

# (generator, keyword arguments with noise, number of classes for those arguments)
CLASSIFICATION = [
    pytest.param(data.spiral, {"n": 50, "classes": 4, "noise": 0.2}, 4, id="spiral"),
    pytest.param(data.moons, {"n": 50, "noise": 0.1}, 2, id="moons"),
    pytest.param(data.circles, {"n": 50, "noise": 0.05, "factor": 0.3}, 2, id="circles"),
    pytest.param(data.xor, {"n": 50, "noise": 0.1}, 2, id="xor"),
    pytest.param(data.blobs, {"n": 50, "centers": 5, "std": 0.5}, 5, id="blobs"),
]
GENERATORS = [data.spiral, data.moons, data.circles, data.xor, data.blobs, data.regression_1d]
NOISY = [(data.blobs, "std")] + [(f, "noise") for f in GENERATORS if f is not data.blobs]


def same_state(a: tuple, b: tuple) -> bool:
    """Compare two ``np.random.get_state()`` tuples (one element is an array)."""
    return a[0] == b[0] and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def raises(exc: type[Exception], message: str):
    """``pytest.raises`` that matches ``message`` literally, not as a regex."""
    return pytest.raises(exc, match=re.escape(message))


# ---------------------------------------------------------------------------
# toy classification sets
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "kwargs", "classes"), CLASSIFICATION)
def test_classification_shapes_dtypes_and_balance(make, kwargs, classes):
    X, y = make(**kwargs, seed=3)
    assert X.shape == (50 * classes, 2)
    assert X.dtype == np.float64
    assert y.shape == (50 * classes,)
    assert y.dtype == np.int64
    assert np.all(np.isfinite(X))
    assert set(np.unique(y)) == set(range(classes))
    assert np.bincount(y).tolist() == [50] * classes
    # rows are grouped by class
    assert np.all(np.diff(y) >= 0)


@pytest.mark.parametrize(("make", "kwargs", "classes"), CLASSIFICATION)
def test_classification_seeds(make, kwargs, classes):
    X1, y1 = make(**kwargs, seed=7)
    X2, y2 = make(**kwargs, seed=7)
    X3, _ = make(**kwargs, seed=8)
    assert np.array_equal(X1, X2)
    assert np.array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("make", GENERATORS)
def test_defaults_just_work(make):
    X, y = make()
    assert X.ndim == 2
    assert X.dtype == np.float64
    assert len(X) == len(y) >= 100
    data.check_dataset(X, y, "regression" if make is data.regression_1d else "classification")


def test_default_sizes():
    assert data.spiral()[0].shape == (300, 2)
    assert data.moons()[0].shape == (200, 2)
    assert data.circles()[0].shape == (200, 2)
    assert data.xor()[0].shape == (200, 2)
    assert data.blobs()[0].shape == (300, 2)
    assert data.regression_1d()[0].shape == (100, 1)


@pytest.mark.parametrize("make", GENERATORS)
def test_global_random_state_untouched(make):
    np.random.seed(12345)
    before = np.random.get_state()
    make(seed=1)
    make(seed=None)
    assert same_state(before, np.random.get_state())


@pytest.mark.parametrize("make", GENERATORS)
def test_global_seed_does_not_change_output(make):
    np.random.seed(0)
    X1, _ = make(seed=5)
    np.random.seed(99)
    X2, _ = make(seed=5)
    assert np.array_equal(X1, X2)


@pytest.mark.parametrize("make", GENERATORS)
def test_seed_none_gives_fresh_data(make):
    assert not np.array_equal(make(seed=None)[0], make(seed=None)[0])


@pytest.mark.parametrize("make", GENERATORS)
def test_one_point_per_class(make):
    X, y = make(n=1)
    assert len(X) == len(y) >= 1


def test_spiral_noise_free_geometry():
    n, classes = 40, 3
    X, y = data.spiral(n=n, classes=classes, noise=0.0)
    radius = np.linspace(0.0, 1.0, n)
    for k in range(classes):
        arm = X[y == k]
        norms = np.linalg.norm(arm, axis=1)
        assert np.allclose(norms, radius)
        assert np.all(np.diff(norms) > 0)  # radii increase along the arm
        angle = 4.0 * (k + radius)
        assert np.allclose(arm, np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
    # every arm starts at the origin
    assert np.allclose(X[y == 0][0], 0.0)


def test_spiral_noise_moves_angle_not_radius():
    X0, _ = data.spiral(n=30, noise=0.0)
    X1, _ = data.spiral(n=30, noise=0.5, seed=2)
    assert np.allclose(np.linalg.norm(X0, axis=1), np.linalg.norm(X1, axis=1))
    assert not np.allclose(X0, X1)


def test_moons_noise_free_geometry():
    X, y = data.moons(n=25, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.linalg.norm(upper, axis=1), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    assert np.allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_circles_noise_free_radii():
    X, y = data.circles(n=30, noise=0.0, factor=0.4)
    radius = np.linalg.norm(X, axis=1)
    assert np.allclose(radius[y == 0], 1.0)
    assert np.allclose(radius[y == 1], 0.4)


def test_xor_noise_free_quadrants():
    X, y = data.xor(n=200, noise=0.0, seed=4)
    assert np.all(np.abs(X) <= 1.0)
    product = X[:, 0] * X[:, 1]
    assert np.all(product[y == 0] > 0)  # same signs: top right, bottom left
    assert np.all(product[y == 1] < 0)  # different signs
    # all four quadrants are used
    quadrants = {(bool(a > 0), bool(b > 0)) for a, b in X}
    assert len(quadrants) == 4


def test_blobs_noise_free_and_centres():
    X, y = data.blobs(n=10, centers=4, std=0.0)
    centres = X[::10]
    assert np.allclose(np.linalg.norm(centres, axis=1), 2.0)
    for k in range(4):
        assert np.allclose(X[y == k], centres[k])


def test_blobs_with_given_centres():
    centres = [[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]]
    X, y = data.blobs(n=400, centers=np.array(centres), std=0.1, seed=1)
    assert X.shape == (800, 3)
    assert np.bincount(y).tolist() == [400, 400]
    assert np.allclose(X[y == 1].mean(axis=0), centres[1], atol=0.05)
    assert np.allclose(X[y == 0].std(axis=0), 0.1, atol=0.02)


# ---------------------------------------------------------------------------
# regression set
# ---------------------------------------------------------------------------


def test_regression_shapes_and_dtypes():
    X, y = data.regression_1d(n=60, seed=1)
    assert X.shape == (60, 1)
    assert y.shape == (60,)
    assert X.dtype == np.float64
    assert y.dtype == np.float64


def test_regression_noise_free_is_sine():
    X, y = data.regression_1d(n=80, noise=0.0, seed=2)
    assert np.all(np.diff(X[:, 0]) >= 0)  # sorted for plotting
    assert np.all(np.abs(X) <= np.pi)
    assert np.allclose(y, np.sin(X[:, 0]))


def test_regression_seeds():
    X1, y1 = data.regression_1d(seed=3)
    X2, y2 = data.regression_1d(seed=3)
    X3, y3 = data.regression_1d(seed=4)
    assert np.array_equal(X1, X2)
    assert np.array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    assert not np.allclose(y1, y3)


# ---------------------------------------------------------------------------
# argument validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("n", [0, -3])
def test_n_too_small(make, n):
    with raises(ValueError, f"n must be >= 1, got {n}"):
        make(n=n)


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("n", [2.5, "10", True, None])
def test_n_not_an_integer(make, n):
    with raises(TypeError, f"n must be an integer, got {n!r}"):
        make(n=n)


def test_n_accepts_numpy_integer():
    assert data.spiral(n=np.int64(5))[0].shape == (15, 2)


@pytest.mark.parametrize("classes", [1, 0])
def test_spiral_classes_too_small(classes):
    with raises(ValueError, f"classes must be >= 2, got {classes}"):
        data.spiral(classes=classes)


@pytest.mark.parametrize(("make", "name"), NOISY)
def test_negative_noise(make, name):
    with raises(ValueError, f"{name} must be >= 0, got -0.1"):
        make(**{name: -0.1})


@pytest.mark.parametrize(("make", "name"), NOISY)
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_noise(make, name, value):
    with raises(ValueError, f"{name} must be a finite number, got {value}"):
        make(**{name: value})


@pytest.mark.parametrize(("make", "name"), NOISY)
def test_noise_not_a_number(make, name):
    with raises(TypeError, f"{name} must be a number, got 'big'"):
        make(**{name: "big"})


@pytest.mark.parametrize("factor", [0, 1, 1.5, -0.5])
def test_circles_factor_out_of_range(factor):
    with raises(ValueError, f"factor must be between 0 and 1 (exclusive), got {float(factor)}"):
        data.circles(factor=factor)


def test_blobs_too_few_centres():
    with raises(ValueError, "centers must be >= 2, got 1"):
        data.blobs(centers=1)


@pytest.mark.parametrize("centres", [[[0.0, 0.0]], [1.0, 2.0, 3.0], np.zeros((3, 0))])
def test_blobs_bad_centre_array(centres):
    shape = np.asarray(centres).shape
    with raises(ValueError, f"with classes >= 2, got shape {shape}"):
        data.blobs(centers=centres)


def test_blobs_centres_must_be_finite():
    with raises(ValueError, "centers must contain only finite numbers"):
        data.blobs(centers=[[0.0, 0.0], [np.nan, 1.0]])


# ---------------------------------------------------------------------------
# train_test_split
# ---------------------------------------------------------------------------


def test_split_sizes_disjoint_and_complete():
    X = np.arange(200, dtype=np.float64).reshape(100, 2)
    y = np.arange(100)
    X_train, y_train, X_test, y_test = data.train_test_split(X, y, test_fraction=0.25, seed=1)
    assert X_train.shape == (75, 2)
    assert X_test.shape == (25, 2)
    assert set(y_train).isdisjoint(y_test)
    assert sorted([*y_train, *y_test]) == list(range(100))
    assert np.array_equal(X_train[:, 0], 2 * y_train)  # rows stay paired with labels
    assert np.array_equal(X_test[:, 0], 2 * y_test)
    assert not np.array_equal(y_train, np.sort(y_train))  # shuffled
    assert y_train.dtype == y.dtype


def test_split_is_seeded_and_keeps_global_state():
    X, y = data.moons(n=50)
    np.random.seed(3)
    before = np.random.get_state()
    a = data.train_test_split(X, y, seed=11)
    b = data.train_test_split(X, y, seed=11)
    c = data.train_test_split(X, y, seed=12)
    assert same_state(before, np.random.get_state())
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a[1], c[1])


def test_split_stratified_keeps_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.zeros((100, 1))
    _, y_train, _, y_test = data.train_test_split(X, y, test_fraction=0.2, stratify=True)
    assert np.bincount(y_test).tolist() == [12, 6, 2]
    assert np.bincount(y_train).tolist() == [48, 24, 8]


def test_split_stratified_one_hot_labels():
    y = np.eye(2)[np.repeat([0, 1], [40, 10])]
    _, y_train, _, y_test = data.train_test_split(np.zeros((50, 3)), y, 0.2, stratify=True)
    assert y_test.sum(axis=0).tolist() == [8, 2]
    assert y_train.sum(axis=0).tolist() == [32, 8]


def test_split_errors():
    X = np.zeros((10, 2))
    with raises(ValueError, "y has 9 rows but X has 10"):
        data.train_test_split(X, np.zeros(9))
    with raises(ValueError, "X and y need one row per example, got shapes () and (10,)"):
        data.train_test_split(np.float64(1.0), np.zeros(10))
    with raises(ValueError, "test_fraction must be between 0 and 1 (exclusive), got 1.0"):
        data.train_test_split(X, np.zeros(10), test_fraction=1)
    with raises(ValueError, "test_fraction=0.01 of 10 rows leaves 10 training and 0 test rows"):
        data.train_test_split(X, np.zeros(10), test_fraction=0.01)


def test_shape_problems_raise_shape_error():
    with pytest.raises(ShapeError):
        data.train_test_split(np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(ShapeError):
        data.check_dataset(np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(ShapeError):
        data.check_dataset(np.zeros(3), np.zeros(3))


# ---------------------------------------------------------------------------
# the shipped digits
# ---------------------------------------------------------------------------


def test_digits_file_is_small_plain_uint8():
    path = resources.files("backprop_nb") / "datasets" / "digits.npz"
    with path.open("rb") as file:
        size = len(file.read())
    assert size < 100_000
    with path.open("rb") as file, np.load(file, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["X", "y"]
        assert npz["X"].dtype == np.uint8
        assert npz["X"].shape == (1797, 64)


def test_digits_licence_is_shipped():
    text = (resources.files("backprop_nb") / "datasets" / "DIGITS_LICENSE.txt").read_text()
    assert "CC BY 4.0" in text
    assert "Alpaydin" in text
    assert "Kaynak" in text
    assert "10.24432/C50P49" in text


def test_digits_scaled():
    X, y = data.load_digits()
    assert X.shape == (1797, 64)
    assert X.dtype == np.float64
    assert y.shape == (1797,)
    assert y.dtype == np.int64
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert set(y.tolist()) == set(range(10))
    assert np.all(np.bincount(y) >= 170)  # roughly balanced, about 180 each


def test_digits_unscaled_pixel_counts():
    X, y = data.load_digits(scale=False)
    assert X.dtype == np.float64
    assert X.min() == 0.0
    assert X.max() == 16.0
    assert np.array_equal(X, np.round(X))
    assert np.array_equal(X / 16.0, data.load_digits()[0])
    # the first image is a zero with an empty centre column, as in the original file
    assert y[0] == 0
    assert X[0].reshape(8, 8)[3:5, 3:5].sum() < X[0].reshape(8, 8).sum() / 10


def test_digits_split():
    X, y = data.load_digits()
    X_train, y_train, X_test, y_test = data.load_digits(split=0.2, seed=5)
    counts = np.bincount(y)
    assert np.bincount(y_test).tolist() == [round(0.2 * c) for c in counts]
    assert len(X_train) + len(X_test) == 1797
    assert len(y_train) == len(X_train)
    assert len(y_test) == len(X_test)
    assert X_train.shape[1] == X_test.shape[1] == 64
    # together the two parts are exactly the data set, each row once
    rows = sorted(r.tobytes() + bytes([c]) for r, c in zip(X, y, strict=True))
    parts = [*zip(X_train, y_train, strict=True), *zip(X_test, y_test, strict=True)]
    assert sorted(r.tobytes() + bytes([int(c)]) for r, c in parts) == rows


def test_digits_split_seeded():
    a = data.load_digits(split=0.3, seed=1)
    b = data.load_digits(split=0.3, seed=1)
    c = data.load_digits(split=0.3, seed=2)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("split", [0, 1, 1.5, -0.2])
def test_digits_bad_split(split):
    with raises(ValueError, f"split must be between 0 and 1 (exclusive), got {float(split)}"):
        data.load_digits(split=split)


# ---------------------------------------------------------------------------
# check_dataset
# ---------------------------------------------------------------------------


def test_check_dataset_converts_lists():
    X, y = data.check_dataset([[0, 1], [2, 3], [4, 5]], [0, 1, 1])
    assert X.dtype == np.float64
    assert X.shape == (3, 2)
    assert y.dtype == np.int64
    assert y.tolist() == [0, 1, 1]


def test_check_dataset_integral_floats_and_column_labels():
    _, y = data.check_dataset(np.zeros((3, 1)), np.array([[0.0], [2.0], [1.0]]))
    assert y.shape == (3,)
    assert y.dtype == np.int64
    assert y.tolist() == [0, 2, 1]


def test_check_dataset_bool_labels():
    _, y = data.check_dataset(np.zeros((2, 1)), [True, False])
    assert y.tolist() == [1, 0]
    assert y.dtype == np.int64


def test_check_dataset_regression():
    _, y = data.check_dataset(np.zeros((4, 2)), [[0.5], [1], [-2], [3.25]], task="regression")
    assert y.dtype == np.float64
    assert y.tolist() == [0.5, 1.0, -2.0, 3.25]


def test_check_dataset_accepts_every_toy_set():
    for make in (data.spiral, data.moons, data.circles, data.xor, data.blobs):
        X, y = make(n=5)
        X2, y2 = data.check_dataset(X, y)
        assert np.array_equal(X, X2)
        assert np.array_equal(y, y2)
    X, y = data.regression_1d(n=5)
    assert np.array_equal(data.check_dataset(X, y, task="regression")[1], y)


def test_check_dataset_row_mismatch():
    with raises(ValueError, "y has 99 rows but X has 100"):
        data.check_dataset(np.zeros((100, 2)), np.zeros(99))


def test_check_dataset_negative_label():
    y = np.zeros(10, dtype=int)
    y[7] = -1
    with raises(ValueError, "label -1 at index 7 is negative"):
        data.check_dataset(np.zeros((10, 2)), y)
    with raises(ValueError, "label -1 at index 7 is negative"):
        data.check_dataset(np.zeros((10, 2)), y.astype(float))


def test_check_dataset_non_integer_label():
    with raises(ValueError, "label 2.5 at index 3 is not an integer"):
        data.check_dataset(np.zeros((5, 2)), [0, 1, 2, 2.5, 1])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_check_dataset_non_finite_label(bad):
    with raises(ValueError, f"label {bad} at index 1 is not an integer"):
        data.check_dataset(np.zeros((3, 2)), [0, bad, 1])


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((5, 2, 2), "X must be 2-D (N, D), got shape (5, 2, 2)"),
        ((5,), "X must be 2-D (N, D), got shape (5,); for a single feature use X.reshape(-1, 1)"),
        ((), "X must be 2-D (N, D), got shape ()"),
        ((0, 3), "X needs at least one row and one column, got shape (0, 3)"),
        ((4, 0), "X needs at least one row and one column, got shape (4, 0)"),
    ],
)
def test_check_dataset_bad_x_shape(shape, message):
    with raises(ValueError, message):
        data.check_dataset(np.zeros(shape), np.zeros(shape[0] if shape else 1))


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((6, 3), "y must be 1-D (N,) or (N, 1), got shape (6, 3); for one-hot labels use y.argmax(axis=1)"),
        ((6, 1, 1), "y must be 1-D (N,) or (N, 1), got shape (6, 1, 1)"),
        ((), "y must be 1-D (N,) or (N, 1), got shape ()"),
    ],
)
def test_check_dataset_bad_y_shape(shape, message):
    with raises(ValueError, message):
        data.check_dataset(np.zeros((6, 2)), np.zeros(shape))


@pytest.mark.parametrize(("bad", "word"), [(np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf")])
def test_check_dataset_non_finite_x(bad, word):
    X = np.zeros((5, 3))
    X[3, 1] = bad
    with raises(ValueError, f"X contains {word} at row 3, column 1"):
        data.check_dataset(X, np.zeros(5))


def test_check_dataset_non_finite_regression_target():
    with raises(ValueError, "y contains nan at index 2"):
        data.check_dataset(np.zeros((3, 1)), [0.0, 1.0, np.nan], task="regression")


def test_check_dataset_non_numeric():
    with raises(TypeError, "X must be an array of numbers"):
        data.check_dataset([["a", "b"]], [0])
    with raises(TypeError, "y must be an array of numbers, got dtype <U3"):
        data.check_dataset(np.zeros((2, 1)), ["cat", "dog"])


def test_check_dataset_numeric_strings_as_labels():
    _, y = data.check_dataset(np.zeros((2, 1)), ["1", "0"])
    assert y.tolist() == [1, 0]


def test_check_dataset_bad_task():
    with raises(ValueError, "task must be 'classification' or 'regression', got 'clustering'"):
        data.check_dataset(np.zeros((2, 1)), [0, 1], task="clustering")


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (-1, ValueError, "seed must be >= 0, got -1"),
        (1.5, TypeError, "seed must be None, an integer >= 0 or a numpy Generator, got 1.5"),
        ("0", TypeError, "seed must be None, an integer >= 0 or a numpy Generator, got '0'"),
        (True, TypeError, "seed must be None, an integer >= 0 or a numpy Generator, got True"),
    ],
)
def test_seeds_are_checked(make, seed, error, message):
    with raises(error, message):
        make(seed=seed)


@pytest.mark.parametrize("make", GENERATORS)
def test_numpy_integers_and_generators_work_as_seeds_and_counts(make):
    X, _ = make(n=np.int64(10), seed=np.int32(3))
    X_again, _ = make(n=10, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(X, X_again)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.load_digits(scale="False"), "scale must be True or False, got 'False'"),
        (lambda: data.load_digits(split=0.2, seed=-5), "seed must be >= 0, got -5"),
        (
            lambda: data.train_test_split(np.ones((4, 1)), np.arange(4), stratify="yes"),
            "stratify must be True or False, got 'yes'",
        ),
    ],
)
def test_flags_and_split_seeds_are_checked(call, message):
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        call()


def test_ragged_labels_are_named():
    with raises(TypeError, "y must be an array of numbers: setting an array element with a sequence"):
        data.check_dataset(np.ones((2, 1)), [[1, 2], [3]])


def test_ragged_centres_are_named():
    with raises(TypeError, "centers must be an integer or an array of numbers (classes, D)"):
        data.blobs(centers=[[1.0, 2.0], [3.0]])
