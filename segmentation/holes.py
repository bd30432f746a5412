"""Punch holes in a scanned page: round gaps in the paper that show the scanner's bright lid.

A hole's inside is brighter than the paper around it and its torn edge leaves a dark crescent that
looks like a "C" or a "(" to a reader. A hole is a near-circular bright patch, clearly above the
paper's brightness, whose width is that of office punch holes (5-8 mm) on a page 180-220 mm wide.
Holes over a dark scanner lid are solid dark discs, which the line finder already sets aside.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

#: A hole is brighter than one of these shares of the way from the paper's median to pure white (the
#: lower finds faint holes, the higher those in a halo of paper lit up around them).
HOLE_CONTRAST = (0.6, 0.8)
#: A hole's width as a share of the page's width.
HOLE_SIZE = (0.015, 0.06)
#: A hole fills at least this share of the ellipse in its box, with an aspect ratio within HOLE_ASPECT.
HOLE_FILL = 0.75
HOLE_ASPECT = (0.7, 1.4)
#: Ink wholly within this many hole radii of a hole's centre is the hole's torn edge.
EDGE_REACH = 1.8


def find_holes(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The boxes (x, y, w, h) of the punch holes in a grey page (any scale)."""
    if grey.size == 0:
        return []
    smooth = cv2.GaussianBlur(grey, (0, 0), 2.0)
    paper = float(np.median(smooth))
    holes: list[tuple[int, int, int, int]] = []
    for contrast in HOLE_CONTRAST:
        level = paper + contrast * (255.0 - paper)
        if level >= 254.0:  # white paper: a hole does not show
            break
        holes += [box for box in _round_patches(smooth > level) if not any(_overlap(box, h) for h in holes)]
    return holes


def _round_patches(bright: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes of the connected patches of ``bright`` shaped like a punch hole."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(bright.astype(np.uint8), connectivity=8)
    width = bright.shape[1]
    patches = []
    for x, y, w, h, area in stats[1:count].tolist():
        size = (w + h) / 2
        if not HOLE_SIZE[0] * width <= size <= HOLE_SIZE[1] * width:
            continue
        if HOLE_ASPECT[0] <= w / h <= HOLE_ASPECT[1] and area >= HOLE_FILL * np.pi / 4 * w * h:
            patches.append((x, y, w, h))
    return patches


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def torn_edges(stats: np.ndarray, holes: list[tuple[int, int, int, int]],
               to_frame: Callable[[float, float], tuple[float, float]]) -> np.ndarray:
    """Over connected-component ``stats`` (rows x, y, w, h, ...): the components that lie wholly within
    :data:`EDGE_REACH` radii of a hole's centre (the edges; a letter the hole cuts reaches beyond).
    ``to_frame`` maps a page point into the frame of ``stats``."""
    x0, y0 = stats[:, 0], stats[:, 1]
    x1, y1 = x0 + stats[:, 2], y0 + stats[:, 3]
    edge = np.zeros(len(stats), bool)
    for x, y, w, h in holes:
        cx, cy = to_frame(x + w / 2, y + h / 2)
        reach = EDGE_REACH * (w + h) / 4
        edge |= (x0 >= cx - reach) & (x1 <= cx + reach) & (y0 >= cy - reach) & (y1 <= cy + reach)
    return edge
