"""LLM optimizers over graph Parameters: OptoPrime, TextGrad (TGD), OPRO, EvoPrompt, and a Trainer.

Every optimizer shares one base (:class:`Optimizer`): ``await opt.step()`` (or
``opt.step_sync()``) proposes new values from the feedback collected by
``output.backward(...)`` and applies those that pass the parameters' constraints;
refused suggestions are fed back on the next step. ``state_dict()`` /
``load_state_dict()`` resume a run, and every step emits :class:`OptimizerEvent` s
to subscribers.
"""

from optiforge.optimizers._base import Optimizer, OptimizerEvent, Proposal, Rejection
from optiforge.optimizers._evoprompt import EvoPrompt
from optiforge.optimizers._opro import OPRO
from optiforge.optimizers._optoprime import OptoPrime
from optiforge.optimizers._textgrad import TGD, TextGrad
from optiforge.optimizers._trainer import Trainer, TrainResult

#: optimizer classes by the name used in ``--method <agent>+<optimizer>``
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "optoprime": OptoPrime,
    "textgrad": TextGrad,
    "tgd": TextGrad,
    "opro": OPRO,
    "evoprompt": EvoPrompt,
}

__all__ = [
    "OPRO",
    "OPTIMIZERS",
    "TGD",
    "EvoPrompt",
    "Optimizer",
    "OptimizerEvent",
    "OptoPrime",
    "Proposal",
    "Rejection",
    "TextGrad",
    "TrainResult",
    "Trainer",
]
