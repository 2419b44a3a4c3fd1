"""Grad mode, anomaly detection, scopes and nn's module paths belong to one thread (as in PyTorch).

Each test holds a switch open in a second thread while the main thread works, using events, so
the two really overlap.
"""

import threading
from collections.abc import Callable

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb import nn


def _inside_in_other_thread(switch: Callable[[], object], work: Callable[[], object]) -> object:
    """Run ``work`` in this thread while another thread sits inside ``with switch():``."""
    entered, done = threading.Event(), threading.Event()
    failures = []

    def hold_switch():
        try:
            with switch():
                entered.set()
                done.wait(timeout=10)
        except BaseException as error:  # reported by the test below
            failures.append(error)
            entered.set()

    thread = threading.Thread(target=hold_switch)
    thread.start()
    try:
        assert entered.wait(timeout=10)
        return work()
    finally:
        done.set()
        thread.join(timeout=10)
        assert not failures


def test_no_grad_in_another_thread_does_not_stop_recording_here():
    x = bp.tensor(2.0, requires_grad=True)

    def record():
        assert bp.is_grad_enabled()
        return x * 3

    y = _inside_in_other_thread(bp.no_grad, record)
    assert y.requires_grad and y.op is not None


def test_detect_anomaly_in_another_thread_does_not_raise_here():
    x = bp.tensor(np.inf, requires_grad=True)
    y = _inside_in_other_thread(bp.detect_anomaly, lambda: x * 2.0)  # inf, and no AnomalyError
    assert y.item() == np.inf


def test_scope_in_another_thread_does_not_label_tensors_here():
    x = bp.tensor(2.0, requires_grad=True)
    y = _inside_in_other_thread(lambda: bp.scope("elsewhere"), lambda: x * 3)
    assert y._scope == ()


def test_overlapping_no_grad_blocks_in_two_threads_leave_recording_on():
    """A enters, B enters, A leaves, B leaves: with one shared setting B would restore A's False."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def thread_a():
        with bp.no_grad():
            a_in.set()
            b_in.wait(timeout=10)
        a_out.set()

    def thread_b():
        a_in.wait(timeout=10)
        with bp.no_grad():
            b_in.set()
            a_out.wait(timeout=10)

    threads = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert bp.is_grad_enabled()
    assert (bp.tensor(1.0, requires_grad=True) * 2).requires_grad


def test_a_new_thread_starts_with_the_defaults_even_inside_no_grad():
    seen = []
    with bp.no_grad(), bp.scope("outer"):
        thread = threading.Thread(target=lambda: seen.append((bp.is_grad_enabled(), bp.tensor(1.0)._scope)))
        thread.start()
        thread.join(timeout=10)
    assert seen == [(True, ())]


def test_a_module_running_in_another_thread_does_not_rename_modules_here():
    class Waiting(nn.Module):
        """A model whose sub-module ``inner`` waits for an event while it runs."""

        def __init__(self, started: threading.Event, release: threading.Event):
            super().__init__()
            self.inner = _Blocking(started, release)

        def forward(self, x):
            return self.inner(x)

    class _Blocking(nn.Module):
        def __init__(self, started, release):
            super().__init__()
            self.started, self.release = started, release

        def forward(self, x):
            self.started.set()
            self.release.wait(timeout=10)
            return x * 1.0

    started, release = threading.Event(), threading.Event()
    model = Waiting(started, release)
    layer = nn.Linear(2, 3, seed=0)
    model_output = []
    thread = threading.Thread(target=lambda: model_output.append(model(bp.tensor([1.0, 2.0]))))
    thread.start()
    try:
        assert started.wait(timeout=10)
        out = layer(bp.tensor([[1.0, 2.0]]))
    finally:
        release.set()
        thread.join(timeout=10)
    assert out._scope == ("Linear(2→3)",)
    assert model_output[0]._scope == ("Waiting", "inner: _Blocking")


def test_switches_decorate_with_or_without_parentheses():
    @bp.no_grad
    def bare(t):
        return t * 2

    @bp.no_grad()
    def called(t):
        return t * 2

    @bp.enable_grad
    def recording(t):
        return t * 2

    x = bp.tensor(1.0, requires_grad=True)
    assert not bare(x).requires_grad and not called(x).requires_grad
    assert bare.__name__ == "bare"
    with bp.no_grad():
        assert recording(x).requires_grad
    assert bp.is_grad_enabled()


def test_a_decorated_function_may_call_itself():
    @bp.no_grad
    def depth(n):
        assert not bp.is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)

    assert depth(3) == 3
    assert bp.is_grad_enabled()


def test_a_switch_object_may_be_entered_again_inside_itself():
    switch = bp.no_grad()
    with bp.no_grad(), switch:
        with switch:
            assert not bp.is_grad_enabled()
        assert not bp.is_grad_enabled()
    assert bp.is_grad_enabled()


@pytest.mark.parametrize("switch", [bp.no_grad, bp.enable_grad, bp.detect_anomaly])
def test_a_switch_given_a_non_function_says_how_to_use_it(switch):
    with pytest.raises(TypeError, match=r"takes no arguments.*with bp\."):
        switch(np.float64(1.0))


def test_scope_names_must_be_strings():
    with pytest.raises(TypeError, match="scope name must be a non-empty string, got a int"):
        bp.scope(3)
