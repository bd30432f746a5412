"""Real scans: Glyphic's engines and Tesseract on the same pages, scored by the workspace's page scorer.

Runs ``../shared/tools/pagecer.py`` on a folder of real pages (``../shared/data/real-dev`` by default)
for each command, then pools the character and word errors per kind of page (from the folder's
``manifest.json``). Prints the CPU, writes ``reports/real_pages.md`` and ``.json``.

Run: ``python -m benchmarks.real_pages [FOLDER] [--engines line,glyph] [--no-tesseract]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import save_report  # noqa: E402
from recognizer.precision import cpu_summary  # noqa: E402

SCORER = ROOT.parent / "shared" / "tools" / "pagecer.py"
DEFAULT_FOLDER = ROOT.parent / "shared" / "data" / "real-dev"


def score(folder: Path, command: str) -> list[dict]:
    """pagecer's per-page rows for ``command`` on ``folder``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.json"
        subprocess.run([sys.executable, str(SCORER), str(folder), "--cmd", command, "--quiet", "--json", str(out)],
                       check=True, stdout=subprocess.DEVNULL)
        return list(json.loads(out.read_text(encoding="utf-8"))["pages"])


def pooled(rows: list[dict]) -> dict[str, float]:
    """Micro-averaged folded CER/WER, caseless folded CER and seconds per page of some pages."""
    def rate(kind: str, unit: str) -> float:
        return sum(r[f"{kind}_{unit}_edits"] for r in rows) / max(1, sum(r[f"{kind}_{unit}s"] for r in rows))

    return {"pages": len(rows), "fold_cer": rate("fold", "char"), "fold_wer": rate("fold", "word"),
            "foldci_cer": rate("foldci", "char"), "raw_cer": rate("raw", "char"),
            "seconds": sum(r["seconds"] for r in rows) / max(1, len(rows))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--engines", default="line,glyph")
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--line-model", type=Path, help="line model config JSON (default: the shipped one)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    args = parser.parse_args(argv)
    manifest = json.loads((args.folder / "manifest.json").read_text(encoding="utf-8"))
    kinds = {p["page"]: p["kind"] for p in manifest["pages"]}
    glyphic = Path(sys.executable).with_name("glyphic")
    line_model = f" --line-model {args.line_model.resolve()}" if args.line_model else ""
    commands = {f"glyphic --engine {e}":
                f"{glyphic} ocr --quiet --engine {e}{line_model if e == 'line' else ''} {{img}}"
                for e in args.engines.split(",")}
    if not args.no_tesseract and shutil.which("tesseract"):
        commands["tesseract 5 (psm 3)"] = "tesseract {img} - 2>/dev/null"
    cpu = cpu_summary()
    print(cpu, flush=True)
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, command in commands.items():
        rows = score(args.folder, command)
        by_kind: dict[str, list[dict]] = {}
        for row in rows:
            by_kind.setdefault(kinds.get(Path(row["page"]).stem, "?"), []).append(row)
        results[name] = {kind: pooled(part) for kind, part in sorted(by_kind.items())}
        results[name]["all"] = pooled(rows)
        for kind, m in results[name].items():
            print(f"{name:22s} {kind:12s} pages {m['pages']:2d}  folded CER {m['fold_cer']:.1%}  WER "
                  f"{m['fold_wer']:.1%}  caseless {m['foldci_cer']:.1%}  raw CER {m['raw_cer']:.1%}  "
                  f"{m['seconds']:.2f} s/page", flush=True)
    lines = ["# Real pages", "", f"`python -m benchmarks.real_pages {args.folder.name}` (scored by "
             "`../shared/tools/pagecer.py`; seconds include process start and model load).", "", f"CPU: {cpu}.",
             "", "| engine | kind | pages | folded CER | folded WER | caseless folded CER | raw CER | s/page |",
             "|---|---|---|---|---|---|---|---|"]
    for name, row in results.items():
        lines += [f"| {name} | {kind} | {m['pages']} | {m['fold_cer']:.1%} | {m['fold_wer']:.1%} | "
                  f"{m['foldci_cer']:.1%} | {m['raw_cer']:.1%} | {m['seconds']:.2f} |" for kind, m in row.items()]
    save_report(args.out, "real_pages", "\n".join(lines), {"cpu": cpu, "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
