"""Self-checking exercises for the notebook series: ``check_*`` functions that give feedback.

Each ``check_*`` returns a :class:`Feedback`: it shows as a green or orange box in a notebook,
says what is right or which common mistake explains a wrong answer, gives a hint, and is truthy
when the answer is right. Everything runs offline.

Exercise checkers are built from :mod:`._feedback` (typed numbers and arrays, one tolerance
rule: ``TOLERANCE_RULE``), :mod:`._code` (:func:`check_function` grades a function the student
writes) and :mod:`._prediction` (:func:`check_prediction` for predict-then-run questions).

>>> from backprop_nb.exercises import check_add_gate_grads   # doctest: +SKIP
"""

from . import (
    chain_rule,
    computational_graphs,
    deep_networks,
    jacobians,
    losses,
    mlp_backprop,
    primer,
    reverse_mode,
    training,
)
from ._code import Mistake as Mistake
from ._code import check_function as check_function
from ._feedback import SIGNIFICANT_FIGURES as SIGNIFICANT_FIGURES
from ._feedback import TOLERANCE_RULE as TOLERANCE_RULE
from ._feedback import Feedback as Feedback
from ._prediction import check_prediction as check_prediction
from .chain_rule import *  # noqa: F403
from .computational_graphs import *  # noqa: F403
from .deep_networks import *  # noqa: F403
from .jacobians import *  # noqa: F403
from .losses import *  # noqa: F403
from .mlp_backprop import *  # noqa: F403
from .primer import *  # noqa: F403
from .reverse_mode import *  # noqa: F403
from .training import *  # noqa: F403

__all__ = [
    "Feedback",
    "Mistake",
    "SIGNIFICANT_FIGURES",
    "TOLERANCE_RULE",
    "check_function",
    "check_prediction",
    *chain_rule.__all__,
    *computational_graphs.__all__,
    *deep_networks.__all__,
    *jacobians.__all__,
    *losses.__all__,
    *mlp_backprop.__all__,
    *primer.__all__,
    *reverse_mode.__all__,
    *training.__all__,
]
