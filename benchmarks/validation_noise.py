"""How much the validation split can tell models apart, and what the eval bar means.

``python -m benchmarks.validation_noise [--models A.json B.json ...]`` reads the handwritten
validation glyphs the training runs carve from train (5 %, seed 1) and prints, for each model,
its balanced (mean per-class) validation accuracy with a bootstrap standard error (glyphs
resampled within each class, so the rare letters' few glyphs weigh as they do in the score),
the standard error of the difference between each model and the first (the same resampled
glyphs for both), and the balanced accuracy of the models' averaged log-probabilities.
Only validation glyphs are read; ``eval`` is not touched.

It also estimates how many ``eval`` glyphs a model trained on the official EMNIST Balanced
train set has seen: the splits' README says EMNIST's sets are independent draws from one pool
of 814,255 characters, and our pool is the ByMerge and ByClass test sets (116,323 each).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from benchmarks.report import save_report
from recognizer.data import EMNIST_CLASSES, class_counts, load_split, stratified_split
from recognizer.predictor import Predictor, default_model_path

EMNIST_POOL = 814_255
TEST_SET_SIZE = 116_323  # ByMerge test and ByClass test each
BALANCED_TRAIN_PER_CLASS = 2_400
BALANCED_TRAIN_TAIL = 9_120  # real Balanced train glyphs in our pool
EVAL_PER_CLASS = 400


def balanced_accuracy(pred: np.ndarray, by_class: list[np.ndarray]) -> float:
    """Mean per-class accuracy of predictions ``pred`` over the glyph indices of each class."""
    return float(np.mean([(pred[idx] == c).mean() for c, idx in enumerate(by_class)]))


def bootstrap(preds: list[np.ndarray], labels: np.ndarray, rounds: int, seed: int) -> np.ndarray:
    """(rounds, models) balanced accuracies on glyphs resampled within each class."""
    rng = np.random.default_rng(seed)
    by_class = [np.flatnonzero(labels == c) for c in range(len(EMNIST_CLASSES))]
    out = np.empty((rounds, len(preds)))
    for r in range(rounds):
        sample = [rng.choice(idx, len(idx)) for idx in by_class]
        out[r] = [balanced_accuracy(pred, sample) for pred in preds]
    return out


def seen_eval_fractions(train_counts: np.ndarray) -> np.ndarray:
    """Expected share of each class's ``eval`` glyphs in the official Balanced train set.

    A Balanced train glyph is in our pool when it is in the ByMerge or the ByClass test set
    (independent draws) or among the 9,120 real Balanced train glyphs the pool holds; each class's
    pool holds its train glyphs plus the 400 eval glyphs.
    """
    in_tests = 1 - (1 - TEST_SET_SIZE / EMNIST_POOL) ** 2
    tail = BALANCED_TRAIN_TAIL / len(EMNIST_CLASSES)
    per_class = BALANCED_TRAIN_PER_CLASS * in_tests + tail * (1 - in_tests)
    return np.minimum(1.0, per_class / (train_counts + EVAL_PER_CLASS))


def seen_eval_fraction(train_counts: np.ndarray) -> float:
    """:func:`seen_eval_fractions` averaged over the classes (``eval`` is balanced)."""
    return float(np.mean(seen_eval_fractions(train_counts)))


def class_accuracies(pred: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Accuracy of ``pred`` on each of the 47 classes (0 for a class without glyphs)."""
    return np.array([(pred[labels == c] == c).mean() if (labels == c).any() else 0.0
                     for c in range(len(EMNIST_CLASSES))])


def seen_glyphs(train_index: np.ndarray, labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Up to ``per_class`` indices of each class drawn from the glyphs a run trained on."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(train_index[labels[train_index] == c])[:per_class]
                           for c in range(len(EMNIST_CLASSES))])


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, nargs="*", help="model configs (default: the shipped model)")
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--data", type=Path, help="EMNIST folder (default: the usual place)")
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args(argv)
    paths = args.models or [default_model_path()]
    train = load_split("train", args.data)
    train_index, val_index = stratified_split(train.labels, 0.05, 1)
    val = train.subset(val_index)
    labels = val.labels.astype(np.int64)
    seen = train.subset(seen_glyphs(train_index, train.labels, EVAL_PER_CLASS, seed=0))
    fractions = seen_eval_fractions(class_counts(train.labels, len(EMNIST_CLASSES)).astype(np.float64))
    log_probs, seen_rates = [], []
    for path in paths:
        predictor = Predictor.load(path)
        seen_pred = predictor.logits(seen.images)[:, : len(EMNIST_CLASSES)].argmax(axis=1)
        seen_rates.append(class_accuracies(seen_pred, seen.labels.astype(np.int64)))
        logits = predictor.logits(val.images)[:, : len(EMNIST_CLASSES)].astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        log_probs.append(logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)))
    preds = [lp.argmax(axis=1) for lp in log_probs]
    samples = bootstrap(preds, labels, args.rounds, seed=0)
    by_class = [np.flatnonzero(labels == c) for c in range(len(EMNIST_CLASSES))]
    rows = []
    for n, path in enumerate(paths):
        diff = samples[:, 0] - samples[:, n]
        memorised = seen_rates[n] - class_accuracies(preds[n], labels)
        rows.append({"model": str(path), "balanced": balanced_accuracy(preds[n], by_class),
                     "stderr": float(samples[:, n].std()), "stderr_of_difference_to_first": float(diff.std()),
                     "balanced_on_seen_train_glyphs": float(seen_rates[n].mean()),
                     "eval_gain_if_seen_like_balanced_train": float(np.mean(fractions * memorised))})
    ensemble = balanced_accuracy(sum(log_probs).argmax(axis=1), by_class) if len(paths) > 1 else None
    seen_share = float(fractions.mean())
    command = "python -m benchmarks.validation_noise" + "".join(f" {arg}" for arg in (argv or []))
    lines = ["# How much the validation split can tell", "",
             f"`{command}` on {len(labels):,} handwritten validation glyphs "
             f"(balanced accuracy; bootstrap of {args.rounds} rounds within classes), and on "
             f"{len(seen):,} glyphs each run trained on (up to {EVAL_PER_CLASS} per class, without augmentation).", "",
             "| model | balanced accuracy | standard error | s.e. of the difference to the first "
             "| on glyphs it trained on | eval gain if it had seen what Balanced train holds |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        print(f"{row['model']}: {row['balanced']:.2%} +- {row['stderr']:.2%} "
              f"(difference to the first +- {row['stderr_of_difference_to_first']:.2%}); "
              f"on its own train glyphs {row['balanced_on_seen_train_glyphs']:.2%}, "
              f"eval gain if seen like Balanced train {row['eval_gain_if_seen_like_balanced_train']:+.2%}")
        lines.append(f"| {row['model']} | {row['balanced']:.2%} | {row['stderr']:.2%} | "
                     f"{row['stderr_of_difference_to_first']:.2%} | {row['balanced_on_seen_train_glyphs']:.2%} | "
                     f"{row['eval_gain_if_seen_like_balanced_train']:+.2%} |")
    if ensemble is not None:
        print(f"all models, log-probabilities averaged: {ensemble:.2%}")
        lines += ["", f"All models with their log-probabilities averaged: {ensemble:.2%}."]
    print(f"a model trained on the official Balanced train set has seen about {seen_share:.0%} of eval")
    lines += ["", f"A model trained on the official EMNIST Balanced train set has seen about {seen_share:.0%} of the "
              "`eval` glyphs (more of the rare classes'), by the splits' README's counts. The last column is what "
              "that would add to each model's `eval` score: per class, the share seen times the difference between "
              "its accuracy on glyphs it trained on and on validation glyphs, averaged over the classes."]
    result: dict[str, object] = {"models": rows, "ensemble_balanced": ensemble,
                                 "eval_seen_by_balanced_train": seen_share}
    save_report(args.out, "validation_noise", "\n".join(lines), result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
