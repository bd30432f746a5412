"""Train a glyph classifier: ``python -m recognizer.train --model NAME --epochs N --out DIR``.

Plain functions in the shape of pytorch/examples' mnist: ``train_epoch`` and
``evaluate_logits`` do one job each; ``main`` wires them. A checkpoint dict
(model, EMA model, optimiser, scheduler, epoch, metrics) is written after every
epoch so a run can be resumed with ``--resume``. At the end the best EMA
weights (by balanced accuracy on a validation split carved from train) are
calibrated with temperature scaling and exported as safetensors + JSON config.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from recognizer.augment import augment_batch
from recognizer.calibration import expected_calibration_error, fit_temperature
from recognizer.data import EMNIST_CLASSES, GlyphSet, class_counts, load_split, stratified_split
from recognizer.finalize import choose_final
from recognizer.models import build_model, count_parameters
from recognizer.preprocess import PIXEL_MEAN, PIXEL_STD
from recognizer.torch_precision import bf16_pays
from recognizer.weights import export_model, load_model


@dataclass
class Recipe:
    """Training hyper-parameters; each model name has its own defaults."""

    epochs: int
    batch_size: int
    optimizer: str
    lr: float
    weight_decay: float
    schedule: str
    label_smoothing: float
    augment: bool
    logit_adjust: float
    ema_decay: float
    model_kwargs: dict[str, Any]
    class_cap: int = 0  # at most this many glyphs of one class per epoch (a fresh draw each epoch); 0: all
    distill: float = 0.0  # weight of the teacher's soft targets in the loss (0: labels only)
    distill_temperature: float = 2.0


RECIPES: dict[str, Recipe] = {
    # Exactly the reference: Adam, batch 128, 10 epochs, no augmentation.
    "seed-cnn": Recipe(10, 128, "adam", 1e-3, 0.0, "constant", 0.0, False, 0.0, 0.0, {}),
    "glyph-resnet": Recipe(
        24, 256, "adamw", 3e-3, 0.05, "onecycle", 0.1, True, 1.0, 0.999, {"width": 64}
    ),
}


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, numpy and torch; return a generator for batch order and augmentation."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def batches(n: int, batch_size: int, gen: torch.Generator | None) -> list[torch.Tensor]:
    """Index batches over ``n`` items, shuffled when a generator is given."""
    order = torch.randperm(n, generator=gen) if gen is not None else torch.arange(n)
    return list(order.split(batch_size))


def epoch_order(labels: torch.Tensor, cap: int, gen: torch.Generator) -> torch.Tensor:
    """Shuffled indices of one epoch: every glyph, or at most ``cap`` of each class drawn afresh.

    EMNIST's training classes range from 510 to 11,582 glyphs, half of them
    digits; a cap spends the same steps on more passes over the rare letters
    while the frequent classes still show all their glyphs over a run.
    """
    if cap <= 0:
        return torch.randperm(len(labels), generator=gen)
    parts = []
    for cls in labels.unique().tolist():
        members = (labels == cls).nonzero().flatten()
        parts.append(members[torch.randperm(len(members), generator=gen)[:cap]])
    chosen = torch.cat(parts)
    return chosen[torch.randperm(len(chosen), generator=gen)]


def model_input(images_u8: torch.Tensor, gen: torch.Generator | None) -> torch.Tensor:
    """uint8 (B, 28, 28) -> standardised float (B, 1, 28, 28), augmented when ``gen`` is set."""
    x = images_u8.unsqueeze(1).float().div_(255.0)
    if gen is not None:
        x = augment_batch(x, gen)
    return ((x - PIXEL_MEAN) / PIXEL_STD).contiguous(memory_format=torch.channels_last)


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    """Hinton et al.'s soft-target loss: KL(teacher || student) at ``temperature``, scaled by its square."""
    soft_teacher = F.log_softmax(teacher / temperature, dim=1)
    soft_student = F.log_softmax(student / temperature, dim=1)
    kl = F.kl_div(soft_student, soft_teacher, log_target=True, reduction="batchmean")
    return kl * temperature**2


def train_epoch(
    model: nn.Module,
    ema: AveragedModel | None,
    images: torch.Tensor,
    labels: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None,
    recipe: Recipe,
    log_prior: torch.Tensor,
    gen: torch.Generator,
    bf16: bool,
    desc: str,
    teacher: nn.Module | None = None,
) -> dict[str, float]:
    """One pass over the training glyphs; returns mean loss and accuracy.

    With a ``teacher`` the loss mixes the labels with the teacher's soft targets
    on the same augmented glyphs (weight ``recipe.distill``).
    """
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    index_batches = list(epoch_order(labels, recipe.class_cap, gen).split(recipe.batch_size))
    progress = tqdm(index_batches, desc=desc, leave=False, file=sys.stderr, mininterval=2.0)
    for idx in progress:
        x = model_input(images[idx], gen if recipe.augment else None)
        y = labels[idx]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x)
        logits = logits.float() + recipe.logit_adjust * log_prior
        loss = F.cross_entropy(logits, y, label_smoothing=recipe.label_smoothing)
        if teacher is not None:
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                target = teacher(x)
            target = target.float() + recipe.logit_adjust * log_prior
            soft = distillation_loss(logits, target, recipe.distill_temperature)
            loss = (1.0 - recipe.distill) * loss + recipe.distill * soft
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        if ema is not None:
            ema.update_parameters(model)
        total_loss += loss.item() * len(y)
        correct += int((logits.argmax(1) == y).sum())
        seen += len(y)
        progress.set_postfix(loss=f"{total_loss / seen:.3f}", acc=f"{correct / seen:.3f}", refresh=False)
    return {"train_loss": total_loss / seen, "train_acc": correct / seen}


@torch.no_grad()
def evaluate_logits(
    model: nn.Module, images: np.ndarray | torch.Tensor, bf16: bool, batch_size: int = 1024
) -> torch.Tensor:
    """Logits (N, C) in float32 for uint8 glyphs (N, 28, 28)."""
    model.eval()
    tensor = torch.as_tensor(images)
    outputs = []
    for idx in batches(len(tensor), batch_size, None):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            outputs.append(model(model_input(tensor[idx], None)).float())
    return torch.cat(outputs) if outputs else torch.empty(0)


def classification_metrics(logits: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """Loss, accuracy, top-3 accuracy and balanced (mean per-class) accuracy."""
    labels = labels.long()
    pred = logits.argmax(1)
    per_class = [
        float((pred[labels == c] == c).float().mean()) for c in labels.unique().tolist()
    ]
    top3 = logits.topk(min(3, logits.shape[1]), dim=1).indices
    return {
        "loss": float(F.cross_entropy(logits, labels)),
        "accuracy": float((pred == labels).float().mean()),
        "top3_accuracy": float((top3 == labels[:, None]).any(1).float().mean()),
        "balanced_accuracy": float(np.mean(per_class)),
    }


def make_optimizer(model: nn.Module, recipe: Recipe, steps: int) -> tuple[torch.optim.Optimizer, Any]:
    """Optimiser and per-step LR scheduler for a recipe."""
    if recipe.optimizer == "adam":
        optimizer: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    else:
        decay = [p for p in model.parameters() if p.ndim > 1]
        no_decay = [p for p in model.parameters() if p.ndim <= 1]
        optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": recipe.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=recipe.lr,
        )
    scheduler = None
    if recipe.schedule == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=recipe.lr, total_steps=steps, pct_start=0.15, div_factor=20, final_div_factor=500
        )
    return optimizer, scheduler


def concat(a: GlyphSet, b: GlyphSet) -> GlyphSet:
    """Both sets in one."""
    return GlyphSet(np.concatenate([a.images, b.images]), np.concatenate([a.labels, b.labels]))


def printed_glyphs(out: Path, per_char: int, seed: int) -> GlyphSet:
    """Printed glyphs of the training fonts plus hand-drawn punctuation, cached in ``out``."""
    from recognizer.handdrawn import render_handdrawn
    from recognizer.printed import render_glyphs, split_fonts

    cache = out / f"printed-{per_char}-{seed}.npz"
    if cache.exists():
        data = np.load(cache)
        return GlyphSet(data["images"], data["labels"])
    train_fonts, _ = split_fonts()
    images, labels = render_glyphs(train_fonts, per_char, seed)
    drawn, drawn_labels = render_handdrawn(per_char, seed + 1)
    images, labels = np.concatenate([images, drawn]), np.concatenate([labels, drawn_labels])
    np.savez_compressed(cache, images=images, labels=labels)
    return GlyphSet(images, labels)


def adjustment_prior(counts: np.ndarray, num_emnist: int) -> torch.Tensor:
    """Log class prior used for logit adjustment.

    The EMNIST classes get their training frequency, so the model's raw logits
    treat them as equally likely (the balanced test sets). Extra classes
    (punctuation) are treated as if they were as frequent as an average EMNIST
    class, so at inference they keep their lower training frequency instead of
    being favoured like a rare EMNIST class would be.
    """
    prior = counts.astype(np.float64) / counts.sum()
    adjusted = prior.copy()
    adjusted[num_emnist:] = prior[:num_emnist].mean()
    return torch.log(torch.from_numpy(adjusted)).float()


def initialise_from(model: nn.Module, config: Path) -> None:
    """Copy every matching tensor of an exported model; output rows of classes it lacks stay fresh."""
    source, _ = load_model(config)
    target = model.state_dict()
    for name, tensor in source.state_dict().items():
        if name not in target:
            continue
        if target[name].shape == tensor.shape:
            target[name] = tensor
        elif tensor.ndim >= 1 and target[name].shape[1:] == tensor.shape[1:]:
            target[name][: tensor.shape[0]] = tensor
    model.load_state_dict(target)


def load_teacher(config: Path, classes: tuple[str, ...]) -> nn.Module:
    """An exported model to distil from; its classes must be the student's, in the same order."""
    teacher, teacher_config = load_model(config)
    if list(teacher_config["classes"]) != list(classes):
        raise SystemExit(f"--teacher: {config} has other classes than the model being trained")
    for parameter in teacher.parameters():
        parameter.requires_grad_(False)
    return teacher.to(memory_format=torch.channels_last).eval()


def _describe_init(config: Path) -> dict[str, Any]:
    """Name, version, weights' sha256 and training summary of the model a run started from (or learnt from)."""
    source = json.loads(Path(config).read_text(encoding="utf-8"))
    return {key: source.get(key) for key in ("name", "version", "sha256", "training")}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="glyph-resnet", choices=sorted(RECIPES))
    parser.add_argument("--epochs", type=int, help="default: the model's recipe")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for checkpoints and the exported model")
    parser.add_argument("--data", type=Path,
                        help="EMNIST folder (default: $GLYPHIC_EMNIST_DIR or ../shared/data/emnist)")
    parser.add_argument("--val-fraction", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-bf16", action="store_true",
                        help="train in float32 (default: bf16 only where the CPU has it and a timing shows it pays)")
    parser.add_argument("--resume", type=Path, help="checkpoint to continue from")
    parser.add_argument("--dry-run", action="store_true", help="tiny smoke run: 512 glyphs, 1 epoch")
    parser.add_argument("--version", default="1", help="model version written to the config")
    parser.add_argument("--lr", type=float, help="peak learning rate (default: the model's recipe)")
    parser.add_argument("--export-only", action="store_true",
                        help="train no further: choose, correct and export the final weights of the run in --out")
    parser.add_argument("--printed", type=int, default=0, metavar="N",
                        help="add N rendered printed glyphs and N hand-drawn marks per character, "
                             "and the punctuation classes")
    parser.add_argument("--class-cap", type=int, metavar="N",
                        help="at most N glyphs of a class per epoch, drawn afresh each epoch "
                             "(default: the model's recipe; 0: all)")
    parser.add_argument("--width", type=int,
                        help="channels of the glyph ResNet's first stage (default: the recipe's; fewer is faster)")
    parser.add_argument("--init", type=Path, metavar="CONFIG",
                        help="start from an exported model (new classes get fresh output rows)")
    parser.add_argument("--teacher", type=Path, metavar="CONFIG",
                        help="distil from an exported model with the same classes (soft targets on the same "
                             "augmented glyphs)")
    parser.add_argument("--distill", type=float, default=0.5, metavar="W",
                        help="with --teacher: weight of the teacher's soft targets in the loss (default 0.5)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train, calibrate and export; returns the final metrics."""
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    recipe = RECIPES[args.model]
    if args.epochs is not None:
        recipe = Recipe(**{**asdict(recipe), "epochs": args.epochs})
    if args.lr is not None:
        recipe = Recipe(**{**asdict(recipe), "lr": args.lr})
    if args.class_cap is not None:
        recipe = Recipe(**{**asdict(recipe), "class_cap": args.class_cap})
    if args.dry_run:
        recipe = Recipe(**{**asdict(recipe), "epochs": 1})
    if args.width is not None:
        if "width" not in recipe.model_kwargs:
            raise SystemExit(f"--width: the {args.model} model has no width to set")
        recipe = Recipe(**{**asdict(recipe), "model_kwargs": {**recipe.model_kwargs, "width": args.width}})
    if args.teacher is not None:
        recipe = Recipe(**{**asdict(recipe), "distill": args.distill})
    gen = seed_everything(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    full = load_split("train", args.data)
    train_idx, val_idx = stratified_split(full.labels, args.val_fraction, args.seed)
    if args.dry_run:
        train_idx, val_idx = train_idx[:512], val_idx[:256]
    train_set, val = full.subset(train_idx), full.subset(val_idx)
    handwritten_val = val  # the prior shift is tuned on these only (printed glyphs barely depend on it)
    classes = EMNIST_CLASSES
    if args.printed:
        from recognizer.printed import EXTENDED_CLASSES

        printed = printed_glyphs(args.out, 20 if args.dry_run else args.printed, args.seed)
        p_train, p_val = stratified_split(printed.labels, args.val_fraction, args.seed)
        train_set = concat(train_set, printed.subset(p_train))
        val = concat(val, printed.subset(p_val))
        classes = EXTENDED_CLASSES
    train_x = torch.from_numpy(train_set.images)
    train_y = torch.from_numpy(train_set.labels).long()
    num_classes = len(classes)
    counts = class_counts(train_set.labels, num_classes).astype(np.float64)
    if recipe.class_cap > 0:
        counts = np.minimum(counts, recipe.class_cap)  # the prior the model sees in an epoch
    counts += 1.0
    log_prior = adjustment_prior(counts, len(EMNIST_CLASSES))

    model = build_model(args.model, num_classes, **recipe.model_kwargs).to(memory_format=torch.channels_last)
    if args.init:
        initialise_from(model, args.init)
    teacher = load_teacher(args.teacher, classes) if args.teacher else None
    per_epoch = int(counts.sum() - num_classes)
    steps = recipe.epochs * math.ceil(per_epoch / recipe.batch_size)
    optimizer, scheduler = make_optimizer(model, recipe, steps)
    ema = None
    if recipe.ema_decay:
        ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(recipe.ema_decay), use_buffers=True)
    start_epoch, history, best = 1, [], {"val_balanced_accuracy": -1.0}
    if args.resume:
        ckpt = torch.load(args.resume, map_location="cpu", weights_only=False)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        if scheduler is not None and ckpt.get("scheduler"):
            scheduler.load_state_dict(ckpt["scheduler"])
        if ema is not None and ckpt.get("ema"):
            ema.load_state_dict(ckpt["ema"])
        gen.set_state(ckpt["generator"])
        start_epoch, history, best = ckpt["epoch"] + 1, ckpt["history"], ckpt["best"]

    bf16 = not args.no_bf16 and bf16_pays(model, model_input(train_x[: recipe.batch_size], None))
    print(f"{args.model}: {count_parameters(model):,} parameters, {len(train_y):,} train glyphs "
          f"({per_epoch:,} per epoch) / "
          f"{len(val):,} validation glyphs, "
          f"{recipe.epochs} epochs, bf16={bf16}", file=sys.stderr)
    for epoch in range(start_epoch, 0 if args.export_only else recipe.epochs + 1):
        t0 = time.time()
        stats = train_epoch(model, ema, train_x, train_y, optimizer, scheduler, recipe, log_prior, gen, bf16,
                            desc=f"epoch {epoch}/{recipe.epochs}", teacher=teacher)
        scored = ema.module if ema is not None else model
        val_metrics = classification_metrics(evaluate_logits(scored, val.images, bf16), torch.from_numpy(val.labels))
        record = {"epoch": epoch, "seconds": round(time.time() - t0, 1), **stats,
                  **{f"val_{k}": v for k, v in val_metrics.items()}}
        history.append(record)
        print(json.dumps(record), file=sys.stderr)
        ckpt = {"model": model.state_dict(), "ema": ema.state_dict() if ema else None,
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict() if scheduler else None,
                "generator": gen.get_state(), "epoch": epoch, "history": history, "best": best,
                "recipe": asdict(recipe), "model_name": args.model}
        if record["val_balanced_accuracy"] > best["val_balanced_accuracy"]:
            best = dict(record)
            ckpt["best"] = best
            torch.save({"weights": scored.state_dict(), "epoch": epoch, "metrics": record}, args.out / "best.pt")
        torch.save(ckpt, args.out / "last.pt")

    choice = choose_final(
        {"best epoch": args.out / "best.pt", "last epoch": args.out / "last.pt"},
        lambda: build_model(args.model, num_classes, **recipe.model_kwargs),
        lambda m: evaluate_logits(m, handwritten_val.images, bf16), torch.from_numpy(handwritten_val.labels).long(),
        log_prior, len(EMNIST_CLASSES))
    final = choice.model
    val_logits = evaluate_logits(final, val.images, bf16)
    val_labels = torch.from_numpy(val.labels).long()
    temperature = fit_temperature(val_logits, val_labels)
    probs = F.softmax(val_logits / temperature, dim=1)
    ece = expected_calibration_error(probs, val_labels)
    history = torch.load(args.out / "last.pt", map_location="cpu", weights_only=False)["history"]
    best_record = max(history, key=lambda r: r["val_balanced_accuracy"])
    summary = {
        "final_weights": choice.source, "prior_shift": choice.prior_shift,
        "val_handwritten_balanced_accuracy": choice.val_balanced_accuracy, "candidates": choice.candidates,
        "best_epoch": best_record["epoch"], "temperature": temperature, "val_ece": ece,
        "train_minutes": round(sum(r["seconds"] for r in history) / 60, 1), "last_epoch": history[-1],
    }
    export_model(
        final, args.out, name=args.model, version=args.version, classes=classes,
        model_kwargs=recipe.model_kwargs, temperature=temperature,
        training={"data": f"EMNIST splits/train (validation carved out, seed {args.seed})"
                  + (f" + {args.printed} rendered printed glyphs and hand-drawn punctuation marks per character"
                     if args.printed else ""),
                  "recipe": asdict(recipe), "summary": summary,
                  **({"initialised_from": _describe_init(args.init)} if args.init else {}),
                  **({"distilled_from": _describe_init(args.teacher)} if args.teacher else {})},
    )
    print(json.dumps(summary), file=sys.stderr)
    return summary


if __name__ == "__main__":
    main()
