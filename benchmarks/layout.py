"""Line finding on real scans: precision / recall / F1 and reading order against ALTO transcriptions.

Reads every ``NAME.jpg`` with ``NAME.alto.xml`` in a folder (``../shared/data/real-dev`` by default, whose
``manifest.json`` gives each page's kind), times the line finder (:mod:`segmentation.textlines`), and
scores the lines the reader outputs (what a user gets: lines read as specks left out) against the
transcription (:mod:`segmentation.alto_lines`); prints per page and per kind, and writes
``reports/layout/report.md`` and ``report.json``. Also the CER of each transcribed line against the text read
on the line matched to it (nothing for an unmatched one): how well the lines are read, whatever their
order on the page (a whole-page CER also counts reading order).

Run: ``python -m benchmarks.layout [FOLDER]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.document import Line  # noqa: E402
from app.io import load_page  # noqa: E402
from app.pipeline import Pipeline, PipelineOptions  # noqa: E402
from benchmarks.report import save_report  # noqa: E402
from recognizer.precision import cpu_summary  # noqa: E402
from segmentation.alto_lines import LineScore, TruthLine, match_lines, read_alto_lines, score_lines  # noqa: E402
from segmentation.textlines import find_text_lines  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "data" / "real-dev"
REPORT_DIR = ROOT / "reports" / "layout"


def _kinds(folder: Path) -> dict[str, str]:
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return {}
    return {p["page"]: p["kind"] for p in json.loads(manifest.read_text(encoding="utf-8"))["pages"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    kinds = _kinds(args.folder)
    pipeline = Pipeline(PipelineOptions(engine="line"))
    rows: list[dict] = []
    by_kind: dict[str, list[LineScore]] = {}
    errors_by_kind: dict[str, list[tuple[int, int]]] = {}
    print(cpu_summary())
    for alto in sorted(args.folder.glob("*.alto.xml")):
        name = alto.name.removesuffix(".alto.xml")
        image = load_page(args.folder / f"{name}.jpg", 0).image
        start = time.perf_counter()
        find_text_lines(image)
        seconds = time.perf_counter() - start
        read = pipeline.recognize_image(image).lines
        truth = read_alto_lines(alto)
        score = score_lines(truth, [line.bbox for line in read])
        errors, chars = _line_errors(truth, read)
        kind = kinds.get(name, "?")
        by_kind.setdefault(kind, []).append(score)
        errors_by_kind.setdefault(kind, []).append((errors, chars))
        rows.append({"page": name, "kind": kind, "truth": score.truth, "found": score.found,
                     "matched": score.matched, "precision": score.precision, "recall": score.recall,
                     "f1": score.f1, "order": score.order, "line_cer": errors / max(1, chars), "seconds": seconds})
        print(f"{name:28s} {kind:12s} lines {score.truth:3d} found {score.found:3d} P {score.precision:.2f} "
              f"R {score.recall:.2f} F1 {score.f1:.2f} order {score.order:.2f} line CER {errors / max(1, chars):.3f} "
              f"{seconds:.2f} s", flush=True)
    summary = {kind: _pooled(scores) | {"line_cer": _rate(errors_by_kind[kind])}
               for kind, scores in sorted(by_kind.items())}
    lines = ["# Line finding on real scans", "", f"`python -m benchmarks.layout {args.folder}`", "",
             f"CPU: {cpu_summary()}", "", "| kind | pages | P | R | F1 | order (mean) | line CER |",
             "|---|---|---|---|---|---|---|"]
    for kind, s in summary.items():
        print(f"{kind:12s} P {s['precision']:.2f} R {s['recall']:.2f} F1 {s['f1']:.2f} order {s['order']:.2f} "
              f"line CER {s['line_cer']:.3f}")
        lines.append(f"| {kind} | {s['pages']} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} "
                     f"| {s['order']:.2f} | {s['line_cer']:.1%} |")
    slowest = max((r["seconds"] for r in rows), default=0.0)
    median = statistics.median(r["seconds"] for r in rows) if rows else 0.0
    print(f"layout seconds: median {median:.2f}, slowest {slowest:.2f}")
    lines += ["", f"Line finding time per page: median {median:.2f} s, slowest {slowest:.2f} s. Scored: the lines "
              "the line engine outputs.", "",
              "| page | kind | lines | found | P | R | F1 | order | line CER | s |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['page']} | {r['kind']} | {r['truth']} | {r['found']} | {r['precision']:.2f} | "
              f"{r['recall']:.2f} | {r['f1']:.2f} | {r['order']:.2f} | {r['line_cer']:.1%} | {r['seconds']:.2f} |"
              for r in rows]
    save_report(REPORT_DIR, "report", "\n".join(lines), {"cpu": cpu_summary(), "kinds": summary, "pages": rows})
    return 0


def _line_errors(truth: list[TruthLine], read: list[Line]) -> tuple[int, int]:
    """Edit distance of every transcribed line to the text read on its matched line ("" for none), and the
    transcribed characters."""
    matches = match_lines(truth, [line.bbox for line in read])
    errors = sum(Levenshtein.distance(line.text, read[matches[n]].text if n in matches else "")
                 for n, line in enumerate(truth))
    return errors, sum(len(line.text) for line in truth)


def _rate(counts: list[tuple[int, int]]) -> float:
    return sum(e for e, _ in counts) / max(1, sum(n for _, n in counts))


def _pooled(scores: list[LineScore]) -> dict[str, float]:
    pooled = LineScore(truth=sum(s.truth for s in scores), found=sum(s.found for s in scores),
                       matched=sum(s.matched for s in scores), order=statistics.mean(s.order for s in scores))
    return {"pages": len(scores), "precision": pooled.precision, "recall": pooled.recall, "f1": pooled.f1,
            "order": pooled.order}


if __name__ == "__main__":
    sys.exit(main())
