"""Box matching metrics for tests and benchmarks (precision/recall/F1 at an IoU threshold)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass
class MatchResult:
    """One-to-one matching of predicted boxes to truth boxes.

    Attributes:
        precision: matched / predicted.
        recall: matched / truth.
        f1: harmonic mean.
        pairs: (truth index, predicted index) of every match.
    """

    precision: float
    recall: float
    f1: float
    pairs: list[tuple[int, int]]


def rates(matched: int, truth: int, found: int) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``matched`` items among ``truth`` true and ``found`` found ones (nothing
    found of nothing to find is perfect)."""
    precision = matched / found if found else float(truth == 0)
    recall = matched / truth if truth else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def iou_matrix(truth: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """(len(truth), len(predicted)) intersection over union of ``x0, y0, x1, y1`` boxes."""
    t = np.asarray(truth, dtype=np.float64).reshape(-1, 1, 4)
    p = np.asarray(predicted, dtype=np.float64).reshape(1, -1, 4)
    iw = np.clip(np.minimum(t[..., 2], p[..., 2]) - np.maximum(t[..., 0], p[..., 0]), 0, None)
    ih = np.clip(np.minimum(t[..., 3], p[..., 3]) - np.maximum(t[..., 1], p[..., 1]), 0, None)
    inter = iw * ih
    area_t = (t[..., 2] - t[..., 0]) * (t[..., 3] - t[..., 1])
    area_p = (p[..., 2] - p[..., 0]) * (p[..., 3] - p[..., 1])
    return inter / np.maximum(area_t + area_p - inter, 1e-9)


def match_boxes(truth: np.ndarray, predicted: np.ndarray, threshold: float = 0.5) -> MatchResult:
    """Greedy one-to-one matching by decreasing IoU (IoU >= threshold counts)."""
    truth = np.asarray(truth).reshape(-1, 4)
    predicted = np.asarray(predicted).reshape(-1, 4)
    if len(truth) == 0 or len(predicted) == 0:
        empty = 1.0 if len(truth) == len(predicted) else 0.0
        return MatchResult(empty, empty, empty, [])
    iou = iou_matrix(truth, predicted)
    ti, pi = np.nonzero(iou >= threshold)
    order = np.argsort(-iou[ti, pi], kind="stable")
    used_t: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for k in order:
        a, b = int(ti[k]), int(pi[k])
        if a not in used_t and b not in used_p:
            used_t.add(a)
            used_p.add(b)
            pairs.append((a, b))
    return MatchResult(*rates(len(pairs), len(truth), len(predicted)), sorted(pairs))


def order_accuracy(pairs: list[tuple[int, int]]) -> float:
    """Fraction of consecutive matched truth items whose predictions are in the same order."""
    if len(pairs) < 2:
        return 1.0
    predicted = [p for _, p in sorted(pairs)]
    good = sum(1 for a, b in itertools.pairwise(predicted) if b > a)
    return good / (len(predicted) - 1)
