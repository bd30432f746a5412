"""Page operations: rotate by 90/180/270 degrees and crop, boxes moved with the pixels (Qt-free)."""

from __future__ import annotations

import copy

import numpy as np

from app.document import BBox, Page, union_bbox


def rotate_box(box: BBox, width: int, height: int, quarter_turns: int) -> BBox:
    """A box of a ``width`` x ``height`` page after turning the page clockwise ``quarter_turns`` times."""
    x0, y0, x1, y1 = box
    for _ in range(quarter_turns % 4):
        x0, y0, x1, y1 = height - y1, x0, height - y0, x1
        width, height = height, width
    return (x0, y0, x1, y1)


def rotate_page(page: Page, image: np.ndarray, degrees: int) -> tuple[Page, np.ndarray]:
    """The page and its grey image turned clockwise by ``degrees`` (a multiple of 90)."""
    turns = (degrees // 90) % 4
    rotated = np.ascontiguousarray(np.rot90(image, k=-turns))
    new = copy.deepcopy(page)
    height, width = image.shape[:2]
    for block in new.blocks:
        block.bbox = rotate_box(block.bbox, width, height, turns)
        for line in block.lines:
            line.bbox = rotate_box(line.bbox, width, height, turns)
            for word in line.words:
                word.bbox = rotate_box(word.bbox, width, height, turns)
                for glyph in word.glyphs:
                    glyph.bbox = rotate_box(glyph.bbox, width, height, turns)
    new.height, new.width = rotated.shape[:2]
    return new, rotated


def crop_page(page: Page, image: np.ndarray, box: BBox) -> tuple[Page, np.ndarray]:
    """The page cut to ``box``: glyphs whose centre lies outside are dropped, the rest shifted."""
    x0, y0, x1, y1 = (max(0, box[0]), max(0, box[1]), min(image.shape[1], box[2]), min(image.shape[0], box[3]))
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise ValueError("the crop rectangle is empty")

    def inside(b: BBox) -> bool:
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        return x0 <= cx < x1 and y0 <= cy < y1

    def shift(b: BBox) -> BBox:
        return (max(0, b[0] - x0), max(0, b[1] - y0), min(x1 - x0, b[2] - x0), min(y1 - y0, b[3] - y0))

    new = copy.deepcopy(page)
    blocks = []
    for block in new.blocks:
        lines = []
        for line in block.lines:
            for word in line.words:
                word.glyphs = [g for g in word.glyphs if inside(g.bbox)]
                for g in word.glyphs:
                    g.bbox = shift(g.bbox)
                if word.glyphs:
                    word.bbox = union_bbox([g.bbox for g in word.glyphs])
            line.words = [w for w in line.words if w.glyphs]
            if line.words:
                line.bbox = union_bbox([w.bbox for w in line.words])
                line.baseline = max(0.0, line.baseline - y0)
                lines.append(line)
        if lines:
            block.lines = lines
            block.bbox = union_bbox([ln.bbox for ln in lines])
            blocks.append(block)
    new.blocks = blocks
    cropped = np.ascontiguousarray(image[y0:y1, x0:x1])
    new.height, new.width = cropped.shape[:2]
    return new, cropped


def estimate_skew(image: np.ndarray, limit: float = 6.0, step: float = 0.2) -> float:
    """How far the page is turned, in degrees counter-clockwise (as ``cv2.getRotationMatrix2D`` counts):
    the angle whose undoing gives the sharpest profile of ink per row."""
    import cv2

    scale = min(1.0, 1000 / max(image.shape))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    ink = (small < 128).astype(np.float32)
    if ink.sum() < 50:
        return 0.0
    height, width = ink.shape
    centre = (width / 2, height / 2)
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + step / 2, step):
        matrix = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        turned = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST)
        rows = turned.sum(axis=1)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return -best


def deskew_page(page: Page, image: np.ndarray, angle: float | None = None) -> tuple[Page, np.ndarray]:
    """The page turned back by ``angle`` (its :func:`estimate_skew` when None) so its lines run level;
    boxes follow (each becomes the upright box around its turned corners)."""
    import cv2

    angle = estimate_skew(image) if angle is None else angle
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    turned = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=255)

    def move(box: BBox) -> BBox:
        corners = np.array([[box[0], box[1], 1], [box[2], box[1], 1], [box[0], box[3], 1], [box[2], box[3], 1]],
                           dtype=np.float64)
        points = corners @ matrix.T
        x0, y0 = points.min(axis=0)
        x1, y1 = points.max(axis=0)
        return (max(0, round(x0)), max(0, round(y0)), min(width, round(x1)), min(height, round(y1)))

    new = copy.deepcopy(page)
    for block in new.blocks:
        block.bbox = move(block.bbox)
        for line in block.lines:
            line.bbox = move(line.bbox)
            for word in line.words:
                word.bbox = move(word.bbox)
                for glyph in word.glyphs:
                    glyph.bbox = move(glyph.bbox)
            line.baseline = float(line.bbox[3])
    new.skew_angle = page.skew_angle + angle  # the pipeline counts slope the other way round: what is left
    return new, np.ascontiguousarray(turned)
