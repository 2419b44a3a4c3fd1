"""Self-checking exercises for the notebook series: ``check_*`` functions that give feedback.

Each ``check_*`` returns a :class:`Feedback`: it shows as a green or orange box in a notebook,
says what is right or which common mistake explains a wrong answer, gives a hint, and is truthy
when the answer is right. Everything runs offline.

>>> from backprop_nb.exercises import check_add_gate_grads   # doctest: +SKIP
"""

from ._feedback import Feedback as Feedback
from .chain_rule import *  # noqa: F403
from .computational_graphs import *  # noqa: F403
from .deep_networks import *  # noqa: F403
from .jacobians import *  # noqa: F403
from .losses import *  # noqa: F403
from .mlp_backprop import *  # noqa: F403
from .primer import *  # noqa: F403
from .reverse_mode import *  # noqa: F403
from .training import *  # noqa: F403
