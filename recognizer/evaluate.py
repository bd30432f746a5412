"""Evaluation report: ``python -m recognizer.evaluate --model CONFIG.json --out reports/NAME``.

Writes ``report.md``, ``report.json`` and PNG figures (confusion matrix,
misclassified glyphs, reliability diagram, augmented samples) for the
measurement-only splits ``eval`` and ``test-tail``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from recognizer.augment import augment_batch
from recognizer.calibration import expected_calibration_error, reliability_bins
from recognizer.data import GlyphSet, load_split
from recognizer.models import count_parameters
from recognizer.predictor import Predictor, default_model_path, softmax
from recognizer.train import classification_metrics
from recognizer.weights import load_model, write_atomic

if TYPE_CHECKING:
    from recognizer.printed import Degradation


def confusion_matrix(labels: np.ndarray, pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts (true, predicted)."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels.astype(np.int64), pred.astype(np.int64)), 1)
    return matrix


def top_confusions(matrix: np.ndarray, classes: tuple[str, ...], n: int = 20) -> list[dict[str, Any]]:
    """The ``n`` most frequent (true -> predicted) errors."""
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(-off, axis=None)[:n]
    rows = []
    for flat in order:
        t, p = np.unravel_index(flat, off.shape)
        if off[t, p] == 0:
            break
        rows.append({"true": classes[t], "predicted": classes[p], "count": int(off[t, p])})
    return rows


def measure(predictor: Predictor, data: GlyphSet) -> dict[str, Any]:
    """All numbers of the report for one split."""
    started = time.perf_counter()
    logits = predictor.logits(data.images)
    seconds = time.perf_counter() - started
    labels = torch.from_numpy(data.labels.astype(np.int64))
    scaled = torch.from_numpy(logits / predictor.temperature)
    metrics = classification_metrics(scaled, labels)
    probs = torch.from_numpy(softmax(logits / predictor.temperature))
    pred = logits.argmax(1)
    num_classes = len(predictor.classes)
    matrix = confusion_matrix(data.labels, pred, num_classes)
    per_class = {predictor.classes[c]: float(matrix[c, c] / max(1, matrix[c].sum())) for c in range(num_classes)}
    return {
        **metrics,
        "count": len(data),
        "ece": expected_calibration_error(probs, labels),
        "ece_uncalibrated": expected_calibration_error(torch.softmax(torch.from_numpy(logits), 1), labels),
        "glyphs_per_second": len(data) / seconds if seconds else 0.0,
        "per_class_accuracy": per_class,
        "top_confusions": top_confusions(matrix, predictor.classes),
        "reliability": reliability_bins(probs, labels),
        "_matrix": matrix,
        "_pred": pred,
        "_conf": probs.max(1).values.numpy(),
    }


def plot_confusion(matrix: np.ndarray, classes: tuple[str, ...], path: Path, title: str) -> None:
    import matplotlib.pyplot as plt

    rates = matrix / np.maximum(1, matrix.sum(1, keepdims=True))
    fig, ax = plt.subplots(figsize=(9, 8), dpi=80)
    image = ax.imshow(np.sqrt(rates), cmap="viridis")
    ax.set_xticks(range(len(classes)), classes, fontsize=7)
    ax.set_yticks(range(len(classes)), classes, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title} (colour: sqrt of row rate)")
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_reliability(bins: list[dict[str, float]], path: Path, ece: float) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=80)
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-")
    ax.set_xlabel("calibrated confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(f"reliability (ECE {ece:.3f})")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def glyph_grid(images: np.ndarray, captions: list[str], path: Path, columns: int = 10) -> None:
    import matplotlib.pyplot as plt

    rows = max(1, int(np.ceil(len(images) / columns)))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 1.05), dpi=80)
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap="gray", vmin=0, vmax=255)
            ax.set_title(captions[i], fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def augmentation_grid(data: GlyphSet, classes: tuple[str, ...], path: Path, seed: int = 0) -> None:
    """Originals (first column) and five augmented copies of 8 glyphs."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(data), 8, replace=False)
    x = torch.from_numpy(data.images[pick]).unsqueeze(1).float() / 255
    gen = torch.Generator().manual_seed(seed)
    copies = [x] + [augment_batch(x, gen) for _ in range(5)]
    images, captions = [], []
    for i in range(len(pick)):
        for j, batch in enumerate(copies):
            images.append((batch[i, 0].numpy() * 255).astype(np.uint8))
            captions.append(classes[data.labels[pick[i]]] + (" (orig)" if j == 0 else ""))
    glyph_grid(np.stack(images), captions, path, columns=6)


def held_out_printed(per_char: int, seed: int = 99, degradation: Degradation | None = None
                     ) -> tuple[GlyphSet, np.ndarray]:
    """Printed glyphs rendered from the held-out font families only, and the character of each."""
    from recognizer.printed import PRINTED_CHARS, render_glyphs, split_fonts

    _, held_out = split_fonts()
    images, labels, chars = [], [], []
    for i, char in enumerate(PRINTED_CHARS):
        crops, classes = render_glyphs(held_out, per_char, seed + i, chars=char, cfg=degradation)
        images.append(crops)
        labels.append(classes)
        chars += [char] * len(classes)
    return GlyphSet(np.concatenate(images), np.concatenate(labels)), np.asarray(chars)


def context_accuracy(chars: np.ndarray, pred: np.ndarray) -> float:
    """Accuracy counting look-alikes of :data:`recognizer.printed.CONTEXT_ONLY_GROUPS` as right."""
    from recognizer.printed import context_equivalent

    return float(np.mean([context_equivalent(str(c), int(p)) for c, p in zip(chars, pred, strict=True)]))


def write_report(predictor: Predictor, splits: dict[str, GlyphSet], out: Path, title: str,
                 printed_chars: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
    """Measure every split and write the Markdown/JSON report with figures into ``out``.

    ``printed_chars`` holds, per printed split (``printed-held-out``, ``printed-held-out-scan``),
    the character of every glyph.
    """
    chars_of = dict(printed_chars or {})
    out.mkdir(parents=True, exist_ok=True)
    parameters = count_parameters(load_model(predictor.config_path)[0])
    results: dict[str, Any] = {"model": predictor.name, "parameters": parameters, "precision": predictor.precision,
                               "temperature": predictor.temperature, "splits": {}}
    lines = [f"# {title}", "", f"Model `{predictor.name}`, {results['parameters']:,} parameters, "
             f"temperature {predictor.temperature:.3f}, ONNX Runtime {predictor.precision}.", ""]
    lines += ["| split | glyphs | accuracy | top-3 | loss | ECE (calibrated) | ECE (raw) | glyphs/s |",
              "|---|---|---|---|---|---|---|---|"]
    measured: dict[str, dict[str, Any]] = {}
    for name, data in splits.items():
        if int(data.labels.max(initial=0)) >= len(predictor.classes):
            known = data.labels < len(predictor.classes)  # e.g. punctuation for an EMNIST-only model
            results["splits"][f"{name}-unreadable"] = int((~known).sum())
            data = data.subset(np.flatnonzero(known))
            if name in chars_of:
                chars_of[name] = chars_of[name][known]
        m = measure(predictor, data)
        if name in chars_of:
            m["context_accuracy"] = context_accuracy(chars_of[name], m["_pred"])
        measured[name] = m
        results["splits"][name] = {k: v for k, v in m.items() if not k.startswith("_")}
        lines.append(f"| {name} | {m['count']} | {m['accuracy']:.2%} | {m['top3_accuracy']:.2%} | {m['loss']:.3f} "
                     f"| {m['ece']:.3f} | {m['ece_uncalibrated']:.3f} | {m['glyphs_per_second']:.0f} |")
        if name == "eval":
            plot_confusion(m["_matrix"], predictor.classes, out / "confusion.png", f"{title}: eval")
            plot_reliability(m["reliability"], out / "reliability.png", m["ece"])
            wrong = np.flatnonzero(m["_pred"] != data.labels)[:60]
            glyph_grid(data.images[wrong],
                       [f"{predictor.classes[data.labels[i]]}→{predictor.classes[m['_pred'][i]]} "
                        f"{m['_conf'][i]:.2f}" for i in wrong], out / "misclassified.png")
            eval_metrics = m
    if "eval" in splits:
        lines += ["", "## Most frequent confusions on eval (true → predicted)", "",
                  "| true | predicted | count |", "|---|---|---|"]
        lines += [f"| {r['true']} | {r['predicted']} | {r['count']} |" for r in eval_metrics["top_confusions"]]
        lines += ["", "## Per-class accuracy on eval", "", "| class | accuracy |", "|---|---|"]
        lines += [f"| {c} | {a:.1%} |" for c, a in eval_metrics["per_class_accuracy"].items()]
        lines += ["", "## Figures", "", "![confusion matrix](confusion.png)", "",
                  "![reliability](reliability.png)", "", "Misclassified eval glyphs (true→predicted, confidence):", "",
                  "![misclassified](misclassified.png)", "",
                  "Training augmentation (first column original, then five random draws):", "",
                  "![augmentation](augmentation.png)", ""]
        augmentation_grid(splits["eval"], predictor.classes, out / "augmentation.png")
    if "printed-held-out" in measured:
        unreadable = results["splits"].get("printed-held-out-unreadable", 0)
        left_out = f"; {unreadable} punctuation glyphs left out: this model has no class for them" if unreadable else ""
        lines += ["", "## Printed glyphs of held-out font families", "",
                  f"Rendered glyphs of fonts never seen in training (HELD_OUT_FAMILIES){left_out}: "
                  "`printed-held-out` with the training stream's damage (blur, noise, thinned, thickened and "
                  "broken strokes, JPEG), `printed-held-out-scan` with the light damage of a clean office scan "
                  "(SCAN_QUALITY).", ""]
        for name, m in measured.items():
            if "context_accuracy" in m:
                lines += [f"- `{name}`: glyph accuracy {m['accuracy']:.2%}; {m['context_accuracy']:.2%} when the "
                          "shapes many fonts share (l/I/1, O/o/0, comma/apostrophe: CONTEXT_ONLY_GROUPS) count as "
                          "right, since only the line geometry and the word tell them apart (the page decoder's "
                          "job)."]
        lines += ["", "Most frequent confusions on `printed-held-out`:", ""]
        lines += ["| true | predicted | count |", "|---|---|---|"]
        lines += [f"| {r['true']} | {r['predicted']} | {r['count']} |"
                  for r in measured["printed-held-out"]["top_confusions"]]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "report.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model config JSON (default: the shipped model)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, help="EMNIST folder")
    parser.add_argument("--title", default="Glyphic recognizer evaluation")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--printed", type=int, default=0, metavar="N",
                        help="also measure N rendered glyphs per character of the held-out printed fonts")
    parser.add_argument("--record", action="store_true",
                        help="write the measured accuracies into the model's config JSON (its 'evaluation' entry)")
    args = parser.parse_args(argv)
    predictor = Predictor.load(args.model, threads=args.threads) if args.model else Predictor.from_resources(
        threads=args.threads)
    splits = {"eval": load_split("eval", args.data), "test-tail": load_split("test-tail", args.data)}
    printed_chars = {}
    if args.printed:
        from recognizer.printed import SCAN_QUALITY

        splits["printed-held-out"], printed_chars["printed-held-out"] = held_out_printed(args.printed)
        splits["printed-held-out-scan"], printed_chars["printed-held-out-scan"] = held_out_printed(
            args.printed, degradation=SCAN_QUALITY)
    results = write_report(predictor, splits, args.out, args.title, printed_chars)
    for name, m in results["splits"].items():
        if not isinstance(m, dict):
            continue
        context = f" context {m['context_accuracy']:.4f}" if "context_accuracy" in m else ""
        print(f"{name}: accuracy {m['accuracy']:.4f}{context} top-3 {m['top3_accuracy']:.4f} loss {m['loss']:.3f} "
              f"ECE {m['ece']:.4f} ({m['count']} glyphs)")
    if args.record:
        record_evaluation(args.model or default_model_path(), results)
    return results


def record_evaluation(config_path: Path, results: dict[str, Any]) -> None:
    """Store each split's accuracy, top-3 accuracy and size in the model config (weights untouched)."""
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["evaluation"] = {
        name: {key: m[key] for key in ("accuracy", "context_accuracy", "top3_accuracy", "count") if key in m}
        for name, m in results["splits"].items() if isinstance(m, dict)
    }
    write_atomic(config_path, (json.dumps(config, indent=2) + "\n").encode())


if __name__ == "__main__":
    main()
