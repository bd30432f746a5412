"""Probability calibration: temperature scaling and expected calibration error."""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor, steps: int = 200) -> float:
    """Temperature T minimising the NLL of ``softmax(logits / T)`` on held-out data."""
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=steps)
    logits, labels = logits.detach().float().clone(), labels.long().clone()

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.detach().exp())


def reliability_bins(probs: torch.Tensor, labels: torch.Tensor, bins: int = 15) -> list[dict[str, float]]:
    """Confidence, accuracy and count of the top prediction in equal-width confidence bins."""
    confidence, pred = probs.max(1)
    correct = (pred == labels).float()
    rows = []
    edges = torch.linspace(0, 1, bins + 1)
    for low, high in itertools.pairwise(edges):
        mask = (confidence > low) & (confidence <= high)
        if mask.any():
            rows.append({"low": float(low), "high": float(high), "count": int(mask.sum()),
                         "confidence": float(confidence[mask].mean()), "accuracy": float(correct[mask].mean())})
    return rows


def expected_calibration_error(probs: torch.Tensor, labels: torch.Tensor, bins: int = 15) -> float:
    """Weighted mean |accuracy - confidence| over confidence bins (top-1)."""
    n = len(labels)
    if n == 0:
        return 0.0
    return sum(r["count"] / n * abs(r["accuracy"] - r["confidence"]) for r in reliability_bins(probs, labels, bins))
