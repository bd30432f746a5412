"""Splitting touching characters: candidate cuts, and a best path scored by a recogniser."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from segmentation.normalize import glyph_crop
from segmentation.types import BBox

ScoreFn = Callable[[np.ndarray], np.ndarray]
MAX_CANDIDATES = 12
MAX_CUTS_IN_TWO = 4
#: Ink of a piece in parts smaller than this share of its largest part is a neighbour's, cut off with it.
FRAGMENT_SHARE = 0.15
NARROW_MARGIN = 0.5
#: Candidate cuts closer than this share of the typical glyph width (and 3 px) are one candidate, the
#: one with the least ink: pieces a few pixels apart read alike, and each candidate more adds pieces to
#: score (3 px made 25 pieces per cut component of a handwritten page, a quarter 9, reading as well).
MERGE_FRACTION = 0.25


@dataclass
class SplitJob:
    """A component group that may hold several touching characters.

    Attributes:
        box: its box in deskewed page coordinates.
        mask: its own ink inside ``box`` (bool).
        components: label ids of its ink.
        typical_width: typical glyph width on its line, pixels.
        context: what its place on the line says it can hold, for ``split_jobs``' ``context_fns``:
            "x-height" (its ink rises no higher than the line's x-height: lower-case letters like
            "re" or "ry", not a capital "R" or "N"), "in-word" (right after a lower-case letter of the
            same word: no capital "H" for a touching "ff"), or "" (anything).
        whole_context: the context of the job read whole, when it differs from its pieces'
            ("in-word-tall": one tall lower-case letter, not a "W" for a touching "be").
        narrow: narrower than wide components usually are (a candidate only for its context):
            its pieces are tried only when its context rules out its plain reading (the plain
            confidence exceeds the confidence in ``context`` by ``NARROW_MARGIN``).
    """

    box: BBox
    mask: np.ndarray
    components: tuple[int, ...]
    typical_width: float
    context: str = ""
    whole_context: str = ""
    narrow: bool = False


def _profile(mask: np.ndarray) -> np.ndarray:
    counts = mask.sum(axis=0).astype(np.float64)
    if counts.size >= 3:
        counts = np.convolve(np.pad(counts, 1, mode="edge"), np.ones(3) / 3.0, mode="valid")
    return counts


def _local_minima(values: np.ndarray) -> np.ndarray:
    if values.size < 3:
        return np.zeros(0, dtype=np.int64)
    left = np.concatenate([[np.inf], values[:-1]])
    right = np.concatenate([values[1:], [np.inf]])
    return np.flatnonzero((values <= left) & (values < right) | (values < left) & (values <= right))


def candidate_cuts(mask: np.ndarray, typical_width: float) -> np.ndarray:
    """Cut columns: minima of the vertical projection and valleys of the upper/lower contour."""
    height, width = mask.shape
    profile = _profile(mask)
    has_ink = mask.any(axis=0)
    top = np.where(has_ink, mask.argmax(axis=0), height).astype(np.float64)
    bottom = np.where(has_ink, height - 1 - mask[::-1].argmax(axis=0), -1).astype(np.float64)
    cands = np.concatenate([_local_minima(profile), _local_minima(-top), _local_minima(bottom)])
    edge = max(2.0, 0.25 * typical_width)
    cands = np.unique(cands[(cands >= edge) & (cands <= width - edge)])
    if cands.size == 0:
        return cands
    kept: list[int] = []
    closest = max(3.0, MERGE_FRACTION * typical_width)
    for c in cands:  # merge candidates closer than that, keeping the lowest projection
        if kept and c - kept[-1] < closest:
            if profile[c] < profile[kept[-1]]:
                kept[-1] = int(c)
        else:
            kept.append(int(c))
    out = np.array(kept, dtype=np.int64)
    if out.size > MAX_CANDIDATES:
        out = np.sort(out[np.argsort(profile[out], kind="stable")[:MAX_CANDIDATES]])
    return out


def heuristic_cuts(mask: np.ndarray, typical_width: float) -> list[int]:
    """Cuts at the deepest projection valleys near evenly spaced positions."""
    width = mask.shape[1]
    pieces = max(2, round(width / max(typical_width, 1.0)))
    profile = _profile(mask)
    cuts: list[int] = []
    window = max(2, int(0.3 * typical_width))
    for i in range(1, pieces):
        expected = round(i * width / pieces)
        lo, hi = max(1, expected - window), min(width - 1, expected + window + 1)
        if hi <= lo:
            continue
        distance = np.abs(np.arange(lo, hi) - expected) / max(window, 1)
        cuts.append(lo + int(np.argmin(profile[lo:hi] + 0.5 * distance)))
    return sorted(set(cuts))


def _segments(nodes: np.ndarray, typical_width: float) -> list[tuple[int, int]]:
    last = len(nodes) - 1
    segs = []
    for i in range(last):
        for j in range(i + 1, last + 1):
            width = nodes[j] - nodes[i]
            if (i, j) == (0, last) or 0.3 * typical_width <= width <= 1.9 * typical_width:
                segs.append((i, j))
    return segs


def best_path(nodes: np.ndarray, scores: dict[tuple[int, int], float], objective: str) -> list[int]:
    """Node indices of the best segmentation (maximum mean score, or maximum product)."""
    last = len(nodes) - 1
    neg = -np.inf
    # best[j][k]: best total (sum of scores or of log scores) reaching node j with k segments.
    best = np.full((last + 1, last + 1), neg)
    back = np.full((last + 1, last + 1), -1, dtype=np.int64)
    best[0, 0] = 0.0
    for (i, j), score in sorted(scores.items(), key=lambda kv: kv[0][1]):
        value = np.log(max(score, 1e-9)) if objective == "product" else score
        for k in range(last):
            if best[i, k] > neg and best[i, k] + value > best[j, k + 1]:
                best[j, k + 1] = best[i, k] + value
                back[j, k + 1] = i
    totals = best[last].copy()
    if objective != "product":
        counts = np.arange(last + 1, dtype=np.float64)
        totals = np.where(totals > neg, totals / np.maximum(counts, 1), neg)
    k = int(np.argmax(totals))
    if totals[k] == neg:
        return [0, last]
    path = [last]
    node = last
    while k > 0:
        node = int(back[node, k])
        path.append(node)
        k -= 1
    return path[::-1]


def _piece_box(job: SplitJob, a: int, b: int) -> BBox:
    """The box of the job's columns ``a:b``, as tall as their ink, leaving out small fragments of a
    neighbour cut off with them (the serif of a "b" that reaches over the "m" before it)."""
    x0, y0 = job.box[0], job.box[1]
    count, _, stats, _ = cv2.connectedComponentsWithStats(job.mask[:, a:b].view(np.uint8), connectivity=8)
    if count <= 1:
        return (x0 + a, y0, x0 + b, job.box[3])
    parts = stats[1:]
    parts = parts[parts[:, cv2.CC_STAT_AREA] >= FRAGMENT_SHARE * parts[:, cv2.CC_STAT_AREA].max()]
    top = int(parts[:, cv2.CC_STAT_TOP].min())
    bottom = int((parts[:, cv2.CC_STAT_TOP] + parts[:, cv2.CC_STAT_HEIGHT]).max())
    return (x0 + a, y0 + top, x0 + b, y0 + bottom)


@dataclass
class Piece:
    """One glyph a job was cut into: its box and, when it was scored, its normalised crop."""

    box: BBox
    crop: np.ndarray | None = None


def split_jobs(jobs: list[SplitJob], ink: np.ndarray, labels: np.ndarray, score_fn: ScoreFn | None,
               objective: str = "mean", keep_confidence: float = 1.0,
               context_fns: Mapping[str, ScoreFn] | None = None) -> list[list[Piece]]:
    """Decide how to cut each job.

    Without ``score_fn`` each job is cut at :func:`heuristic_cuts`. With it, the
    whole components are scored first: one read with at least ``keep_confidence``
    stays whole (a wide ``m`` or ``W``). For the others every plausible piece
    between candidate cuts is normalised, all pieces of the page are scored in one
    call, and the path of pieces with the best mean (or product) of confidences
    wins; the unsplit component is one of the paths. ``context_fns[job.context]``, when given,
    scores the whole and the pieces of a job instead of ``score_fn``: the confidence of the
    readings its place allows, so two touching lower-case letters are not kept as one capital.

    Returns:
        For each job, its pieces (one piece = not split). With ``score_fn`` every piece
        carries the crop that was scored, exactly what :func:`segmentation.normalize` would cut.
    """
    if score_fn is None:
        results: list[list[Piece]] = []
        for job in jobs:
            cuts = [0, *heuristic_cuts(job.mask, job.typical_width), job.mask.shape[1]]
            results.append([Piece(_piece_box(job, a, b)) for a, b in itertools.pairwise(cuts)])
        return results
    whole = [Piece(job.box, glyph_crop(ink, job.box, labels, job.components)) for job in jobs]
    fns = context_fns or {}
    whole_scores = _scores_in_context(score_fn, fns, [piece.crop for piece in whole if piece.crop is not None],
                                      [job.whole_context or job.context for job in jobs])
    # a narrow job is tried only when its place rules out its confident plain reading ("ff" read "H")
    narrow = [index for index, job in enumerate(jobs) if job.narrow]
    ruled_out: dict[int, bool] = {}
    if narrow:
        narrow_crops = [crop for i in narrow if (crop := whole[i].crop) is not None]
        excluded = _scores(score_fn, narrow_crops) - _scores_in_context(score_fn, fns, narrow_crops,
                                                                        [jobs[i].context for i in narrow])
        ruled_out = dict(zip(narrow, (excluded >= NARROW_MARGIN).tolist(), strict=True))
    plans = []
    pieces: list[Piece] = []
    piece_context: list[str] = []
    for index, job in enumerate(jobs):
        if whole_scores[index] >= keep_confidence or not ruled_out.get(index, True):
            continue
        nodes = np.array([0, *candidate_cuts(job.mask, job.typical_width), job.mask.shape[1]])
        segs = [seg for seg in _segments(nodes, job.typical_width) if seg != (0, len(nodes) - 1)]
        plans.append((index, nodes, segs, len(pieces)))
        for i, j in segs:
            box = _piece_box(job, int(nodes[i]), int(nodes[j]))
            pieces.append(Piece(box, glyph_crop(ink, box, labels, job.components, restrict_columns=True)))
            piece_context.append(job.context)
    scores = _scores_in_context(score_fn, fns, [piece.crop for piece in pieces if piece.crop is not None],
                                piece_context)
    results = [[piece] for piece in whole]
    for index, nodes, segs, start in plans:
        table = {seg: float(scores[start + n]) for n, seg in enumerate(segs)}
        table[(0, len(nodes) - 1)] = float(whole_scores[index])
        path = best_path(nodes, table, objective)
        if len(path) > 2:
            cut = dict(zip(segs, pieces[start : start + len(segs)], strict=True))
            results[index] = [cut[seg] for seg in itertools.pairwise(path)]
    return results


def cut_in_two(job: SplitJob, ink: np.ndarray, labels: np.ndarray, score_fn: ScoreFn) -> list[Piece]:
    """The two pieces a job is best cut into at one of its candidate cuts (the best mean confidence;
    the ``MAX_CUTS_IN_TWO`` with the least ink are tried), for a reader that found the whole wrong
    after all; [] when it has no candidate cut."""
    width = job.mask.shape[1]
    least = max(1.0, 0.3 * job.typical_width)
    cuts = np.array([c for c in candidate_cuts(job.mask, job.typical_width) if least <= c <= width - least])
    if not cuts.size:
        return []
    profile = _profile(job.mask)
    cuts = cuts[np.argsort(profile[cuts], kind="stable")[:MAX_CUTS_IN_TWO]].tolist()  # the thinnest joins
    pairs = []
    for c in cuts:
        pair = [_piece_box(job, 0, c), _piece_box(job, c, width)]
        pairs.append([Piece(box, glyph_crop(ink, box, labels, job.components, restrict_columns=True))
                      for box in pair])
    scores = _scores(score_fn, [piece.crop for pair in pairs for piece in pair if piece.crop is not None])
    best = int(np.argmax(scores.reshape(-1, 2).mean(axis=1)))
    return pairs[best]


def _scores_in_context(score_fn: ScoreFn, context_fns: Mapping[str, ScoreFn], crops: list[np.ndarray],
                       contexts: list[str]) -> np.ndarray:
    """Scores of ``crops``, each by its context's function when there is one, else by ``score_fn``."""
    names = np.array([name if name in context_fns else "" for name in contexts], dtype=object)
    result = np.zeros(len(crops))
    for name in set(names.tolist()):
        chosen = names == name
        fn = context_fns[name] if name else score_fn
        result[chosen] = _scores(fn, [crop for crop, take in zip(crops, chosen, strict=True) if take])
    return result


def _scores(score_fn: ScoreFn, crops: list[np.ndarray]) -> np.ndarray:
    if not crops:
        return np.zeros(0)
    return np.asarray(score_fn(np.stack(crops)), dtype=np.float64).reshape(-1)
