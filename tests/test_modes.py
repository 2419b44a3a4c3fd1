"""no_grad, detect_anomaly and scope."""

import numpy as np
import pytest

import backprop_nb as bp


def test_no_grad_records_nothing_and_restores():
    x = bp.tensor(2.0, requires_grad=True)
    with bp.no_grad():
        assert not bp.is_grad_enabled()
        y = x * 3
        with bp.enable_grad():
            z = x * 3
    assert bp.is_grad_enabled()
    assert y.op is None and not y.requires_grad
    assert z.requires_grad


def test_no_grad_restores_after_an_exception_and_works_as_decorator():
    @bp.no_grad()
    def evaluate(t):
        return t * 2

    x = bp.tensor(1.0, requires_grad=True)
    assert not evaluate(x).requires_grad
    with pytest.raises(RuntimeError), bp.no_grad():
        raise RuntimeError("boom")
    assert bp.is_grad_enabled()


def test_detect_anomaly_names_the_forward_op_and_its_inputs():
    x = bp.tensor([1.0, 0.0], requires_grad=True, name="x")
    with (
        bp.detect_anomaly(),
        pytest.raises(bp.AnomalyError, match=r"Log \(log\) produced inf in its forward.*'x'"),
    ):
        np.seterr(divide="ignore")
        try:
            x.log()
        finally:
            np.seterr(divide="warn")


def test_detect_anomaly_catches_nan_in_backward():
    x = bp.tensor(0.0, requires_grad=True, name="x")
    y = x.sqrt()  # forward: 0, fine; backward: 1/(2·0) = inf
    with bp.detect_anomaly(), pytest.raises(bp.AnomalyError, match=r"Sqrt.*backward.*'x'"):
        y.backward()


def test_without_detect_anomaly_nan_passes_silently_into_grad():
    x = bp.tensor(0.0, requires_grad=True)
    x.sqrt().backward()
    assert np.isinf(x.grad)


def test_scope_labels_tensors_and_nests():
    x = bp.tensor(1.0, requires_grad=True)
    with bp.scope("layer1"):
        a = x * 2
        with bp.scope("act"):
            b = a.tanh()
    c = b + 1
    assert a._scope == ("layer1",)
    assert b._scope == ("layer1", "act")
    assert c._scope == ()


def test_scope_needs_a_name():
    with pytest.raises(ValueError, match="non-empty string"), bp.scope(""):
        pass
