"""End-to-end page benchmark: Glyphic against Tesseract on the same synthetic pages.

``python -m benchmarks.pages [--pages 3] [--no-tesseract]`` builds pages in code
(handwritten English text from EMNIST *eval* glyphs, and printed text), runs
Glyphic (with and without the lexicon) and, when installed, Tesseract, and
prints character/word error rates (raw, and folded to what the 47 classes can
express), seconds per page and peak memory. Writes ``reports/pages.md`` / ``.json``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from app.decode import letter_log_p, word_score
from app.pipeline import Pipeline, PipelineOptions
from benchmarks.report import save_report
from benchmarks.textpages import english_sentences, handwritten_text_page, page_text
from recognizer.data import GlyphSet, load_split, stratified_split
from recognizer.precision import cpu_summary
from segmentation.synthetic import LineTruth, SyntheticPage, degrade, printed_page

MERGED = set("cijklmopsuvwxyz")


def fold(text: str) -> str:
    """Drop punctuation and the case of merged letters (what 47 classes can express)."""
    out = []
    for ch in text:
        if ch.isalnum():
            out.append(ch.lower() if ch.lower() in MERGED else ch)
        elif ch in " \n":
            out.append(ch)
    return " ".join("".join(out).split())


def normalise_space(text: str) -> str:
    return " ".join(text.split())


def error_rates(truth: str, hypothesis: str) -> dict[str, float]:
    """CER and WER, raw and folded."""
    rates = {}
    for name, f in (("raw", normalise_space), ("folded", fold)):
        t, h = f(truth), f(hypothesis)
        rates[f"cer_{name}"] = Levenshtein.distance(t, h) / max(1, len(t))
        rates[f"wer_{name}"] = Levenshtein.distance(t.split(), h.split()) / max(1, len(t.split()))
    return rates


#: One regular face of each held-out printed family (never seen in training).
HELD_OUT_FACES = ("LiberationSerif-Regular.ttf", "FreeSans.ttf", "Courier Prime.otf", "C059-Roman.otf",
                  "DejaVuSansMono.ttf")


def held_out_faces() -> list[str]:
    """Paths of the held-out faces installed here (DejaVu Sans Mono always comes with matplotlib)."""
    from recognizer.printed import split_fonts

    by_name = {os.path.basename(path): path for path in split_fonts()[1]}
    return [by_name[name] for name in HELD_OUT_FACES if name in by_name] or ["DejaVuSansMono.ttf"]


def handwriting_glyphs(source: str) -> GlyphSet:
    """EMNIST glyphs to write handwritten pages with: ``eval`` (for measuring) or ``validation``, the
    split the shipped model's run carved from train (seed 1) and never trained on, for tuning the
    page reader without looking at eval."""
    if source == "eval":
        return load_split("eval")
    if source == "validation":
        train = load_split("train")
        _, val_index = stratified_split(train.labels, 0.05, 1)
        return train.subset(val_index)
    raise ValueError(f"unknown glyph source {source!r}: eval or validation")


def make_pages(kind: str, count: int, seed: int, handwriting: str = "eval") -> list[SyntheticPage]:
    """``handwritten``, ``printed`` (clean), ``printed-degraded`` (an old copy: noise, specks, uneven light),
    ``printed-blurred`` (soft focus, like a phone photo) or ``mixed`` pages (held-out fonts);
    handwriting from the ``eval`` or ``validation`` glyphs (:func:`handwriting_glyphs`)."""
    rng = np.random.default_rng(seed)
    pages = []
    if kind == "handwritten":
        data = handwriting_glyphs(handwriting)
        for _ in range(count):
            page = handwritten_text_page(english_sentences(rng, 2300), data.images, data.labels, rng)
            pages.append(degrade(page, rng, skew=rng.uniform(-2, 2), noise=6, blur=0.6, jpeg=85))
        return pages
    if kind == "mixed":
        return [mixed_page(rng, held_out_faces()[i % len(held_out_faces())], handwriting) for i in range(count)]
    if kind not in ("printed", "printed-degraded", "printed-blurred"):
        raise ValueError(f"unknown page kind {kind!r}")
    faces = held_out_faces()
    for i in range(count):
        page = printed_page(rng, size=(2480, 3508), font=faces[i % len(faces)], font_sizes=(40,))
        if kind == "printed":
            pages.append(degrade(page, rng, skew=rng.uniform(-1, 1), noise=4, blur=0.4, jpeg=92))
        elif kind == "printed-blurred":
            pages.append(degrade(page, rng, skew=rng.uniform(-2, 2), noise=8, blur=1.6, jpeg=75, uneven=0.3))
        else:
            pages.append(degrade(page, rng, skew=rng.uniform(-3, 3), noise=14, blur=1.0, jpeg=60, specks=300,
                                 uneven=0.25))
    return pages


def _moved_down(line: LineTruth, dy: int) -> LineTruth:
    def move(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        return box[0], box[1] + dy, box[2], box[3] + dy

    words = [replace(w, bbox=move(w.bbox), glyphs=[replace(g, bbox=move(g.bbox)) for g in w.glyphs])
             for w in line.words]
    return replace(line, bbox=move(line.bbox), words=words, baseline=line.baseline + dy)


def mixed_page(rng: np.random.Generator, font: str, handwriting: str = "eval") -> SyntheticPage:
    """A typed letter with a handwritten note below it: printed lines in a held-out face on the upper
    part of an A4 page, block letters (EMNIST glyphs, :func:`handwriting_glyphs`) on the lower part."""
    typed = printed_page(rng, size=(2480, 1500), font=font, font_sizes=(40,), max_lines=10)
    data = handwriting_glyphs(handwriting)
    note = handwritten_text_page(english_sentences(rng, 700), data.images, data.labels, rng, size=(2480, 2008))
    page = SyntheticPage(np.vstack([typed.image, note.image]),
                         typed.lines + [_moved_down(line, typed.image.shape[0]) for line in note.lines])
    return degrade(page, rng, skew=rng.uniform(-1, 1), noise=5, blur=0.5, jpeg=90)


def run_tesseract(image_path: Path) -> str:
    result = subprocess.run(["tesseract", str(image_path), "-", "--psm", "3"], capture_output=True, text=True,
                            check=True)
    return result.stdout


def measure(name: str, read: Callable[[SyntheticPage, Path], str], pages: list[SyntheticPage],
            paths: list[Path]) -> dict[str, float]:
    totals: dict[str, float] = {}
    seconds = 0.0
    for page, path in zip(pages, paths, strict=True):
        started = time.perf_counter()
        text = read(page, path)
        seconds += time.perf_counter() - started
        for key, value in error_rates(page_text(page), text).items():
            totals[key] = totals.get(key, 0.0) + value / len(pages)
    totals["seconds_per_page"] = seconds / len(pages)
    print(f"  {name:24s} " + "  ".join(f"{k} {v:.3f}" for k, v in totals.items()), flush=True)
    return totals


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3, help="pages per kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--handwriting", choices=("eval", "validation"), default="eval",
                        help="EMNIST glyphs of the handwritten pages: eval (to measure) or validation (to tune)")
    parser.add_argument("--kinds", default="handwritten,printed,printed-degraded,printed-blurred,mixed")
    parser.add_argument("--engines", default="line,glyph", help="Glyphic engines to run (comma-separated)")
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--model", type=Path)
    parser.add_argument("--line-model", type=Path, help="line model config JSON (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args(argv)
    use_tesseract = not args.no_tesseract and shutil.which("tesseract") is not None
    engines = args.engines.split(",")
    pipelines = {}
    for engine in engines:
        with_lexicon = Pipeline(PipelineOptions(lexicon=True, model_path=args.model, engine=engine,
                                                line_model_path=args.line_model))
        without = Pipeline(PipelineOptions(lexicon=False, model_path=args.model, engine=engine,
                                           line_model_path=args.line_model),
                           predictor=with_lexicon.predictor)
        pipelines[f"glyphic {engine}"] = with_lexicon
        pipelines[f"glyphic {engine} --no-lexicon"] = without
    cpu = cpu_summary()
    backend = f"glyph model: onnxruntime {with_lexicon.predictor.precision}; line model: onnxruntime fp32"
    print(f"{cpu}\n{backend}", flush=True)
    word_score("warm-up")  # timings are per page of a warm run: model, word list and letter model loaded
    letter_log_p("^^", "a")
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, kind in enumerate(args.kinds.split(",")):
            pages = make_pages(kind, args.pages, args.seed, args.handwriting)
            if n == 0:  # and the models' first passes (about 0.15 s of the first page) are not timed either
                for pipeline in pipelines.values():
                    pipeline.recognize_image(pages[0].image)
            paths = []
            for i, page in enumerate(pages):
                paths.append(Path(tmp) / f"{kind}-{i}.png")
                cv2.imwrite(str(paths[-1]), page.image)
            chars = sum(len(page_text(p)) for p in pages) / len(pages)
            print(f"{kind}: {len(pages)} pages, {chars:.0f} characters per page", flush=True)
            row = {name: measure(name, lambda p, _, pipeline=pipeline: pipeline.recognize_image(p.image).text,  # type: ignore[misc]
                                 pages, paths) for name, pipeline in pipelines.items()}
            if use_tesseract:
                row["tesseract"] = measure("tesseract", lambda _, path: run_tesseract(path), pages, paths)
            results[kind] = row
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:.0f} MB")
    lines = ["# Page benchmark", "",
             f"`python -m benchmarks.pages --pages {args.pages}`; peak memory {peak_mb:.0f} MB.", "",
             f"CPU: {cpu}; {backend}.",
             "", "| pages | engine | CER raw | CER folded | WER raw | WER folded | s/page |",
             "|---|---|---|---|---|---|---|"]
    for kind, row in results.items():
        for engine, m in row.items():
            lines.append(f"| {kind} | {engine} | {m['cer_raw']:.2%} | {m['cer_folded']:.2%} | {m['wer_raw']:.2%} "
                         f"| {m['wer_folded']:.2%} | {m['seconds_per_page']:.2f} |")
    save_report(args.out, "pages", "\n".join(lines),
                {"results": results, "peak_mb": peak_mb, "cpu": cpu, "backend": backend})
    return results


if __name__ == "__main__":
    main()
