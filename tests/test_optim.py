"""Optimisers: three steps of each against values derived by hand, and the argument checks.

The expected numbers come from the update rules worked on paper (the derivation is in the
comment beside each case), not from re-running the implementation.
"""

import math

import numpy as np
import pytest
from _optimizer_paths import stepped_points

import backprop_nb as bp
from backprop_nb import optim
from backprop_nb.errors import ShapeError


def trajectory(make_optimizer, f, x0, steps=3):
    """The parameter after each of ``steps`` updates (the start left out)."""
    return stepped_points(make_optimizer, f, x0, steps)[1:]


def square(x):
    return (x * x).sum()  # g = 2x


def slope3(x):
    return 3 * x  # g = 3 everywhere


CASES = {
    # x ← x − 0.1·2x = 0.8x
    "sgd": (lambda p: optim.SGD(p, lr=0.1), square, 1.0, [0.8, 0.64, 0.512]),
    # b1 = g1 = 2 → 0.8;  g = 1.6, b = 0.9·2 + 1.6 = 3.4 → 0.46;  g = 0.92, b = 3.06 + 0.92 = 3.98 → 0.062
    "momentum": (lambda p: optim.SGD(p, lr=0.1, momentum=0.9), square, 1.0, [0.8, 0.46, 0.062]),
    # first step undamped: b1 = 2 → 0.8;  b = 1.8 + 0.5·1.6 = 2.6 → 0.54;  b = 2.34 + 0.54 = 2.88 → 0.252
    "dampening": (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.5),
        square,
        1.0,
        [0.8, 0.54, 0.252],
    ),
    # b1 = 2, d = 2 + 0.9·2 = 3.8 → 0.62;  g = 1.24, b = 3.04, d = 1.24 + 2.736 = 3.976 → 0.2224;
    # g = 0.4448, b = 2.736 + 0.4448 = 3.1808, d = 0.4448 + 2.86272 = 3.30752 → −0.108352
    "nesterov": (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        square,
        1.0,
        [0.62, 0.2224, -0.108352],
    ),
    # g = 2x + 0.5x → x ← x − 0.1·2.5x = 0.75x
    "weight_decay": (lambda p: optim.SGD(p, lr=0.1, weight_decay=0.5), square, 1.0, [0.75, 0.5625, 0.421875]),
    # g = 2, s = 4 → 1 − 0.1·2/2 = 0.9;  g = 1.8, s = 7.24 → 0.9 − 0.18/√7.24;  g = 2·x2, s += g²
    "adagrad": (
        lambda p: optim.Adagrad(p, lr=0.1),
        square,
        1.0,
        [0.9, 0.833103526837755, 0.7804561813481035],
    ),
    # constant g = 3, s = 7 + 9t = 16, 25, 34; lr_t = 1/t → steps 3/4, (1/2)(3/5), (1/3)(3/√34)
    "adagrad_decay_init": (
        lambda p: optim.AdaGrad(p, lr=1.0, lr_decay=1.0, initial_accumulator_value=7.0),
        slope3,
        0.0,
        [-0.75, -1.05, -1.05 - 1 / math.sqrt(34)],
    ),
    # weight decay alone (g = 0·x + x): s = 1, 1.25, 1.25 + 0.2764²;  x ← x − 0.5·x/√s
    "adagrad_weight_decay": (
        lambda p: optim.Adagrad(p, lr=0.5, weight_decay=1.0),
        lambda x: 0 * x,
        1.0,
        [0.5, 0.27639320225002106, 0.15639873602421203],
    ),
    # constant g = 3, α = 0.5: v_t = (1 − 0.5ᵗ)·9, step 0.1·3/(3√(1 − 0.5ᵗ)) = 0.1/√(0.5, 0.75, 0.875)
    "rmsprop": (
        lambda p: optim.RMSprop(p, lr=0.1, alpha=0.5),
        slope3,
        0.0,
        [-0.1 * math.sqrt(2), -0.2568914100752347, -0.36379590684020446],
    ),
    # ε = 1 outside the root: steps 0.3/(3√(1 − 0.5ᵗ) + 1) = 0.0961132, 0.0833779, 0.0788179
    "rmsprop_eps_outside_root": (
        lambda p: optim.RMSprop(p, lr=0.1, alpha=0.5, eps=1.0),
        slope3,
        0.0,
        [-0.09611317230511221, -0.1794910615931113, -0.258308939705713],
    ),
    # ḡ_t = (1 − 0.5ᵗ)·3, v − ḡ² = 9(1 − 0.5ᵗ)0.5ᵗ = 9·(0.25, 0.1875, 0.109375)
    "rmsprop_centered": (
        lambda p: optim.RMSProp(p, lr=0.1, alpha=0.5, centered=True),
        slope3,
        0.0,
        [-0.2, -0.2 - 0.1 / math.sqrt(0.1875), -0.733311686083232],
    ),
    # d_t = 1/√(1 − 0.5ᵗ) = 1.41421, 1.15470, 1.06905;  b = 1.41421, 1.86181, 1.99995
    "rmsprop_momentum": (
        lambda p: optim.RMSprop(p, lr=0.1, alpha=0.5, momentum=0.5),
        slope3,
        0.0,
        [-0.1414213562373095, -0.3276020881938895, -0.5275969509371492],
    ),
    # constant gradient: m̂ = g and v̂ = g² exactly, so each step is lr·3/(3 + 1e-8)
    "adam_constant_gradient": (lambda p: optim.Adam(p, lr=0.1), slope3, 0.0, [-0.1, -0.2, -0.3]),
    # β = (0.5, 0.5): g = 2, m = 1, v = 2, m̂ = 2, v̂ = 4 → 0.9;
    # g = 1.8, m = 1.4, v = 2.62, m̂ = 1.8667, v̂ = 3.4933 → 0.8001273;  then g = 1.6002546, ...
    "adam": (
        lambda p: optim.Adam(p, lr=0.1, betas=(0.5, 0.5)),
        square,
        1.0,
        [0.9, 0.800127307499101, 0.700485854279752],
    ),
    # β = (0, 0): m̂ = g, v̂ = g², so each step is lr·sign(g) with g = x (weight decay alone)
    "adam_weight_decay": (
        lambda p: optim.Adam(p, lr=0.1, betas=(0.0, 0.0), weight_decay=1.0),
        lambda x: 0 * x,
        1.0,
        [0.9, 0.8, 0.7],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_three_steps_match_the_hand_derivation(name):
    make_optimizer, f, x0, expected = CASES[name]
    np.testing.assert_allclose(trajectory(make_optimizer, f, x0), expected, rtol=1e-7, atol=1e-9)


def test_adagrad_scales_each_coordinate_separately():
    # f = 3x0 − 4x1: g = (3, −4); each coordinate moves lr·sign(g)/√t
    path = trajectory(lambda p: optim.Adagrad(p, lr=1.0), lambda x: 3 * x[0] - 4 * x[1], [0.0, 0.0])
    expected = np.array([1.0, 1.7071067811865475, 2.284457050376173])
    np.testing.assert_allclose(path, np.column_stack([-expected, expected]), rtol=1e-9)


@pytest.mark.parametrize(
    ("amsgrad", "expected"),
    [
        # β = (0, 0.5), g = 2, 1, 1:  v = 2, 1.5, 1.25;  v_max = 2, 2, 2;  bias 0.5, 0.75, 0.875
        (True, [0.9, 0.9 - 0.1 / math.sqrt(2 / 0.75), 0.7726189736538057]),
        (False, [0.9, 0.9 - 0.1 / math.sqrt(2), 0.7456233192279378]),
    ],
)
def test_amsgrad_divides_by_the_largest_second_moment(amsgrad, expected):
    x = bp.tensor(1.0, requires_grad=True)
    optimizer = optim.Adam([x], lr=0.1, betas=(0.0, 0.5), amsgrad=amsgrad)
    points = []
    for g in (2.0, 1.0, 1.0):
        x.grad = np.array(g)
        optimizer.step()
        points.append(x.item())
    np.testing.assert_allclose(points, expected, rtol=1e-7)


# ----- the lectures' forms of momentum (claims of the SGD docstring) ------------------------
A = np.diag([1.0, 10.0])  # f(θ) = ½ θᵀAθ, gradient Aθ


def quadratic(x):
    return 0.5 * (x * (x @ A)).sum()


def sgd_path(steps=20, **kwargs):
    return trajectory(lambda p: optim.SGD(p, **kwargs), quadratic, [1.0, 1.0], steps)


def test_cs231n_velocity_form_is_pytorch_momentum():
    rho, alpha = 0.8, 0.05
    theta, v, points = np.array([1.0, 1.0]), np.zeros(2), []
    for _ in range(20):
        v = rho * v - alpha * (A @ theta)
        theta = theta + v
        points.append(theta)
    np.testing.assert_allclose(sgd_path(lr=alpha, momentum=rho), points, rtol=1e-12)


def test_cs231n_nesterov_form_is_pytorch_nesterov():
    rho, alpha = 0.8, 0.05
    theta, v, points = np.array([1.0, 1.0]), np.zeros(2), []
    for _ in range(20):
        v_prev = v
        v = rho * v - alpha * (A @ theta)
        theta = theta - rho * v_prev + (1 + rho) * v
        points.append(theta)
    np.testing.assert_allclose(sgd_path(lr=alpha, momentum=rho, nesterov=True), points, rtol=1e-12)


def moving_average_path(gamma, beta, start_at_first_gradient=False):
    theta, m, points = np.array([1.0, 1.0]), None, []
    for _ in range(20):
        g = A @ theta
        if m is None:
            m = g.copy() if start_at_first_gradient else np.zeros(2)
        m = beta * m + (1 - beta) * g
        theta = theta - gamma * m
        points.append(theta)
    return np.array(points)


def test_moving_average_momentum_is_pytorch_momentum_with_lr_times_one_minus_beta():
    gamma, beta = 0.5, 0.9
    expected = moving_average_path(gamma, beta)
    np.testing.assert_allclose(sgd_path(lr=gamma * (1 - beta), momentum=beta), expected, rtol=1e-12)
    # dampening=β is the moving average started at the first gradient, not at zero
    damped = sgd_path(lr=gamma, momentum=beta, dampening=beta)
    np.testing.assert_allclose(
        damped, moving_average_path(gamma, beta, start_at_first_gradient=True), rtol=1e-12
    )
    assert not np.allclose(damped, expected)


# ----- what step() and zero_grad() touch ---------------------------------------------------
def test_parameters_without_gradient_are_skipped_and_keep_their_step_count():
    a = bp.tensor(1.0, requires_grad=True)
    b = bp.tensor(1.0, requires_grad=True)
    optimizer = optim.Adam([a, b], lr=0.1)
    a.grad = np.array(5.0)
    optimizer.step()
    assert b.item() == 1.0 and b not in optimizer.state
    a.grad = b.grad = np.array(5.0)
    optimizer.step()
    # b's first update: Adam's first step is lr·sign(g) whatever a has done
    np.testing.assert_allclose(b.item(), 0.9, rtol=1e-8)
    assert optimizer.state[a]["step"] == 2 and optimizer.state[b]["step"] == 1


def test_zero_grad_sets_grad_to_none():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.SGD([x], lr=0.1)
    square(x).backward()
    optimizer.zero_grad()
    assert x.grad is None


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
        lambda p: optim.Adagrad(p, weight_decay=0.1),
        lambda p: optim.RMSprop(p, momentum=0.5, centered=True, weight_decay=0.1),
        lambda p: optim.Adam(p, weight_decay=0.1, amsgrad=True),
    ],
)
def test_step_reads_a_read_only_gradient_and_changes_data_in_place(make_optimizer):
    x = bp.tensor([1.0, -2.0], requires_grad=True)
    data = x.data
    optimizer = make_optimizer([x])
    for _ in range(2):
        grad = np.array([0.5, 0.25])
        grad.flags.writeable = False
        x.grad = grad
        optimizer.step()
        np.testing.assert_array_equal(x.grad, [0.5, 0.25])
    assert x.data is data and not np.array_equal(data, [1.0, -2.0])


def test_step_rejects_a_gradient_of_the_wrong_shape():
    x = bp.tensor([1.0, 2.0], requires_grad=True, name="w")
    optimizer = optim.SGD([x], lr=0.1)
    x.grad = np.ones(3)
    with pytest.raises(ShapeError, match=r"'?w'?.*\(3,\).*\(2,\)"):
        optimizer.step()


def test_repr_shows_lr_and_changed_hyperparameters():
    x = bp.tensor(1.0, requires_grad=True)
    assert repr(optim.SGD([x], lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9)"
    assert repr(optim.Adam([x])) == "Adam(lr=0.001)"
    assert optim.AdaGrad is optim.Adagrad and optim.RMSProp is optim.RMSprop


# ----- bad arguments -----------------------------------------------------------------------
def param():
    return bp.tensor([1.0], requires_grad=True)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: optim.SGD([param()], lr=0), "lr must be > 0"),
        (lambda: optim.SGD([param()], lr=-0.1), "lr must be > 0"),
        (lambda: optim.SGD([param()], lr=float("nan")), "lr must be a finite number"),
        (lambda: optim.SGD([param()], lr=0.1, momentum=-0.5), "momentum must be >= 0"),
        (lambda: optim.SGD([param()], lr=0.1, nesterov=True), "Nesterov momentum needs momentum > 0"),
        (lambda: optim.SGD([param()], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
        (lambda: optim.SGD([param()], lr=0.1, weight_decay=-1), "weight_decay must be >= 0"),
        (lambda: optim.Adagrad([param()], lr_decay=-1), "lr_decay must be >= 0"),
        (lambda: optim.Adagrad([param()], initial_accumulator_value=-1), "initial_accumulator_value"),
        (lambda: optim.RMSprop([param()], alpha=1.0), r"alpha must be in \[0, 1\)"),
        (lambda: optim.RMSprop([param()], eps=-1e-8), "eps must be > 0"),
        (lambda: optim.Adam([param()], eps=0), "eps must be > 0"),
        (lambda: optim.Adagrad([param()], eps=0.0), "eps must be > 0"),
        (lambda: optim.Adam([param()], betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\)"),
        (lambda: optim.Adam([param()], betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda: optim.SGD([], lr=0.1), "empty list of parameters"),
        (lambda: optim.SGD([bp.tensor([1.0], name="x")], lr=0.1), r"\('x'\) has requires_grad=False"),
        (lambda: optim.SGD([param() * 2], lr=0.1), "only leaf tensors"),
        (lambda: optim.SGD([p := param(), p], lr=0.1), "appears more than once"),
    ],
)
def test_invalid_arguments_raise_value_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: optim.SGD(param(), lr=0.1), "wrap a single tensor in a list"),
        (lambda: optim.SGD([np.ones(2)], lr=0.1), "ndarray, not a Tensor"),
        (lambda: optim.SGD([("w", param())], lr=0.1), "not named_parameters"),
        (lambda: optim.SGD(5, lr=0.1), "iterable of tensors"),
        (lambda: optim.SGD({"w": param()}, lr=0.1), r"got a dict .* list\(params.values\(\)\)"),
        (lambda: optim.SGD([param()], lr="0.1"), "lr must be a number"),
        (lambda: optim.Adam([param()], betas=0.9), "betas must be a pair"),
        (
            lambda: optim.SGD([param()], lr=0.1, momentum=0.9, nesterov="False"),
            "nesterov must be True or False",
        ),
        (lambda: optim.Adam([param()], amsgrad="no"), "amsgrad must be True or False, got 'no'"),
        (lambda: optim.RMSprop([param()], centered=1), "centered must be True or False, got 1"),
    ],
)
def test_wrong_types_raise_type_errors(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_accepts_a_generator_of_parameters():
    params = [param(), param()]
    optimizer = optim.SGD((p for p in params), lr=0.1)
    assert optimizer.params == params


def test_a_learning_rate_assigned_later_is_checked_too():
    optimizer = optim.SGD([param()], lr=0.1)
    optimizer.lr = np.float32(0.5)  # numpy numbers are fine
    assert optimizer.lr == 0.5 and type(optimizer.lr) is float
    with pytest.raises(ValueError, match=r"lr must be > 0, got 0\.0"):
        optimizer.lr = 0
    with pytest.raises(TypeError, match=r"lr must be a number, got '0\.01'"):
        optimizer.lr = "0.01"
    assert optimizer.lr == 0.5


def test_numpy_numbers_and_booleans_are_accepted():
    optimizer = optim.SGD([param()], lr=np.float64(0.1), momentum=np.int64(0), nesterov=np.bool_(False))
    assert repr(optimizer) == "SGD(lr=0.1)"
    assert optim.Adam([param()], betas=(np.float32(0.5), 0.9), amsgrad=np.bool_(True)).amsgrad is True
