"""Glyph boxes on pages the project's own generator does not make, for both engines.

Draws pages of every kind in :mod:`benchmarks.wild_pages` (other faces, handwriting faces, touching
letters, ruled and squared paper, stamps, photos of paper, and the project's own printed page as the
reference), and scores the character boxes each engine gives against the truth: precision, recall and
F1 at IoU >= 0.5 (:func:`segmentation.evaluation.match_boxes`), pooled over the pages of a kind. The
engines: the line engine and the glyph engine as a user gets them (``Pipeline.recognize_image``), and
:func:`segmentation.segment` alone (what ``benchmarks/segmentation.py`` scores). Writes
``reports/glyph_boxes/report.md``, ``report.json`` and ``pages.jpg`` (the first page of each kind).

Run: ``python -m benchmarks.glyph_boxes [--pages N] [--kinds own faces ...] [--out FOLDER]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import save_report  # noqa: E402
from benchmarks.wild_pages import KIND_FACES, KINDS, BBox, WildPage, available, face_name  # noqa: E402
from segmentation.evaluation import match_boxes, rates  # noqa: E402

REPORT_DIR = ROOT / "reports" / "glyph_boxes"
ENGINES = ("line", "glyph", "segment")
ENGINE_NOTES = {
    "line": "the line engine (default): glyph boxes of `Pipeline(PipelineOptions(engine='line')).recognize_image`",
    "glyph": "the glyph engine as a user gets it: glyph boxes of `Pipeline(PipelineOptions(engine='glyph'))"
             ".recognize_image` (the recognizer's cuts and joins made, specks dropped)",
    "segment": "`segmentation.segment(image)` alone, no recognizer (what `benchmarks/segmentation.py` scores)",
}
#: An unmatched box in a stamp's or logo's region is not held against an engine when it covers no more
#: than this share of its area with body characters.
OFF_TEXT_SHARE = 0.25
#: A looser IoU, reported beside 0.5: boxes roughly in place but shifted or too wide still match at it.
LOOSE_IOU = 0.3


@dataclass
class Counts:
    """Pooled counts of one engine on one kind of page."""

    truth: int = 0
    predicted: int = 0  # boxes held against the engine (ignored ones left out)
    matched: int = 0
    loose: int = 0  # matched at IoU >= LOOSE_IOU
    ignored: int = 0
    stamp_truth: int = 0
    stamp_matched: int = 0
    seconds: list[float] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        for name in ("truth", "predicted", "matched", "loose", "ignored", "stamp_truth", "stamp_matched"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.crashes += other.crashes

    @property
    def precision(self) -> float:
        return rates(self.matched, self.truth, self.predicted)[0]

    @property
    def recall(self) -> float:
        return rates(self.matched, self.truth, self.predicted)[1]

    @property
    def f1(self) -> float:
        return rates(self.matched, self.truth, self.predicted)[2]

    @property
    def f1_loose(self) -> float:
        """F1 at IoU >= :data:`LOOSE_IOU`."""
        return 2 * self.loose / (self.truth + self.predicted) if self.truth + self.predicted else 1.0

    def summary(self) -> dict[str, float | int | list[str]]:
        return {"pages": len(self.seconds), "glyphs": self.truth, "boxes": self.predicted, "matched": self.matched,
                "ignored": self.ignored, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "f1_loose": round(self.f1_loose, 4), "stamp_glyphs": self.stamp_truth,
                "stamp_found": self.stamp_matched,
                "seconds_per_page": round(float(np.mean(self.seconds)), 2) if self.seconds else 0.0,
                "crashes": self.crashes}


def _boxes(values: np.ndarray | Sequence[BBox]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1, 4)


def _off_text(box: np.ndarray, truth: np.ndarray, regions: Sequence[BBox]) -> bool:
    """Is ``box`` centred in a stamp or logo region and mostly clear of the body characters?"""
    cx, cy = (box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0
    if not any(x0 <= cx < x1 and y0 <= cy < y1 for x0, y0, x1, y1 in regions):
        return False
    if not len(truth):
        return True
    iw = np.clip(np.minimum(truth[:, 2], box[2]) - np.maximum(truth[:, 0], box[0]), 0, None)
    ih = np.clip(np.minimum(truth[:, 3], box[3]) - np.maximum(truth[:, 1], box[1]), 0, None)
    area = max(float((box[2] - box[0]) * (box[3] - box[1])), 1.0)
    return float((iw * ih).sum()) / area <= OFF_TEXT_SHARE


def score_page(truth: np.ndarray, predicted: np.ndarray, stamps: np.ndarray | None = None,
               regions: Sequence[BBox] = ()) -> Counts:
    """Match ``predicted`` boxes to ``truth`` (all ``x0, y0, x1, y1``, IoU >= 0.5, one to one).

    A box left unmatched is not counted against the engine when it matches a stamp character, or lies in
    a stamp or logo region (``regions``) clear of the body text; stamp characters found are counted apart."""
    truth, predicted = _boxes(truth), _boxes(predicted)
    stamps = _boxes(stamps if stamps is not None else [])
    pairs = match_boxes(truth, predicted).pairs
    used = {p for _, p in pairs}
    rest = [i for i in range(len(predicted)) if i not in used]
    stamp_pairs = match_boxes(stamps, predicted[rest]).pairs if rest else []
    on_stamp = {rest[p] for _, p in stamp_pairs}
    ignored = sum(1 for i in rest if i in on_stamp or _off_text(predicted[i], truth, regions))
    return Counts(truth=len(truth), predicted=len(predicted) - ignored, matched=len(pairs),
                  loose=len(match_boxes(truth, predicted, LOOSE_IOU).pairs), ignored=ignored,
                  stamp_truth=len(stamps), stamp_matched=len(stamp_pairs))


class Engines:
    """The engines' glyph boxes for a grey page image, models loaded once."""

    def __init__(self, names: Sequence[str]) -> None:
        from app.pipeline import Pipeline, PipelineOptions

        self.names = list(names)
        self.pipelines = {n: Pipeline(PipelineOptions(engine=n)) for n in self.names if n != "segment"}
        for name, pipeline in self.pipelines.items():  # load the models before anything is timed
            _ = pipeline.line_predictor if name == "line" else pipeline.predictor

    def boxes(self, name: str, image: np.ndarray) -> np.ndarray:
        """(N, 4) glyph boxes ``x0, y0, x1, y1`` (x1, y1 exclusive) that engine ``name`` gives."""
        if name == "segment":
            from segmentation import segment

            return _boxes([g.bbox for g in segment(image).glyphs()])
        page = self.pipelines[name].recognize_image(image)
        return _boxes([g.bbox for g in page.glyphs()])


def run_page(engines: Engines, name: str, page: WildPage) -> Counts:
    """One engine on one page; a crash is recorded and scored as no boxes."""
    start = time.perf_counter()
    try:
        predicted = engines.boxes(name, page.image)
        crash = []
    except Exception as exc:  # a crash is a result here, reported with the page
        predicted, crash = _boxes([]), [f"{page.kind}/{name}: {type(exc).__name__}: {exc}"]
    counts = score_page(page.boxes(), predicted, page.stamp_boxes(), page.ignore)
    counts.seconds.append(time.perf_counter() - start)
    counts.crashes = crash
    return counts


def face_plan(kind: str, pages: int, seed: int) -> list[list[str] | None]:
    """The face of each page of a kind: the kind's installed faces, shuffled, in turn (None: the page's own).

    Kinds that draw from the same faces get the same faces in the same order (handwriting, ruled and
    squared; faces, stamps and photo), so that they differ by what the kind adds, not by their faces."""
    if kind not in KIND_FACES:
        return [None] * pages
    names, fallback = KIND_FACES[kind]
    pool = available(names, fallback)
    pools = sorted({faces for faces, _ in KIND_FACES.values()})
    order = np.random.default_rng([seed, pools.index(names)]).permutation(len(pool))
    return [[pool[int(order[i % len(pool)])]] for i in range(pages)]


def make_page(kind: str, index: int, seed: int) -> WildPage:
    """Page ``index`` of ``kind`` (the same for the same arguments)."""
    faces = face_plan(kind, index + 1, seed)[index]
    return KINDS[kind](seed * 1000 + 100 * list(KINDS).index(kind) + index, faces)


def trained_faces() -> set[str]:
    """Names of the faces the line model was trained on (:func:`recognizer.synthetic_lines.font_families`)."""
    try:
        from recognizer.synthetic_lines import font_families

        return {face_name(p) for paths in font_families().values() for p in paths}
    except ImportError:
        return set()


def run(kinds: Sequence[str], pages: int, seed: int, engine_names: Sequence[str] = ENGINES,
        out: Path | None = None) -> dict:
    """Every engine on ``pages`` pages of each kind; returns the report's data."""
    engines = Engines(engine_names)
    totals = {kind: {name: Counts() for name in engine_names} for kind in kinds}
    faces: dict[str, list[str]] = {kind: [] for kind in kinds}
    rows, thumbnails = [], []
    for kind in kinds:
        for index in range(pages):
            page = make_page(kind, index, seed)
            faces[kind] += [f for f in page.faces if f not in faces[kind]]
            if index == 0:
                thumbnails.append(_thumbnail(page))
            if out is not None:
                _save_page(out, page, index)
            for name in engine_names:
                counts = run_page(engines, name, page)
                totals[kind][name].add(counts)
                rows.append({"kind": kind, "page": index, "faces": page.faces, "engine": name,
                             **counts.summary()})
                print(f"{kind:11s} {index:2d} {name:7s} glyphs {counts.truth:5d} boxes {counts.predicted:5d} "
                      f"P {counts.precision:.3f} R {counts.recall:.3f} F1 {counts.f1:.3f} "
                      f"{counts.seconds[0]:.1f} s {' '.join(page.faces)} {' '.join(counts.crashes)}", flush=True)
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    _contact_sheet(thumbnails, list(kinds), REPORT_DIR / "pages.jpg")
    from recognizer.precision import cpu_summary

    return {"cpu": cpu_summary(), "seed": seed, "pages_per_kind": pages, "engines": list(engine_names),
            "kinds": {k: {n: c.summary() for n, c in v.items()} for k, v in totals.items()},
            "faces": faces, "trained_faces": sorted(trained_faces() & {f for v in faces.values() for f in v}),
            "load_average": round(os.getloadavg()[0], 1), "pages": rows}


def _thumbnail(page: WildPage, width: int = 360) -> np.ndarray:
    image = page.colour if page.colour is not None else cv2.cvtColor(page.image, cv2.COLOR_GRAY2RGB)
    height = round(image.shape[0] * width / image.shape[1])
    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA))


def _contact_sheet(thumbnails: list[np.ndarray], names: list[str], path: Path) -> None:
    """The first page of each kind side by side, four to a row, named (JPEG)."""
    if not thumbnails:
        return
    cell_h = max(t.shape[0] for t in thumbnails) + 30
    cell_w = thumbnails[0].shape[1] + 10
    columns = min(4, len(thumbnails))
    rows = -(-len(thumbnails) // columns)
    sheet = np.full((rows * cell_h, columns * cell_w, 3), 255, np.uint8)
    for n, (thumb, name) in enumerate(zip(thumbnails, names, strict=True)):
        y, x = (n // columns) * cell_h, (n % columns) * cell_w
        sheet[y + 28 : y + 28 + thumb.shape[0], x + 5 : x + 5 + thumb.shape[1]] = thumb
        cv2.putText(sheet, name, (x + 8, y + 21), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2, cv2.LINE_AA)
    cv2.imwrite(str(path), sheet[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 82])


def _save_page(folder: Path, page: WildPage, index: int) -> None:
    """The page as PNG and its truth as JSON (``KIND-INDEX.png`` / ``.json``)."""
    folder.mkdir(parents=True, exist_ok=True)
    image = page.colour if page.colour is not None else page.image
    cv2.imwrite(str(folder / f"{page.kind}-{index}.png"), image[..., ::-1] if image.ndim == 3 else image)
    truth = {"kind": page.kind, "faces": page.faces, "ignore": page.ignore,
             "glyphs": [{"char": g.char, "bbox": g.bbox} for g in page.glyphs],
             "stamp_glyphs": [{"char": g.char, "bbox": g.bbox} for g in page.stamp_glyphs]}
    (folder / f"{page.kind}-{index}.json").write_text(json.dumps(truth) + "\n", encoding="utf-8")


def markdown(data: dict, command: str) -> str:
    """The report for people."""
    trained = set(data["trained_faces"])
    lines = [
        "# Glyph boxes on pages of other kinds", "",
        f"`{command}`: {data['pages_per_kind']} page(s) of each kind drawn by `benchmarks/wild_pages.py` (A5 at "
        "300 dpi, in colour, turned grey as `app.io` turns a colour file grey); the `own` row is the project's "
        "own printed page (`segmentation.synthetic.printed_page`, as `benchmarks/segmentation.py` draws it) for "
        "reference. A box counts when it matches a character's box at IoU >= 0.5, one to one, pooled over the "
        "pages of a kind. Truth is the body text only, each character's box its own ink, so overlapping letters "
        "have overlapping boxes. Stamp text is not scored: a box on a stamp's character, or in a stamp's or "
        "logo's region and clear of the body text, is left out of P (column `ignored`); `stamp found` counts "
        "the stamp characters an engine boxed; `F1 @0.3` is F1 at IoU >= 0.3 (boxes roughly in place).", "",
        f"CPU: {data['cpu']}; load average {data['load_average']} at the end (another process was training: "
        "seconds are rough).", "",
        "Engines: " + "; ".join(f"**{n}**: {ENGINE_NOTES[n]}" for n in data["engines"]) + ".", "",
        "![the first page of each kind](pages.jpg)", "",
        "| kind | engine | pages | glyphs | P | R | F1 | F1 @0.3 | ignored | stamp found | s/page |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, engines in data["kinds"].items():
        for name, s in engines.items():
            stamp = f"{s['stamp_found']} / {s['stamp_glyphs']}" if s["stamp_glyphs"] else "-"
            lines.append(f"| {kind} | {name} | {s['pages']} | {s['glyphs']} | {s['precision']:.3f} | "
                         f"{s['recall']:.3f} | {s['f1']:.3f} | {s['f1_loose']:.3f} | {s['ignored']} | {stamp} | "
                         f"{s['seconds_per_page']} |")
    lines += ["", "F1 of each page:", "", "| kind | page | face | " + " | ".join(data["engines"]) + " |",
              "|---|---|---|" + "---|" * len(data["engines"])]
    f1: dict[tuple[str, int], dict[str, float]] = {}
    for row in data["pages"]:
        f1.setdefault((row["kind"], row["page"]), {"face": row["faces"][0]})[row["engine"]] = row["f1"]
    for (kind, index), row in f1.items():
        lines.append(f"| {kind} | {index} | {row['face']} | "
                     + " | ".join(f"{row[n]:.3f}" for n in data["engines"]) + " |")
    lines += ["", "Faces (* = among the line model's training faces):", ""]
    for kind, names in data["faces"].items():
        lines.append(f"- {kind}: " + ", ".join(f"{n}{'*' if n in trained else ''}" for n in names))
    crashes = [c for engines in data["kinds"].values() for s in engines.values() for c in s["crashes"]]
    lines += ["", "Crashes: " + ("; ".join(crashes) if crashes else "none") + "."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="pages of each kind")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--out", type=Path, help="also save every page (PNG) and its truth (JSON) here")
    args = parser.parse_args(argv)
    from recognizer.precision import cpu_summary

    print(cpu_summary())
    data = run(args.kinds, args.pages, args.seed, args.engines, args.out)
    command = " ".join(["python -m benchmarks.glyph_boxes", *(sys.argv[1:] if argv is None else argv)])
    text = markdown(data, command)
    print(text)
    save_report(REPORT_DIR, "report", text, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
