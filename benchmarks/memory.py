"""Peak memory of ``glyphic ocr`` on a long PDF: pages must stream, not pile up.

``python -m benchmarks.memory [--pages 200] [--dpi 300]`` writes an A4 PDF of
``--pages`` printed pages (a few paragraphs each) with fpdf2, runs
``glyphic ocr BIG.pdf -o OUT --format txt,json`` in a child process and reports
the child's peak resident memory (``getrusage``), its wall time and the number of
pages written. Writes ``reports/memory.md`` and ``reports/memory.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.report import save_report

PARAGRAPH = ("The committee met on Tuesday to review the archive's plans for the coming year. "
             "Members agreed that 240 boxes of letters (1921-1958) should be scanned first; "
             "the catalogue will follow when the budget allows.")


def write_pdf(path: Path, pages: int) -> None:
    """An A4 PDF of ``pages`` pages of printed text."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_font("helvetica", size=12)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 7, f"Page {number}\n\n" + "\n\n".join([PARAGRAPH] * 3))
    pdf.output(str(path))


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--dpi", type=float, default=300.0)
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "long.pdf"
        write_pdf(pdf, args.pages)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "app.cli", "ocr", str(pdf), "-o", str(Path(tmp) / "out"),
                        "--format", "txt,json", "--dpi", str(args.dpi), "--quiet"], check=True)
        seconds = time.perf_counter() - started
        written = json.loads((Path(tmp) / "out" / "long.json").read_text())["pages"]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {"pages": args.pages, "pages_written": len(written), "dpi": args.dpi, "peak_mb": peak_mb,
              "seconds": seconds, "seconds_per_page": seconds / args.pages}
    lines = ["# Memory on a long PDF", "",
             f"`python -m benchmarks.memory --pages {args.pages} --dpi {args.dpi:g}`: `glyphic ocr` on an A4 PDF of "
             f"{args.pages} printed pages rendered at {args.dpi:g} dpi, txt + json out.", "",
             "| pages written | peak memory (child) | seconds | s/page |", "|---|---|---|---|",
             f"| {len(written)} | {peak_mb:.0f} MB | {seconds:.0f} | {seconds / args.pages:.2f} |"]
    save_report(args.out, "memory", "\n".join(lines), result)
    print("\n".join(lines))
    return result


if __name__ == "__main__":
    main()
