"""Predict, then run: the student commits to a prediction before the notebook shows the result.

One cell holds ``prediction = None  # your guess``; the next computes the actual result and calls
:func:`check_prediction`. While the prediction is still None the result stays hidden; once it is
written, the Feedback reveals the result and why, and says whether the prediction was right.

>>> from backprop_nb.exercises import check_prediction
>>> explain = "Each sigmoid multiplies the gradient by at most 1/4."
>>> print(check_prediction("the gradient after 10 sigmoids", None, 0.25**10, explain=explain))
✘ Not yet: Write your prediction for the gradient after 10 sigmoids first: replace None, then run this cell again.
>>> print(check_prediction("the gradient after 10 sigmoids", 1e-6, 0.25**10, explain=explain))
✔ Correct: You predicted 1e-06 for the gradient after 10 sigmoids; it is 9.53674e-07. Each sigmoid multiplies the gradient by at most 1/4.
>>> print(check_prediction("the loss", "up", "down", choices=("up", "down", "same"), explain="It falls."))
✘ Not yet: You predicted 'up' for the loss; it is 'down'. It falls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._feedback import Feedback, as_number, is_placeholder, wrong

PREDICTION_RTOL = 0.1
"""A numeric prediction within 10 % of the actual result counts as right (it is a guess)."""


def check_prediction(
    what: str,
    prediction: Any,
    actual: Any,
    *,
    choices: Sequence[str] | None = None,
    rtol: float | None = None,
    explain: str,
) -> Feedback:
    """Compare a prediction with the actual result; reveal the result only once a prediction is made.

    With ``choices`` the prediction is one of those words (case and surrounding spaces do not
    matter; a word that is not among them is named, the result stays hidden). Without, it is a
    number, right when within ``rtol`` (default ``PREDICTION_RTOL``) of ``actual``, relatively.
    """
    if is_placeholder(prediction):
        return wrong(f"Write your prediction for {what} first: replace None, then run this cell again.")
    if choices is not None:
        allowed = [choice.strip().lower() for choice in choices]
        guess = str(prediction).strip().lower()
        if guess not in allowed:
            listed = ", ".join(repr(choice) for choice in choices)
            return wrong(f"Your prediction for {what}, {prediction!r}, is not one of the choices {listed}.")
        correct = guess == str(actual).strip().lower()
        said, result = repr(prediction), repr(actual)
    else:
        number = as_number(prediction, f"Your prediction for {what}")
        if isinstance(number, Feedback):
            return number
        tolerance = PREDICTION_RTOL if rtol is None else rtol
        truth = float(actual)
        correct = abs(number - truth) <= tolerance * abs(truth)
        said, result = f"{number:g}", f"{truth:g}"
    return Feedback(correct, f"You predicted {said} for {what}; it is {result}. {explain}")
