"""The lectures' worked examples, recomputed with the engine and checked against hand derivations.

Each test rebuilds one example from the lecture decks (docs/lecture_examples.md lists them with their
worked examples and slips) gate by gate, runs backward, and compares every value and
gradient with numbers derived by hand in the comments: never with the engine itself. Where the
decks print rounded numbers, they are checked too (to the printed precision); where a deck is
wrong, the test asserts the corrected value and the comment says what the slide got wrong.

Decks: L12 = BBM406 lecture 12 (CS231n material), ML3 = "ML introduction 3" (CS231n lecture 4),
CMU = 10-301/601 lecture 13, UDL = DL4DS lecture 07a, MG = Matt Gormley's backpropagation slides.
"""

import math

import numpy as np
import pytest

import backprop_nb as bp

EXACT = {"rel": 1e-12, "abs": 1e-15}
"""Tolerance for values computed two ways in float64 (engine vs hand formula)."""

SLIDE = {"abs": 0.005}
"""Tolerance for numbers a slide prints rounded to two decimals."""


def _leaf(value, name: str) -> bp.Tensor:
    return bp.tensor(value, requires_grad=True, name=name)


def _close(actual, expected) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------
# L12 / ML3: f(x, y, z) = (x + y) z
# ---------------------------------------------------------------------------


def _simple_circuit() -> tuple[bp.Tensor, ...]:
    x, y, z = _leaf(-2.0, "x"), _leaf(5.0, "y"), _leaf(-4.0, "z")
    q = x + y
    f = q * z
    return x, y, z, q, f


def test_simple_circuit_values_and_gradients():
    x, y, z, q, f = _simple_circuit()
    # forward: q = x + y = -2 + 5 = 3;  f = q z = 3 · (-4) = -12
    assert q.item() == 3.0
    assert f.item() == -12.0
    f.backward()
    # ∂f/∂f = 1;  ∂f/∂q = z = -4;  ∂f/∂z = q = 3
    # ∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4;  ∂f/∂y = ∂f/∂q · ∂q/∂y = -4 · 1 = -4
    assert f.grad == 1.0
    assert q.grad == -4.0
    assert z.grad == 3.0
    assert x.grad == -4.0
    assert y.grad == -4.0


def test_backward_twice_adds_the_gradients_once_more_and_none_resets():
    x, y, z, q, f = _simple_circuit()
    f.backward()
    f.backward()
    # the second pass starts again from ∂f/∂f = 1 (it does not read the stored .grad), so each
    # gradient is added once more: exactly doubled, never compounded (-4 -> -8, not (-4)² = 16)
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-8.0, -8.0, 6.0, -8.0, 2.0)
    f.backward()
    assert (x.grad, y.grad, z.grad) == (-12.0, -12.0, 9.0)  # a third pass: three times
    for t in (x, y, z, q, f):
        t.grad = None
    f.backward()
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)


# ---------------------------------------------------------------------------
# L12 / ML3: the sigmoid neuron f(w, x) = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2)))
# ---------------------------------------------------------------------------

# The circuit figure is missing from the text; "slide" below means the rounded numbers of the CS231n
# lecture 4 figure both decks copy (ML3's text keeps one step of it: x0 and w0).
# w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3:  w0 x0 + w1 x1 + w2 = -2 + 6 - 3 = 1, so f = σ(1).
SIGMA_1 = 1.0 / (1.0 + math.exp(-1.0))  # 0.7310585786 (slide: 0.73)
DSIGMA_1 = (1.0 - SIGMA_1) * SIGMA_1  # σ'(1) = (1 − σ)σ = 0.1966119332 (slide: 0.20)
# gradients of the inputs: ∂f/∂wᵢ = xᵢ σ'(1), ∂f/∂xᵢ = wᵢ σ'(1), ∂f/∂w2 = σ'(1)
NEURON_GRADS = {
    "w0": -1.0 * DSIGMA_1,  # x0 · 0.1966 = -0.1966  (slide: -0.20)
    "x0": 2.0 * DSIGMA_1,  # w0 · 0.1966 = 0.3932   (slide: 0.39; ML3 prints 0.4, see the docs)
    "w1": -2.0 * DSIGMA_1,  # x1 · 0.1966 = -0.3932  (slide: -0.39)
    "x1": -3.0 * DSIGMA_1,  # w1 · 0.1966 = -0.5898  (slide: -0.59)
    "w2": DSIGMA_1,  # 1 · 0.1966 = 0.1966        (slide: 0.20)
}
NEURON_SLIDE_GRADS = {"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}


def _neuron_inputs() -> dict[str, bp.Tensor]:
    values = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    return {name: _leaf(v, name) for name, v in values.items()}


def test_sigmoid_neuron_from_primitive_gates_matches_every_number_on_the_slide():
    t = _neuron_inputs()
    w0x0 = t["w0"] * t["x0"]  # 2 · (-1) = -2
    w1x1 = t["w1"] * t["x1"]  # (-3) · (-2) = 6
    dot = w0x0 + w1x1  # 4
    s = dot + t["w2"]  # 4 - 3 = 1
    neg = s * -1.0  # the *-1 gate: -1
    e = neg.exp()  # e⁻¹ = 0.3679 (slide 0.37)
    den = e + 1.0  # the +1 gate: 1.3679 (slide 1.37)
    f = 1.0 / den  # the 1/x gate: 0.7311 (slide 0.73)
    forward = [(w0x0, -2.0), (w1x1, 6.0), (dot, 4.0), (s, 1.0), (neg, -1.0)]
    forward += [(e, math.exp(-1.0)), (den, 1.0 + math.exp(-1.0)), (f, SIGMA_1)]
    for node, value in forward:
        assert node.item() == pytest.approx(value, **EXACT)
    assert [round(n.item(), 2) for n in (e, den, f)] == [0.37, 1.37, 0.73]

    f.backward()
    g_den = -1.0 / (1.0 + math.exp(-1.0)) ** 2  # 1/x gate: -1/x² · 1 = -1/1.37² = -0.5344 (slide -0.53)
    g_e = g_den  # +1 gate passes it on: -0.53
    g_neg = g_e * math.exp(-1.0)  # exp gate: eˣ · upstream = 0.3679 · (-0.5344) = -0.1966 (slide -0.20)
    g_s = -1.0 * g_neg  # *-1 gate: 0.1966 (slide 0.20), which is σ'(1)
    assert g_s == pytest.approx(DSIGMA_1, **EXACT)
    # the add gates hand 0.20 unchanged to dot, w2, w0x0 and w1x1
    backward = [
        (f, 1.0),
        (den, g_den),
        (e, g_e),
        (neg, g_neg),
        (s, g_s),
        (dot, g_s),
        (w0x0, g_s),
        (w1x1, g_s),
    ]
    for node, grad in backward:
        assert node.grad == pytest.approx(grad, **EXACT)
    assert [round(float(n.grad), 2) for n in (den, e, neg, s)] == [-0.53, -0.53, -0.20, 0.20]
    for name, leaf in t.items():
        assert leaf.grad == pytest.approx(NEURON_GRADS[name], **EXACT)
        assert leaf.grad == pytest.approx(NEURON_SLIDE_GRADS[name], **SLIDE)


def test_sigmoid_neuron_with_the_sigmoid_gate_gives_the_same_gradients():
    t = _neuron_inputs()
    s = t["w0"] * t["x0"] + t["w1"] * t["x1"] + t["w2"]
    f = bp.sigmoid(s)
    f.backward()
    assert f.item() == pytest.approx(SIGMA_1, **EXACT)
    # one sigmoid gate instead of four: its local gradient is (1 − σ)σ = (1 − 0.73) · 0.73 = 0.20
    assert s.grad == pytest.approx((1.0 - f.item()) * f.item(), **EXACT)
    for name, leaf in t.items():
        assert leaf.grad == pytest.approx(NEURON_GRADS[name], **EXACT)


# ---------------------------------------------------------------------------
# L12 / ML3: patterns in backward flow, and gradients adding at branches
# ---------------------------------------------------------------------------


def test_add_distributes_max_routes_mul_swaps():
    # The decks' figure is missing; these are CS231n's numbers: f = 2 (x y + max(z, w)).
    x, y, z, w = _leaf(3.0, "x"), _leaf(-4.0, "y"), _leaf(2.0, "z"), _leaf(-1.0, "w")
    xy = x * y  # -12
    m = bp.maximum(z, w)  # max(2, -1) = 2
    total = xy + m  # -10
    f = total * 2.0  # -20
    assert (xy.item(), m.item(), total.item(), f.item()) == (-12.0, 2.0, -10.0, -20.0)
    f.backward()
    assert total.grad == 2.0  # *2 gate: local gradient 2
    assert (xy.grad, m.grad) == (2.0, 2.0)  # add distributes: both inputs get the upstream 2
    assert (z.grad, w.grad) == (2.0, 0.0)  # max routes: all to the larger input z, nothing to w
    assert (x.grad, y.grad) == (-8.0, 6.0)  # mul swaps: ∂f/∂x = y · 2 = -8, ∂f/∂y = x · 2 = 6


def test_gradients_add_at_branches():
    # x feeds two gates: a = x y and b = x + z, then f = a b (x = -2, y = 5, z = -4)
    x, y, z = _leaf(-2.0, "x"), _leaf(5.0, "y"), _leaf(-4.0, "z")
    a = x * y  # -10
    b = x + z  # -6
    f = a * b  # 60
    f.backward()
    # ∂f/∂x = ∂f/∂a ∂a/∂x + ∂f/∂b ∂b/∂x = b · y + a · 1 = (-6)(5) + (-10) = -40
    assert f.item() == 60.0
    assert (a.grad, b.grad) == (-6.0, -10.0)
    assert x.grad == -40.0
    assert (y.grad, z.grad) == (12.0, -10.0)  # ∂f/∂y = b x = 12, ∂f/∂z = a = -10


def test_one_input_used_twice_in_one_gate():
    x = _leaf(3.0, "x")
    f = x * x
    f.backward()
    # both inputs of the mul gate are x: x.grad = (other input) + (other input) = 3 + 3 = 2x = 6
    assert x.grad == 6.0


# ---------------------------------------------------------------------------
# L12: the softmax classifier (cat / car / frog), natural log
# ---------------------------------------------------------------------------

CAT_CAR_FROG = [3.2, 5.1, -1.7]


def test_softmax_loss_cat_car_frog_slide_steps_and_natural_log():
    s = _leaf(CAT_CAR_FROG, "scores")
    unnormalised = s.exp()  # e^3.2 = 24.53, e^5.1 = 164.02, e^-1.7 = 0.1827 (slide 24.5, 164.0, 0.18)
    p = unnormalised / unnormalised.sum()  # / 188.74 = 0.1300, 0.8690, 0.00097 (slide 0.13, 0.87, 0.00)
    loss = -p[0].log()  # correct class cat: -ln 0.12998 = 2.0404 (slide: 0.89, which is -log10 0.13)
    total = sum(math.exp(v) for v in CAT_CAR_FROG)
    probs = [math.exp(v) / total for v in CAT_CAR_FROG]
    _close(unnormalised.data, [math.exp(v) for v in CAT_CAR_FROG])
    np.testing.assert_allclose(unnormalised.data, [24.5, 164.0, 0.18], atol=0.05)
    _close(p.data, probs)
    np.testing.assert_allclose(p.data, [0.13, 0.87, 0.00], atol=0.005)
    assert loss.item() == pytest.approx(math.log(total) - 3.2, **EXACT)
    assert loss.item() == pytest.approx(2.04, **SLIDE)
    assert -math.log10(0.13) == pytest.approx(0.89, **SLIDE)  # where the slide's 0.89 comes from
    loss.backward()
    # ∂L/∂s = softmax(s) − onehot(cat) = (0.13 − 1, 0.87, 0.00097)
    _close(s.grad, np.subtract(probs, [1.0, 0.0, 0.0]))


def test_softmax_loss_through_log_softmax_agrees():
    s = _leaf(CAT_CAR_FROG, "scores")
    loss = -s.log_softmax()[0]  # L = log Σ eˢ − s_cat = ln 188.74 − 3.2 = 2.0404
    loss.backward()
    total = sum(math.exp(v) for v in CAT_CAR_FROG)
    assert loss.item() == pytest.approx(math.log(total) - 3.2, **EXACT)
    _close(s.grad, [math.exp(v) / total - (v == 3.2) for v in CAT_CAR_FROG])


# ---------------------------------------------------------------------------
# ML3: multiclass SVM (hinge) loss on the apple / banana / pear table
# ---------------------------------------------------------------------------

# rows: scores for classes apple, banana, pear; columns: the three examples (true apple, banana, pear)
FRUIT_SCORES = [[1.87, -0.4, 0.1], [1.3, 1.1, -0.3], [0.56, 1.35, 1.1]]
FRUIT_LABELS = [0, 1, 2]


def _hinge_losses(scores: bp.Tensor, labels: list[int]) -> bp.Tensor:
    """Lᵢ = Σ_{j≠yᵢ} max(0, s_j − s_{yᵢ} + 1) for each column i (relu is max(0, ·), relu'(0) = 0)."""
    n = len(labels)
    correct = scores[labels, list(range(n))]  # s_{yᵢ} of each column
    margins = (scores - correct + 1.0).relu()
    others = 1.0 - np.eye(scores.shape[0])[:, labels]  # 0 at the correct class, 1 elsewhere
    return (margins * others).sum(axis=0)


def test_hinge_loss_fruit_table_recomputed():
    scores = _leaf(FRUIT_SCORES, "scores")
    losses = _hinge_losses(scores, FRUIT_LABELS)
    # apple:  max(0, 1.3 − 1.87 + 1) + max(0, 0.56 − 1.87 + 1) = 0.43 + 0 = 0.43  (slide: 0.33)
    # banana: max(0, −0.4 − 1.1 + 1) + max(0, 1.35 − 1.1 + 1) = 0 + 1.25 = 1.25   (slide's −0.4 is −0.5)
    # pear:   max(0, 0.1 − 1.1 + 1) + max(0, −0.3 − 1.1 + 1) = 0 + 0 = 0
    np.testing.assert_allclose(losses.data, [0.43, 1.25, 0.0], rtol=0, atol=1e-12)
    assert losses.mean().item() == pytest.approx((0.43 + 1.25) / 3, abs=1e-12)  # L = 0.56
    losses.sum().backward()
    # each positive margin adds +1 to s_j and −1 to s_{yᵢ}; the pear margin 0.1 − 1.1 + 1 is exactly
    # 0.0 in float64, the hinge's kink, where relu'(0) = 0 gives it no gradient
    expected = [[-1.0, 0.0, 0.0], [1.0, -1.0, 0.0], [0.0, 1.0, 0.0]]
    np.testing.assert_array_equal(scores.grad, expected)


def test_hinge_loss_with_doubled_scores():
    pear = _leaf([[0.2], [-0.6], [2.2]], "pear scores")
    correct = pear[2, 0]
    # max(0, 0.2 − 2.2 + 1) + max(0, −0.6 − 2.2 + 1) = max(0, −1.0) + max(0, −1.8) = 0
    # (the slide writes max(0, −2) for the first term)
    np.testing.assert_allclose((pear - correct + 1.0).data[:2, 0], [-1.0, -1.8], atol=1e-12)
    assert _hinge_losses(pear, [2]).item() == 0.0
    # the slide doubles only the pear column; doubling every score changes the other two losses:
    # apple max(0, 2.6 − 3.74 + 1) + max(0, 1.12 − 3.74 + 1) = 0;  banana 0 + max(0, 2.7 − 2.2 + 1) = 1.5
    doubled = _hinge_losses(_leaf(2.0 * np.array(FRUIT_SCORES), "scores"), FRUIT_LABELS)
    np.testing.assert_allclose(doubled.data, [0.0, 1.5, 0.0], rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------
# ML3: the vectorized example f(x, W) = ‖W x‖²
# ---------------------------------------------------------------------------


def test_squared_norm_of_matrix_vector_product():
    W = _leaf([[0.1, 0.5], [-0.3, 0.8]], "W")
    x = _leaf([0.2, 0.4], "x")
    q = W @ x
    f = (q * q).sum()
    # q = W x = (0.1·0.2 + 0.5·0.4, −0.3·0.2 + 0.8·0.4) = (0.22, 0.26)
    # f = 0.22² + 0.26² = 0.0484 + 0.0676 = 0.116
    _close(q.data, [0.22, 0.26])
    assert f.item() == pytest.approx(0.116, **EXACT)
    f.backward()
    # ∇_q f = 2q = (0.44, 0.52)
    # ∇_W f = 2 q xᵀ = [[0.44·0.2, 0.44·0.4], [0.52·0.2, 0.52·0.4]] = [[0.088, 0.176], [0.104, 0.208]]
    # ∇_x f = 2 Wᵀ q = (0.1·0.44 − 0.3·0.52, 0.5·0.44 + 0.8·0.52) = (−0.112, 0.636)
    _close(q.grad, [0.44, 0.52])
    _close(W.grad, [[0.088, 0.176], [0.104, 0.208]])
    _close(x.grad, [-0.112, 0.636])


# ---------------------------------------------------------------------------
# CMU: y = e^{xz} + xz / ln x + sin(ln x) / (xz) at x = 2, z = 3
# ---------------------------------------------------------------------------


def test_cmu_reverse_mode_example_every_intermediate():
    x, z = _leaf(2.0, "x"), _leaf(3.0, "z")
    a = x * z  # a = xz = 6
    b = x.log()  # b = ln x = ln 2 = 0.693147
    c = b.sin()  # c = sin b = 0.638961
    d = a.exp()  # d = eᵃ = e⁶ = 403.428793
    e = a / b  # e = a / b = 8.656170
    f = c / a  # f = c / a = 0.106494
    y = d + e + f  # y = 412.191457
    ln2 = math.log(2.0)
    forward = {a: 6.0, b: ln2, c: math.sin(ln2), d: math.exp(6.0), e: 6.0 / ln2, f: math.sin(ln2) / 6.0}
    for node, value in forward.items():
        assert node.item() == pytest.approx(value, **EXACT)
    assert y.item() == pytest.approx(sum(forward[n] for n in (d, e, f)), **EXACT)
    assert y.item() == pytest.approx(412.191457, abs=1e-6)

    y.backward()
    g_c = 1.0 / 6.0  # g_c = g_f · 1/a = 1/6
    g_b = -6.0 / ln2**2 + g_c * math.cos(ln2)  # g_b = g_e (−a/b²) + g_c cos b = −12.488 + 0.128 = −12.360
    g_a = -math.sin(ln2) / 36.0 + 1.0 / ln2 + math.exp(6.0)  # g_f (−c/a²) + g_e (1/b) + g_d eᵃ = 404.854
    gradients = {y: 1.0, d: 1.0, e: 1.0, f: 1.0, c: g_c, b: g_b, a: g_a}
    for node, grad in gradients.items():
        assert node.grad == pytest.approx(grad, **EXACT)
    # g_z = g_a ∂a/∂z = g_a x (on the slide); g_x = g_a ∂a/∂x + g_b ∂b/∂x = g_a z + g_b / x (not on it)
    assert z.grad == pytest.approx(2.0 * g_a, **EXACT)  # 809.707479
    assert x.grad == pytest.approx(3.0 * g_a + g_b / 2.0, **EXACT)  # 1208.381215


def test_cmu_reverse_mode_example_against_the_analytic_partials():
    x, z = _leaf(2.0, "x"), _leaf(3.0, "z")
    y = (x * z).exp() + x * z / x.log() + x.log().sin() / (x * z)
    y.backward()
    # ∂y/∂x = z e^{xz} + z/ln x − z/(ln x)² + (cos ln x − sin ln x) / (x² z)
    # ∂y/∂z = x e^{xz} + x/ln x − sin(ln x) / (x z²)
    xv, zv = 2.0, 3.0
    ln_x = np.log(xv)
    dy_dx = zv * np.exp(xv * zv) + zv / ln_x - zv / ln_x**2 + (np.cos(ln_x) - np.sin(ln_x)) / (xv**2 * zv)
    dy_dz = xv * np.exp(xv * zv) + xv / ln_x - np.sin(ln_x) / (xv * zv**2)
    assert x.grad == pytest.approx(dy_dx, **EXACT)
    assert z.grad == pytest.approx(dy_dz, **EXACT)
    assert (float(x.grad), float(z.grad)) == pytest.approx((1208.381215, 809.707479), abs=1e-6)


# ---------------------------------------------------------------------------
# CMU: the ReLU network W(1) (2×1), W(2) (3×2), W(3) (1×3); input and loss are not in the text
# ---------------------------------------------------------------------------

# The slides print W(3) = [-1, 1, 1/2] with b(3) = 5 twice, then [-1, 1, 1/3] with b(3) = 5, with
# b(3) blank, and finally with b(3) = 1. We use the last version, W(3) = [-1, 1, 1/3] and b(3) = 1:
# it is the final slide's, 1/3 appears on three of the five slides, and 1/3 cancels the 3 in W(1)
# so integer inputs give integer outputs (the example was evidently built for hand arithmetic).
# The input is in the missing figure; x = 0.5 makes one unit of each hidden layer inactive.
CMU_W1, CMU_B1 = [[3.0], [-1.0]], [0.0, 0.0]
CMU_W2, CMU_B2 = [[-1.0, 1.0], [0.0, 1.0], [1.0, 1.0]], [2.0, -2.0, 0.0]


def _cmu_relu_network(x_value: float, w3: list[list[float]], b3: float) -> dict[str, bp.Tensor]:
    t = {"x": _leaf([x_value], "x")}
    t |= {"W1": _leaf(CMU_W1, "W1"), "b1": _leaf(CMU_B1, "b1"), "W2": _leaf(CMU_W2, "W2")}
    t |= {"b2": _leaf(CMU_B2, "b2"), "W3": _leaf(w3, "W3"), "b3": _leaf([b3], "b3")}
    t["s1"] = t["W1"] @ t["x"] + t["b1"]
    t["h1"] = t["s1"].relu()
    t["s2"] = t["W2"] @ t["h1"] + t["b2"]
    t["h2"] = t["s2"].relu()
    t["o"] = t["W3"] @ t["h2"] + t["b3"]
    return t


def test_cmu_relu_network_forward_and_backward():
    t = _cmu_relu_network(0.5, [[-1.0, 1.0, 1.0 / 3.0]], 1.0)
    # s1 = W1 x + b1 = (1.5, −0.5);  h1 = relu(s1) = (1.5, 0)
    # s2 = W2 h1 + b2 = (−1.5 + 2, 0 − 2, 1.5 + 0) = (0.5, −2, 1.5);  h2 = (0.5, 0, 1.5)
    # o = W3 h2 + b3 = −0.5 + 0 + 0.5 + 1 = 1
    expected = {
        "s1": [1.5, -0.5],
        "h1": [1.5, 0.0],
        "s2": [0.5, -2.0, 1.5],
        "h2": [0.5, 0.0, 1.5],
        "o": [1.0],
    }
    for name, value in expected.items():
        _close(t[name].data, value)
    t["o"].backward()
    # ∂o/∂W3 = h2ᵀ = (0.5, 0, 1.5); ∂o/∂b3 = 1; ∂o/∂h2 = W3ᵀ = (−1, 1, 1/3)
    # ∂o/∂s2 = ∂o/∂h2 ⊙ 1[s2 > 0] = (−1, 0, 1/3) = ∂o/∂b2;  ∂o/∂W2 = ∂o/∂s2 h1ᵀ
    # ∂o/∂h1 = W2ᵀ ∂o/∂s2 = ((−1)(−1) + 0 + 1/3, (1)(−1) + 0 + 1/3) = (4/3, −2/3)
    # ∂o/∂s1 = (4/3, 0) = ∂o/∂b1;  ∂o/∂W1 = ∂o/∂s1 x = (2/3, 0)ᵀ;  ∂o/∂x = W1ᵀ ∂o/∂s1 = 3 · 4/3 = 4
    grads = {
        "W3": [[0.5, 0.0, 1.5]],
        "b3": [1.0],
        "h2": [-1.0, 1.0, 1 / 3],
        "s2": [-1.0, 0.0, 1 / 3],
        "b2": [-1.0, 0.0, 1 / 3],
        "W2": [[-1.5, 0.0], [0.0, 0.0], [0.5, 0.0]],
        "h1": [4 / 3, -2 / 3],
        "s1": [4 / 3, 0.0],
        "b1": [4 / 3, 0.0],
        "W1": [[2 / 3], [0.0]],
        "x": [4.0],
    }
    for name, grad in grads.items():
        _close(t[name].grad, grad)


@pytest.mark.parametrize(
    ("w3_last", "b3", "output", "slope"),
    [
        pytest.param(1 / 3, 1.0, 1.0, 4.0, id="final slide: 1/3, b3=1"),
        pytest.param(1 / 2, 5.0, 5.25, 4.5, id="first slides: 1/2, b3=5"),
    ],
)
def test_cmu_relu_network_both_printed_weight_versions(w3_last, b3, output, slope):
    # for 0 < x < 2/3 the active units are h1₁ = 3x, h2₁ = 2 − 3x, h2₃ = 3x, so
    # o = −(2 − 3x) + w·3x + b3 = (3 + 3w) x − 2 + b3:  4x − 1 (w = 1/3, b3 = 1);  4.5x + 3 (w = 1/2, b3 = 5)
    t = _cmu_relu_network(0.5, [[-1.0, 1.0, w3_last]], b3)
    t["o"].backward()
    assert t["o"].item() == pytest.approx(output, **EXACT)
    assert t["x"].grad.item() == pytest.approx(slope, **EXACT)


# ---------------------------------------------------------------------------
# UDL: the toy network f = β3 + ω3 a[β2 + ω2 a[β1 + ω1 a[β0 + ω0 x]]], ℓ = (f − y)², a = ReLU
# ---------------------------------------------------------------------------

# The deck gives no numbers; these are chosen so every value is exact in binary and the three
# hidden values differ (a swapped h_k would show).
TOY = {"beta0": 0.5, "omega0": 1.0, "beta1": -1.0, "omega1": 2.0, "beta2": -2.0, "omega2": 1.5}
TOY |= {"beta3": 0.5, "omega3": -1.0}


def _toy_network(params: dict[str, float], x: float = 1.5, y: float = 1.0) -> dict[str, bp.Tensor]:
    t = {name: _leaf(v, name) for name, v in params.items()}
    t["f0"] = t["beta0"] + t["omega0"] * x
    t["h1"] = t["f0"].relu()
    t["f1"] = t["beta1"] + t["omega1"] * t["h1"]
    t["h2"] = t["f1"].relu()
    t["f2"] = t["beta2"] + t["omega2"] * t["h2"]
    t["h3"] = t["f2"].relu()
    t["f3"] = t["beta3"] + t["omega3"] * t["h3"]
    t["loss"] = (t["f3"] - y) ** 2
    return t


def test_toy_network_forward_and_backward_step_by_step():
    t = _toy_network(TOY)
    # x = 1.5, y = 1:  f0 = 0.5 + 1·1.5 = 2, h1 = 2;  f1 = −1 + 2·2 = 3, h2 = 3
    # f2 = −2 + 1.5·3 = 2.5, h3 = 2.5;  f3 = 0.5 − 1·2.5 = −2;  ℓ = (−2 − 1)² = 9
    forward = {"f0": 2.0, "h1": 2.0, "f1": 3.0, "h2": 3.0, "f2": 2.5, "h3": 2.5, "f3": -2.0, "loss": 9.0}
    for name, value in forward.items():
        assert t[name].item() == value
    t["loss"].backward()
    # ∂ℓ/∂f3 = 2(f3 − y) = −6;  ∂ℓ/∂h3 = ω3 · −6 = 6;  ∂ℓ/∂f2 = 1[f2 > 0] · 6 = 6
    # ∂ℓ/∂h2 = ω2 · 6 = 9;  ∂ℓ/∂f1 = 9;  ∂ℓ/∂h1 = ω1 · 9 = 18;  ∂ℓ/∂f0 = 18
    # parameters: ∂ℓ/∂β_k = ∂ℓ/∂f_k,  ∂ℓ/∂ω_k = h_k ∂ℓ/∂f_k  (with h_0 = x):
    # β3 −6, ω3 2.5·(−6) = −15;  β2 6, ω2 3·6 = 18;  β1 9, ω1 2·9 = 18;  β0 18, ω0 1.5·18 = 27
    backward = {"f3": -6.0, "h3": 6.0, "f2": 6.0, "h2": 9.0, "f1": 9.0, "h1": 18.0, "f0": 18.0}
    backward |= {"beta3": -6.0, "omega3": -15.0, "beta2": 6.0, "omega2": 18.0}
    backward |= {"beta1": 9.0, "omega1": 18.0, "beta0": 18.0, "omega0": 27.0}
    for name, grad in backward.items():
        assert t[name].grad == grad, name


def test_toy_network_inactive_relu_blocks_the_gradient_below_it():
    t = _toy_network(TOY | {"beta1": -5.0})
    # f1 = −5 + 2·2 = −1 < 0, so h2 = 0 and ∂h2/∂f1 = 1[f1 > 0] = 0: nothing reaches f1 or below
    t["loss"].backward()
    assert t["f1"].item() == -1.0
    for name in ("f1", "h1", "f0", "beta1", "omega1", "beta0", "omega0"):
        assert t[name].grad == 0.0, name
    # above the dead unit: h2 = 0, f2 = −2, h3 = 0, f3 = 0.5, ∂ℓ/∂f3 = 2(0.5 − 1) = −1 = ∂ℓ/∂β3
    assert t["beta3"].grad == -1.0


def test_relu_jacobian_is_the_diagonal_indicator():
    # ∂a/∂b for a = ReLU[b] is diag(1[b > 0]); b = (1.5, −0.5, 2) gives diag(1, 0, 1)
    np.testing.assert_array_equal(bp.jacobian(bp.relu, [1.5, -0.5, 2.0]), np.diag([1.0, 0.0, 1.0]))


# ---------------------------------------------------------------------------
# MG: J = cos(sin(x²) + 3x²)
# ---------------------------------------------------------------------------


def test_gormley_simple_example_node_by_node():
    # The deck gives no x; x = 0.5.
    x = _leaf(0.5, "x")
    t = x * x  # t = x² = 0.25
    u1 = t.sin()  # u1 = sin t = 0.247404
    u2 = 3.0 * t  # u2 = 3t = 0.75
    u = u1 + u2  # u = 0.997404
    J = u.cos()  # J = cos u = 0.542485
    for node, value in [(t, 0.25), (u1, math.sin(0.25)), (u2, 0.75), (u, math.sin(0.25) + 0.75)]:
        assert node.item() == pytest.approx(value, **EXACT)
    assert J.item() == pytest.approx(math.cos(math.sin(0.25) + 0.75), **EXACT)
    J.backward()
    g_u = -math.sin(math.sin(0.25) + 0.75)  # dJ/du = −sin u = −0.840066
    # dJ/du1 = dJ/du2 = dJ/du · 1; t feeds two gates, so dJ/dt = dJ/du1 cos t + dJ/du2 · 3 (they add)
    g_t = g_u * math.cos(0.25) + g_u * 3.0  # −0.813950 − 2.520197 = −3.334146
    for node, grad in [(u, g_u), (u1, g_u), (u2, g_u), (t, g_t)]:
        assert node.grad == pytest.approx(grad, **EXACT)
    assert x.grad == pytest.approx(g_t * 2.0 * 0.5, **EXACT)  # dJ/dx = dJ/dt · 2x = −3.334146


@pytest.mark.parametrize("x_value", [-1.3, 0.5, 2.0])
def test_gormley_simple_example_closed_form(x_value):
    x = _leaf(x_value, "x")
    J = ((x * x).sin() + 3.0 * x * x).cos()
    J.backward()
    # dJ/dx = −sin(sin(x²) + 3x²) · (cos(x²) · 2x + 6x)
    x2 = x_value**2
    assert x.grad == pytest.approx(
        -np.sin(np.sin(x2) + 3 * x2) * (np.cos(x2) * 2 * x_value + 6 * x_value), **EXACT
    )


# ---------------------------------------------------------------------------
# MG: logistic regression and the 1-hidden-layer sigmoid network (the deck gives no numbers)
# ---------------------------------------------------------------------------


def _log_likelihood(y: bp.Tensor, y_star: float) -> bp.Tensor:
    """The deck's J = y* log y + (1 − y*) log(1 − y): a log-likelihood (the loss is −J)."""
    return y_star * y.log() + (1.0 - y_star) * (1.0 - y).log()


@pytest.mark.parametrize("y_star", [0.0, 1.0])
def test_gormley_logistic_regression(y_star):
    theta = _leaf([0.5, -1.0, 2.0], "theta")
    x = _leaf([1.0, 0.3, 0.4], "x")  # x0 = 1 carries the bias θ0
    a = (theta * x).sum()  # a = 0.5 − 0.3 + 0.8 = 1
    y = a.sigmoid()  # y = σ(1) = 0.731059
    J = _log_likelihood(y, y_star)
    J.backward()
    y_value = 1.0 / (1.0 + math.exp(-1.0))
    dJ_dy = y_star / y_value + (1.0 - y_star) / (y_value - 1.0)  # the deck's dJ/dy
    dy_da = math.exp(-1.0) / (math.exp(-1.0) + 1.0) ** 2  # the deck's dy/da = σ(1)(1 − σ(1))
    # dJ/da = (y*/y − (1 − y*)/(1 − y)) · y(1 − y) = y*(1 − y) − (1 − y*) y = y* − y
    assert a.item() == pytest.approx(1.0, **EXACT)
    assert J.item() == pytest.approx(math.log(y_value if y_star else 1.0 - y_value), **EXACT)
    assert y.grad == pytest.approx(dJ_dy, **EXACT)
    assert a.grad == pytest.approx(dJ_dy * dy_da, **EXACT)
    assert a.grad == pytest.approx(y_star - y_value, **EXACT)
    _close(theta.grad, (y_star - y_value) * np.array([1.0, 0.3, 0.4]))  # dJ/dθ_j = dJ/da x_j
    _close(x.grad, (y_star - y_value) * np.array([0.5, -1.0, 2.0]))  # dJ/dx_j = dJ/da θ_j


@pytest.mark.parametrize("objective", ["cross-entropy as written", "quadratic"])
def test_gormley_one_hidden_layer_network_module_by_module(objective):
    x_values = np.array([1.0, 0.5, -1.5])  # x0 = 1 is the bias input
    alpha_values = np.array([[0.1, 0.4, -0.3], [-0.2, 0.2, 0.4]])  # α_ji: D = 2 hidden, M = 2 inputs
    beta_values = np.array([0.3, 0.7, -0.6])  # β0 multiplies the bias unit z0 = 1
    y_star = 1.0
    x, alpha, beta = _leaf(x_values, "x"), _leaf(alpha_values, "alpha"), _leaf(beta_values, "beta")
    a = alpha @ x  # (B) a_j = Σ_i α_ji x_i
    z = a.sigmoid()  # (C) z_j = σ(a_j)
    b = beta[0] + (beta[1:] * z).sum()  # (D) b = Σ_j β_j z_j with z0 = 1
    y = b.sigmoid()  # (E)
    J = 0.5 * (y - y_star) ** 2 if objective == "quadratic" else _log_likelihood(y, y_star)  # (F)
    J.backward()

    # the same modules by hand, in numpy
    a_h = alpha_values @ x_values
    z_h = 1.0 / (1.0 + np.exp(-a_h))
    b_h = beta_values[0] + beta_values[1:] @ z_h
    y_h = 1.0 / (1.0 + np.exp(-b_h))
    # (F)→(E)→(D): cross-entropy as written: dJ/db = y* − y;  quadratic: dJ/db = (y − y*) · y(1 − y)
    dJ_db = y_star - y_h if objective != "quadratic" else (y_h - y_star) * y_h * (1.0 - y_h)
    dJ_dz = dJ_db * beta_values[1:]  # db/dz_j = β_j
    dJ_da = dJ_dz * z_h * (1.0 - z_h)  # dz_j/da_j = e^{−a_j} / (e^{−a_j} + 1)² = z_j(1 − z_j)
    _close(a.data, a_h)
    _close(z.data, z_h)
    assert y.item() == pytest.approx(y_h, **EXACT)
    assert b.grad == pytest.approx(dJ_db, **EXACT)
    _close(beta.grad, dJ_db * np.concatenate([[1.0], z_h]))  # dJ/dβ_j = dJ/db z_j
    _close(z.grad, dJ_dz)
    _close(a.grad, dJ_da)
    _close(alpha.grad, np.outer(dJ_da, x_values))  # dJ/dα_ji = dJ/da_j x_i
    # dJ/dx_i = Σ_j dJ/da_j α_ji  (the deck's "dJ/da_j · Σ_j α_ji" puts the sum in the wrong place)
    _close(x.grad, alpha_values.T @ dJ_da)
