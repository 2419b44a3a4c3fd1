"""Every exercise checker is fed at least one right and three wrong answers, and judges them so.

Each tests/test_exercises_<module>.py registers its cases in a module-level dict::

    CASES = {
        "check_softplus_derivative": {"right": [0.8808], "wrong": [0.88, 7.389, None]},
        "check_relu_backward": {"right": [relu_backward], "wrong": [no_upstream, mutates, stub]},
        "check_test_accuracy": {
            "right": [lambda: check_test_accuracy(trained_model, 0.93)],
            "wrong": [lambda: check_test_accuracy(untrained_model, 0.086), ...],
        },
    }

A case is either the one answer, passed as ``check_name(answer)`` (a number, an array, a
function the student would write, None for the placeholder), or a callable taking NO arguments
that calls the checker itself and returns its Feedback (for checkers with several arguments).
Because a student's answer to a code exercise is itself a function, a case that is a plain
function is passed to the checker as the answer when it takes parameters, and called when it
takes none; a class (the answer to "write the gate class") is always passed as the answer. A right case must give a truthy Feedback, a wrong one a falsy Feedback.

The checkers are the public names ``check_*`` of :mod:`backprop_nb.exercises` (its
``__all__``), except the tools defined in its private modules (``check_function``,
``check_prediction``), which tests/test_code_checker.py tests.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from backprop_nb import exercises
from backprop_nb.exercises import Feedback

MIN_RIGHT = 1
MIN_WRONG = 3


def _checkers() -> list[str]:
    return sorted(
        name
        for name in exercises.__all__
        if name.startswith("check_")
        and not getattr(exercises, name).__module__.startswith("backprop_nb.exercises._")
    )


def _registered_cases() -> dict[str, dict[str, list]]:
    """The CASES of every tests/test_exercises_*.py, merged (a checker registered twice is an error)."""
    merged: dict[str, dict[str, list]] = {}
    for path in sorted(Path(__file__).parent.glob("test_exercises_*.py")):
        module = importlib.import_module(path.stem)
        for name, cases in getattr(module, "CASES", {}).items():
            assert name not in merged, f"{name} has CASES in two test modules"
            merged[name] = cases
    return merged


CASES = _registered_cases()


def _is_thunk(case: object) -> bool:
    """A case that runs the checker itself: a callable that takes no arguments."""
    if not callable(case) or inspect.isclass(case):
        return False
    try:
        return not inspect.signature(case).parameters
    except (TypeError, ValueError):
        return False


def _verdict(name: str, case: object) -> Feedback:
    feedback = case() if _is_thunk(case) else getattr(exercises, name)(case)
    assert isinstance(feedback, Feedback), f"{name}: a case returned {feedback!r}, not a Feedback"
    return feedback


def test_every_checker_has_enough_cases():
    missing = []
    for name in _checkers():
        cases = CASES.get(name, {})
        rights, wrongs = len(cases.get("right", [])), len(cases.get("wrong", []))
        if rights < MIN_RIGHT or wrongs < MIN_WRONG:
            missing.append(f"{name} (right {rights}/{MIN_RIGHT}, wrong {wrongs}/{MIN_WRONG})")
    assert not missing, "checkers without enough CASES in tests/test_exercises_*.py:\n  " + "\n  ".join(
        missing
    )


def test_cases_name_only_public_checkers():
    unknown = sorted(set(CASES) - set(_checkers()))
    assert not unknown, f"CASES for names that are not public checkers: {unknown}"


@pytest.mark.parametrize(
    ("name", "case"), [(name, case) for name in sorted(CASES) for case in CASES[name].get("right", [])]
)
def test_right_cases_pass(name, case):
    feedback = _verdict(name, case)
    assert feedback, f"{name} rejected a right answer: {feedback}"


@pytest.mark.parametrize(
    ("name", "case"), [(name, case) for name in sorted(CASES) for case in CASES[name].get("wrong", [])]
)
def test_wrong_cases_fail_with_a_message_and_a_hint(name, case):
    feedback = _verdict(name, case)
    assert not feedback, f"{name} accepted a wrong answer: {case!r}"
    assert feedback.message
    if feedback.message.startswith("Fill in"):  # a placeholder: no attempt yet, so no hint yet
        assert not feedback.hint, f"{name} shows its hint before any attempt"
    else:
        assert feedback.hint, f"{name} gives no hint after a wrong attempt: {feedback.message}"
