"""Choosing and correcting the final weights of a run, on the validation split only.

Logit adjustment during training makes the raw logits treat the EMNIST classes
as equally likely, as the balanced test sets are. Late in a run the model fits
its training labels more closely and that correction drifts: it ends up
favouring the rare classes a little too much (seen on the validation split as
a drop of balanced accuracy in the last epochs). :func:`tune_prior_shift` finds
the multiple ``beta`` of the training log prior that, added to the EMNIST
logits, gives the best balanced accuracy on validation; :func:`apply_prior_shift`
folds it into the classifier's bias, so the exported model needs no extra step.
:func:`choose_final` does this for every candidate (the best epoch's and the
last epoch's EMA weights) and keeps the better one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

#: Candidate values of beta (multiples of the log prior added to the EMNIST logits).
PRIOR_SHIFTS = tuple(round(v, 2) for v in np.arange(-1.0, 1.001, 0.1))


def balanced_accuracy(logits: torch.Tensor, labels: torch.Tensor, num_classes: int) -> float:
    """Mean per-class accuracy over the first ``num_classes`` classes (those present in ``labels``)."""
    pred = logits.argmax(1)
    rates = [float((pred[labels == c] == c).float().mean()) for c in range(num_classes) if (labels == c).any()]
    return float(np.mean(rates)) if rates else 0.0


def _centred(log_prior: torch.Tensor, num_emnist: int) -> torch.Tensor:
    """The EMNIST classes' log prior minus its mean (the shift leaves the other classes' odds alone)."""
    part = log_prior[:num_emnist].float()
    return part - part.mean()


def tune_prior_shift(logits: torch.Tensor, labels: torch.Tensor, log_prior: torch.Tensor,
                     num_emnist: int) -> tuple[float, float]:
    """(beta, balanced accuracy): the shift of the EMNIST logits by beta times their centred log prior
    that scores best (beta 0 unless another value is strictly better)."""
    best = (0.0, balanced_accuracy(logits, labels, num_emnist))
    prior = _centred(log_prior, num_emnist)
    for beta in PRIOR_SHIFTS:
        shifted = logits.clone()
        shifted[:, :num_emnist] += beta * prior
        score = balanced_accuracy(shifted, labels, num_emnist)
        if score > best[1] + 1e-9:
            best = (beta, score)
    return best


def classifier(model: nn.Module) -> nn.Linear:
    """The model's last linear layer (the one that produces the logits)."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise ValueError("model has no linear output layer")
    return layers[-1]


@torch.no_grad()
def apply_prior_shift(model: nn.Module, beta: float, log_prior: torch.Tensor, num_emnist: int) -> None:
    """Add beta times the centred log prior to the output bias of the EMNIST classes."""
    head = classifier(model)
    if head.bias is None:
        raise ValueError("the output layer has no bias to carry the prior shift")
    head.bias[:num_emnist] += beta * _centred(log_prior, num_emnist).to(head.bias.dtype)


def checkpoint_weights(path: Path) -> dict[str, torch.Tensor]:
    """Model weights of ``best.pt`` (``weights``) or the EMA weights of an epoch checkpoint (``last.pt``)."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if "weights" in ckpt:
        return dict(ckpt["weights"])
    source = ckpt.get("ema") or {"module." + k: v for k, v in ckpt["model"].items()}
    return {k.removeprefix("module."): v for k, v in source.items() if k.startswith("module.")}


@dataclass
class FinalChoice:
    """The chosen weights, where they came from and what validation said."""

    model: nn.Module
    source: str
    prior_shift: float
    val_balanced_accuracy: float
    candidates: dict[str, dict[str, float]]


def choose_final(candidates: dict[str, Path], build: Callable[[], nn.Module],
                 logits_of: Callable[[nn.Module], torch.Tensor], val_labels: torch.Tensor,
                 log_prior: torch.Tensor, num_emnist: int) -> FinalChoice:
    """Tune the prior shift of every candidate checkpoint on validation; keep the best, shift folded in."""
    scores: dict[str, dict[str, float]] = {}
    best: FinalChoice | None = None
    for name, path in candidates.items():
        if not path.exists():
            continue
        model = build()
        model.load_state_dict(checkpoint_weights(path))
        beta, score = tune_prior_shift(logits_of(model), val_labels, log_prior, num_emnist)
        scores[name] = {"prior_shift": beta, "val_balanced_accuracy": score}
        if best is None or score > best.val_balanced_accuracy:
            best = FinalChoice(model, name, beta, score, scores)
    if best is None:
        raise FileNotFoundError(f"no checkpoint among {[str(p) for p in candidates.values()]}")
    apply_prior_shift(best.model, best.prior_shift, log_prior, num_emnist)
    return best
