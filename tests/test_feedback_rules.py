"""The one tolerance rule for typed numbers: 3 significant figures, stated in every rejection."""

import doctest
import math

import numpy as np
import pytest

from backprop_nb.exercises import SIGNIFICANT_FIGURES, TOLERANCE_RULE, _feedback
from backprop_nb.exercises._feedback import (
    agrees,
    compare_array,
    diagnose_array,
    diagnose_number,
    figures_given,
    half_unit,
)

RULE = "(checked to 3 significant figures)"


def test_the_rule_is_three_figures_and_its_sentence_says_so():
    assert SIGNIFICANT_FIGURES == 3
    assert "3 significant figures" in TOLERANCE_RULE
    assert "more digits are fine" in TOLERANCE_RULE


def test_the_module_examples_hold():
    assert doctest.testmod(_feedback).failed == 0


# ----- agrees: the boundary is half a unit in the 3rd figure of the truth ---------------------
@pytest.mark.parametrize(
    ("truth", "half"),
    [(2.0399, 0.005), (0.8808, 0.0005), (123.4, 0.5), (7.8886e-31, 5e-34), (-6.166, 0.005), (1.0, 0.005)],
)
def test_half_unit_in_the_third_figure(truth, half):
    assert half_unit(truth) == pytest.approx(half)


@pytest.mark.parametrize(
    ("answer", "truth", "expected"),
    [
        (2.04, 2.0399, True),
        (2.0399, 2.0399, True),
        (2.0351, 2.0399, True),  # 0.0048 away: inside half a unit (0.005)
        (2.0345, 2.0399, False),  # 0.0054 away
        (2.005, 2.0, True),  # exactly on the boundary
        (2.0051, 2.0, False),
        (1.995, 2.0, True),
        (1.9949, 2.0, False),
        (0.88, 0.8808, False),  # 2 figures are not enough
        (0.881, 0.8808, True),
        (7.89e-31, 0.25**50, True),
        (7.9e-31, 0.25**50, False),
        (-6.17, -6.166, True),  # negative numbers: the same rule on |truth|
        (6.17, -6.166, False),
        (-6.18, -6.166, False),
        (0.0, 0.0, True),  # a truth of 0 has no figures: a tiny absolute tolerance
        (1e-10, 0.0, True),
        (1e-3, 0.0, False),
        (0.0, 1e-20, False),  # but a tiny non-zero truth is still checked to 3 figures
    ],
)
def test_agrees(answer, truth, expected):
    assert agrees(answer, truth) is expected


def test_more_figures_can_be_asked_for():
    assert agrees(12.0, 12.01)
    assert not agrees(12.0, 12.01, figures=4)
    assert agrees(12.01, 12.01, figures=4)


@pytest.mark.parametrize(
    ("number", "figures"),
    [(0.88, 2), (7.9e-31, 2), (2.04, 3), (0.000788, 3), (1200.0, 2), (5.0, 1), (-6.166, 4)],
)
def test_figures_given_counts_what_python_writes(number, figures):
    assert figures_given(number) == figures


# ----- diagnose_number: the messages --------------------------------------------------------
def _diagnose(answer, truth=0.8808, **options):
    return diagnose_number("the slope", answer, truth, hint="Use σ(2).", **options)


@pytest.mark.parametrize("answer", [0.8808, 0.881, 0.88079707797788, np.float32(0.8808)])
def test_three_figures_or_more_pass(answer):
    assert _diagnose(answer)


@pytest.mark.parametrize(
    ("answer", "given"), [(0.88, "2 significant figures; give 3."), (0.9, "1 significant figure; give 3.")]
)
def test_too_few_figures_are_named_without_revealing_the_truth(answer, given):
    feedback = _diagnose(answer)
    assert not feedback
    assert f"you gave {given}" in feedback.message
    assert feedback.message.endswith(RULE)
    assert "0.8808" not in feedback.message and "0.881" not in feedback.message
    assert feedback.hint == "Use σ(2)."


def test_the_issue_example_for_a_tiny_number():
    feedback = _diagnose(7.9e-31, truth=0.25**50)
    assert not feedback
    assert "you gave 2 significant figures; give 3." in feedback.message


def test_a_sign_error_and_the_given_mistakes_are_named_with_the_rule():
    sign = _diagnose(-0.8808)
    assert not sign and "the sign is flipped." in sign.message and sign.message.endswith(RULE)
    halved = _diagnose(0.4404, mistakes=[(lambda e: e / 2, "you halved it.")])
    assert not halved and "you halved it." in halved.message and halved.message.endswith(RULE)


def test_a_wrong_number_says_the_rule():
    feedback = _diagnose(0.5)
    assert not feedback
    assert feedback.message == f"the slope: you wrote 0.5, which is not it. {RULE}"


def test_rounded_intermediates_are_named():
    truth = -math.log(0.1324)  # 2.0219
    rounded = [(-math.log(0.13), "p to 0.13 before taking the log")]  # 2.0402
    feedback = diagnose_number("the loss", 2.04, truth, hint="Keep p exact.", rounded=rounded)
    assert not feedback
    assert "you rounded p to 0.13 before taking the log" in feedback.message
    assert "Keep every digit until the end." in feedback.message
    assert feedback.message.endswith(RULE)
    assert diagnose_number("the loss", 2.02, truth, hint="Keep p exact.", rounded=rounded)


def test_a_rule_of_more_figures_is_stated_as_such():
    feedback = diagnose_number("the difference", 12.0, 12.01, hint="h", figures=4)
    assert not feedback
    assert feedback.message.endswith("(checked to 4 significant figures)")


def test_not_a_number_is_named():
    assert _diagnose("0.8808")  # a numeric string is read as the number it spells
    assert "should be a single number" in _diagnose("about 0.9").message


# ----- arrays: the same rule per entry -------------------------------------------------------
TRUTH = np.array([0.7304, 0.2196, 0.2911])


def test_an_array_agreeing_to_three_figures_passes():
    assert compare_array("dJ/dθ", [0.730, 0.220, 0.291], TRUTH, hint="h")
    assert compare_array("dJ/dθ", [0.73, 0.22, 0.29], [0.73, 0.22, 0.29000001], hint="h")


def test_an_array_entry_with_too_few_figures_is_named():
    feedback = compare_array("dJ/dθ", [0.73, 0.22, 0.29], TRUTH, hint="h")
    assert not feedback
    assert "at index (2,) you have 0.29: you gave 2 significant figures; give 3." in feedback.message
    assert "0.291" not in feedback.message
    assert "you gave 2 significant figures; give 3." in feedback.message
    assert feedback.message.endswith(RULE)


def test_an_array_entry_that_is_wrong_is_located():
    feedback = compare_array("dJ/dθ", [0.730, 0.5, 0.291], TRUTH, hint="h")
    assert not feedback
    assert "1 of 3 entries differ, the first at index (1,)" in feedback.message
    assert feedback.message.endswith(RULE)


def test_array_shapes_and_signs_are_diagnosed():
    square = np.arange(6.0).reshape(2, 3) + 1
    assert "it is transposed" in compare_array("W", square.T, square, hint="h").message
    assert "should have shape (2, 3), got (3,)" in compare_array("W", TRUTH, square, hint="h").message
    assert "every sign is flipped" in compare_array("W", -square, square, hint="h").message


def test_array_mistakes_are_matched_per_entry():
    feedback = diagnose_array("dJ/dθ", TRUTH * 2, TRUTH, hint="h", mistakes=[(TRUTH * 2, "you doubled it.")])
    assert not feedback
    assert "you doubled it." in feedback.message and feedback.message.endswith(RULE)


def test_zero_entries_accept_zero():
    assert compare_array("relu′", [0.0, 1.0], np.array([0.0, 1.0]), hint="h")
    assert not compare_array("relu′", [0.01, 1.0], np.array([0.0, 1.0]), hint="h")
