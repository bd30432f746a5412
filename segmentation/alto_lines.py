"""Line finding scored against transcribed lines (ALTO ground truth with baselines).

A found line matches a transcribed line when their horizontal extents overlap with IoU >= 0.5 and
the transcribed baseline, at the middle of the overlap, lies inside the found line's box (give or take
:data:`BASELINE_SLACK` of the box's height: transcribers draw baselines a few pixels under the ink). Lines are
matched one to one, as many pairs as possible and among those the best overlaps (a maximum matching: a tall
found box that holds two transcribed baselines takes the one that leaves the other its own line). Reading
order agreement is the share of consecutive matched transcribed lines (in transcription order) whose found
lines come in the same order.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from segmentation.evaluation import rates

BBox = tuple[int, int, int, int]

#: How far (as a share of the found box's height) a transcribed baseline may lie outside the box.
BASELINE_SLACK = 0.2


@dataclass(frozen=True)
class TruthLine:
    """A transcribed line: its baseline points (x, y) and text."""

    baseline: tuple[tuple[float, float], ...]
    text: str

    @property
    def x_range(self) -> tuple[float, float]:
        xs = [p[0] for p in self.baseline]
        return min(xs), max(xs)

    def y_at(self, x: float) -> float:
        """The baseline's height at ``x`` (linear between its points, constant beyond them)."""
        xs = np.array([p[0] for p in self.baseline])
        ys = np.array([p[1] for p in self.baseline])
        order = np.argsort(xs)
        return float(np.interp(x, xs[order], ys[order]))


@dataclass
class LineScore:
    """Matching of found lines against transcribed lines."""

    truth: int
    found: int
    matched: int
    order: float  # reading-order agreement in [0, 1] (1 when fewer than two lines matched)

    @property
    def precision(self) -> float:
        return rates(self.matched, self.truth, self.found)[0]

    @property
    def recall(self) -> float:
        return rates(self.matched, self.truth, self.found)[1]

    @property
    def f1(self) -> float:
        return rates(self.matched, self.truth, self.found)[2]


def read_alto_lines(path: str | Path) -> list[TruthLine]:
    """The TextLines of an ALTO file in file order (lines without a baseline are skipped)."""
    lines = []
    for element in ET.parse(path).iter():
        if not element.tag.endswith("TextLine"):
            continue
        numbers = [float(v) for v in re.split(r"[\s,]+", element.get("BASELINE", "").strip()) if v]
        if len(numbers) < 4 or len(numbers) % 2:
            continue
        points = tuple((numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2))
        text = " ".join(s.get("CONTENT", "") for s in element.iter() if s.tag.endswith("String"))
        lines.append(TruthLine(points, text))
    return lines


def _overlap(truth: TruthLine, box: BBox) -> tuple[float, float]:
    """Horizontal IoU of ``truth`` and ``box`` and the middle x of their overlap."""
    a0, a1 = truth.x_range
    b0, b1 = box[0], box[2]
    inter = min(a1, b1) - max(a0, b0)
    if inter <= 0:
        return 0.0, 0.0
    return inter / (max(a1, b1) - min(a0, b0)), (max(a0, b0) + min(a1, b1)) / 2


def match_lines(truth: list[TruthLine], found: list[BBox]) -> dict[int, int]:
    """One-to-one matches {truth index: found index}: the most pairs that match, then the best overlaps."""
    weight = np.zeros((len(truth), len(found)))
    for t, line in enumerate(truth):
        for f, box in enumerate(found):
            iou, x = _overlap(line, box)
            slack = BASELINE_SLACK * (box[3] - box[1])
            if iou >= 0.5 and box[1] - slack <= line.y_at(x) <= box[3] + slack:
                weight[t, f] = 1 + iou / (len(truth) + 1)  # a pair more outweighs any overlaps
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return {int(t): int(f) for t, f in zip(rows, cols, strict=True) if weight[t, f] > 0}


def score_lines(truth: list[TruthLine], found: list[BBox]) -> LineScore:
    """Precision/recall/F1 of ``found`` (line boxes in reading order) and their order agreement."""
    matches = match_lines(truth, found)
    order = [matches[t] for t in sorted(matches)]
    pairs = list(itertools.pairwise(order))
    agreement = sum(a < b for a, b in pairs) / len(pairs) if pairs else 1.0
    return LineScore(truth=len(truth), found=len(found), matched=len(matches), order=agreement)
