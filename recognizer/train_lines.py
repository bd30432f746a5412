"""Fine-tune the line model with CTC on synthetic lines (needs the ``train`` extra).

Continues from a line model config (default: the shipped ``resources/models/lines.json``), trains
on :class:`recognizer.synthetic_lines.LineGenerator` lines (EMNIST **train** glyphs and fonts; the
real pages are never seen), and keeps everything in a run folder under ``runs/``::

    python -m recognizer.train_lines --run runs/lines-ft1 --minutes 60      # start, or resume
    python -m recognizer.train_lines --run runs/lines-ft1 --dry-run         # a tiny smoke run
    python -m recognizer.train_lines export runs/lines-ft1 OUT_DIR          # ONNX + lines.json

The run folder holds ``args.json``, ``checkpoint.pt`` (model, optimiser, step, metrics; written
atomically every ``--checkpoint-minutes``), ``weights-<step>.pt`` (the model at each validation),
``log.jsonl`` (training steps) and ``validation.jsonl`` (CER on a fixed synthetic validation set,
overall and per kind of line). Running the same command again resumes: the data stream is indexed
by step, so a resumed run sees exactly the lines it would have seen.

Batches hold lines of similar widths (a chunk of ``8 x batch`` lines sorted by width); bf16
autocast is used only where :func:`recognizer.torch_precision.bf16_pays` says so.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rapidfuzz.distance import Levenshtein
from torch import nn

from recognizer.line_predictor import default_line_model_path, normalise_line
from recognizer.line_torch import LineModule, export_line_model, load_line_module
from recognizer.modelfile import write_atomic
from recognizer.synthetic_lines import DEFAULT_MIX, LineGenerator, LineSample
from recognizer.torch_precision import bf16_pays

CHUNK_BATCHES = 8
#: Widest normalised training line (pixels); wider lines are squeezed to it.
MAX_TRAIN_WIDTH = 800
VALIDATION_SEED = 999_983


def make_generator(seed: int, classes: list[str], emnist: bool, mix: dict[str, float] | None = None,
                   data: str | None = None) -> LineGenerator:
    """A line generator over the model's character set, with EMNIST train glyphs when ``emnist``."""
    glyphs = None
    if emnist:
        from recognizer.data import load_split

        train = load_split("train", data)
        glyphs = (train.images, train.labels)
    return LineGenerator(seed, mix=mix, emnist=glyphs, charset="".join(classes[1:]))


def encode(text: str, index: dict[str, int]) -> list[int]:
    """Class indices of ``text`` (characters outside the charset left out)."""
    return [index[c] for c in text if c in index]


def batch_tensor(images: list[np.ndarray], stride: int, pad: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 3, H, W) padded batch of normalised (H, w) images and the number of valid frames of each."""
    width = max(i.shape[1] for i in images)
    width = -(-width // stride) * stride
    x = np.full((len(images), 3, images[0].shape[0], width), pad, np.float32)
    for row, image in enumerate(images):
        x[row, :, :, : image.shape[1]] = image
    frames = torch.tensor([max(1, i.shape[1] // stride) for i in images], dtype=torch.long)
    return torch.from_numpy(x), frames


def normalised(sample: LineSample, model: LineModule) -> np.ndarray:
    image = normalise_line(sample.image, model.height, model.stride, 0.5, 0.5)
    if image.shape[1] > MAX_TRAIN_WIDTH:
        import cv2

        image = cv2.resize(image, (MAX_TRAIN_WIDTH, model.height), interpolation=cv2.INTER_AREA)
    return image


class ChunkedStream:
    """Training batches by step: step ``s`` is batch ``s % 8`` (in a shuffled order) of chunk ``s // 8``,
    a chunk being ``8 x batch`` generated lines sorted by width."""

    def __init__(self, generator: LineGenerator, model: LineModule, batch: int) -> None:
        self.generator, self.model, self.batch = generator, model, batch
        self._chunk: tuple[int, list[list[tuple[np.ndarray, str]]]] | None = None

    def batch_at(self, step: int) -> list[tuple[np.ndarray, str]]:
        number = step // CHUNK_BATCHES
        if self._chunk is None or self._chunk[0] != number:
            size = CHUNK_BATCHES * self.batch
            samples = [self.generator.sample(number * size + i) for i in range(size)]
            items = sorted(((normalised(s, self.model), s.text) for s in samples), key=lambda it: it[0].shape[1])
            batches = [items[i : i + self.batch] for i in range(0, size, self.batch)]
            order = np.random.default_rng([self.generator.seed, number, 7]).permutation(len(batches))
            self._chunk = (number, [batches[i] for i in order])
        return self._chunk[1][step % CHUNK_BATCHES]


def ctc_loss(model: LineModule, batch: list[tuple[np.ndarray, str]], index: dict[str, int],
             criterion: nn.CTCLoss, bf16: bool = False) -> torch.Tensor:
    """Mean CTC loss of a batch of (normalised image, text)."""
    x, frames = batch_tensor([image for image, _ in batch], model.stride)
    targets = [encode(text, index) for _, text in batch]
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        logits = model(x)
    log_probs = torch.log_softmax(logits.float(), dim=-1).transpose(0, 1)  # (T, N, C)
    flat = torch.tensor([c for t in targets for c in t], dtype=torch.long)
    lengths = torch.tensor([len(t) for t in targets], dtype=torch.long)
    return criterion(log_probs, flat, frames.clamp(max=log_probs.shape[0]), lengths)


def greedy_texts(model: LineModule, images: list[np.ndarray]) -> list[str]:
    """Best-path readings of normalised images (one forward pass for all of them)."""
    x, frames = batch_tensor(images, model.stride)
    with torch.no_grad():
        best = model(x).argmax(-1).numpy()
    texts = []
    for row, n in zip(best, frames.tolist(), strict=True):
        chars, previous = [], 0
        for c in row[:n]:
            if c != 0 and c != previous:
                chars.append(model.classes[c])
            previous = c
        texts.append("".join(chars))
    return texts


def evaluate(model: LineModule, samples: list[LineSample], batch: int = 32) -> dict[str, float]:
    """Character error rate of greedy decoding, overall and per kind of line."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(samples)), key=lambda i: samples[i].image.shape[1] / samples[i].image.shape[0])
    errors: dict[str, list[int]] = {}
    try:
        for start in range(0, len(order), batch):
            part = [samples[i] for i in order[start : start + batch]]
            readings = greedy_texts(model, [normalised(s, model) for s in part])
            for sample, reading in zip(part, readings, strict=True):
                for key in ("all", sample.kind):
                    tally = errors.setdefault(key, [0, 0])
                    tally[0] += Levenshtein.distance(sample.text, reading)
                    tally[1] += len(sample.text)
    finally:
        model.train(was_training)
    return {f"cer_{k}": e / max(1, n) for k, (e, n) in sorted(errors.items())}


def _save(path: Path, payload: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    write_atomic(path, buffer.getvalue())


def _append(path: Path, record: dict[str, Any]) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


def set_frozen(model: LineModule, fraction: float) -> None:
    """Freeze the parameters of the first ``fraction`` of the graph (0 unfreezes all)."""
    for param in model.parameters():
        param.requires_grad_(True)
    if fraction > 0:
        for param in model.stem_parameters(fraction):
            param.requires_grad_(False)


def pretrained_weights(model: LineModule) -> dict[str, torch.Tensor]:
    """A copy of the starting model's parameters, the anchor of :func:`anchor_penalty`."""
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def anchor_penalty(model: LineModule, anchor: dict[str, torch.Tensor]) -> torch.Tensor:
    """L2-SP: the squared distance of the trainable weights from the pre-trained ones (summed), which keeps
    fine-tuning from forgetting what the pre-trained model reads and the synthetic lines do not show."""
    terms = [((p - anchor[name]) ** 2).sum() for name, p in model.named_parameters() if p.requires_grad]
    return torch.stack(terms).sum() if terms else torch.zeros(())


def train(args: argparse.Namespace) -> dict[str, Any]:
    """Train (or resume) the run in ``args.run``; return the last validation metrics."""
    torch.set_num_threads(args.threads)
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    checkpoint_path = run / "checkpoint.pt"
    resumed = checkpoint_path.exists()
    if resumed:
        saved = json.loads((run / "args.json").read_text())
        for key in ("config", "seed", "batch", "emnist", "mix", "val_lines", "anchor"):
            setattr(args, key, saved.get(key, getattr(args, key)))
    else:
        (run / "args.json").write_text(json.dumps(vars(args), indent=2, default=str) + "\n")
    model, _ = load_line_module(args.config)
    index = {c: i for i, c in enumerate(model.classes) if i != 0}
    mix = json.loads(args.mix) if isinstance(args.mix, str) else args.mix
    stream = ChunkedStream(make_generator(args.seed, model.classes, args.emnist, mix, args.data), model, args.batch)
    validation_generator = make_generator(VALIDATION_SEED, model.classes, args.emnist, mix, args.data)
    validation = [validation_generator.sample(i) for i in range(args.val_lines)]
    anchor = pretrained_weights(model) if getattr(args, "anchor", 0.0) > 0 else None  # before a resume
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    step, metrics = 0, {}
    if resumed:
        state = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, metrics = int(state["step"]), dict(state["metrics"])
        print(f"resumed {run} at step {step}", flush=True)
    criterion = nn.CTCLoss(blank=0, zero_infinity=True)
    model.train()
    bf16 = bool(args.bf16_check) and bf16_pays(model, batch_tensor([i for i, _ in stream.batch_at(step)],
                                                                   model.stride)[0])
    print(f"bf16 autocast: {'yes' if bf16 else 'no'}", flush=True)
    if step == 0:
        metrics = {"step": 0, **evaluate(model, validation)}
        _append(run / "validation.jsonl", {**metrics, "time": time.time()})
        print(json.dumps(metrics), flush=True)
    started = last_save = time.time()
    lines_done, window_loss, window_n, window_start = 0, 0.0, 0, time.time()
    deadline = started + args.minutes * 60 if args.minutes else math.inf
    end_step = args.steps if args.steps else sys.maxsize

    def save() -> None:
        _save(checkpoint_path, {"model": model.state_dict(), "optimiser": optimiser.state_dict(), "step": step,
                                "metrics": metrics, "base_config": str(args.config)})

    while step < end_step and time.time() < deadline:
        set_frozen(model, args.freeze if step < args.unfreeze_after else 0.0)
        warm = min(1.0, (step + 1) / args.warmup)
        for group in optimiser.param_groups:
            group["lr"] = args.lr * warm
        batch = stream.batch_at(step)
        loss = ctc_loss(model, batch, index, criterion, bf16)
        if anchor is not None:
            loss = loss + args.anchor * anchor_penalty(model, anchor)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimiser.step()
        step += 1
        lines_done += len(batch)
        window_loss, window_n = window_loss + loss.item(), window_n + 1
        if step % args.log_every == 0:
            elapsed = time.time() - window_start
            record = {"step": step, "loss": window_loss / window_n, "lines_per_s": window_n * args.batch / elapsed,
                      "lr": args.lr * warm, "time": time.time()}
            _append(run / "log.jsonl", record)
            print(json.dumps(record), flush=True)
            window_loss, window_n, window_start = 0.0, 0, time.time()
        if step % args.val_every == 0:
            metrics = {"step": step, **evaluate(model, validation)}
            _append(run / "validation.jsonl", {**metrics, "time": time.time()})
            print(json.dumps(metrics), flush=True)
            buffer = io.BytesIO()
            torch.save(model.state_dict(), buffer)
            write_atomic(run / f"weights-{step:06d}.pt", buffer.getvalue())
        if time.time() - last_save > args.checkpoint_minutes * 60:
            save()
            last_save = time.time()
    save()
    return metrics


def export_run(run: Path, out_dir: Path, weights: Path | None = None, stem: str = "lines") -> Path:
    """Export a run's model (its last checkpoint, or ``weights``) as ONNX with a config beside it."""
    args = json.loads((run / "args.json").read_text())
    model, base_config = load_line_module(args["config"])
    if weights is not None:
        state = torch.load(weights, map_location="cpu", weights_only=True)
        step = int(weights.stem.split("-")[-1])
        metrics: dict[str, Any] = {}
        for line in (run / "validation.jsonl").read_text().splitlines():
            record = json.loads(line)
            if record["step"] == step:
                metrics = record
    else:
        checkpoint = torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=True)
        state, step, metrics = checkpoint["model"], int(checkpoint["step"]), dict(checkpoint["metrics"])
    model.load_state_dict(state)
    previous = base_config.get("training", {})
    training = {
        "fine_tuned": True,
        "from": {"name": base_config.get("name"), "version": base_config.get("version"),
                 "sha256": base_config["onnx"]["fp32"]["sha256"], "training": previous},
        "method": "CTC fine-tuning (recognizer/train_lines.py), AdamW",
        "data": "synthetic lines (recognizer/synthetic_lines.py): EMNIST train glyphs, Debian and @fontsource faces, "
                "wordfreq words and Faker texts; no real pages",
        "steps": step, "batch": args["batch"], "lines_seen": step * int(args["batch"]), "seed": args["seed"],
        "mix": args["mix"], "lr": args["lr"], "anchor": args.get("anchor", 0.0), "run": run.name,
        "synthetic_validation": {k: v for k, v in metrics.items() if k.startswith("cer")},
    }
    version = f"{base_config.get('version', '1')}+ft{step}"
    config = dict(base_config)
    note = " Fine-tuned by Glyphic on synthetic lines (see training)."
    if note not in str(config.get("licence", "")):
        config["licence"] = str(config.get("licence", "")) + note
    return export_line_model(model, config, out_dir, stem, training, version)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=Path("runs/lines-ft"))
    parser.add_argument("--config", default=str(default_line_model_path()), help="line model to start from")
    parser.add_argument("--data", default=None, help="EMNIST folder (default: the shared one)")
    parser.add_argument("--no-emnist", dest="emnist", action="store_false", help="fonts only")
    parser.add_argument("--mix", default=json.dumps(DEFAULT_MIX), help="JSON share of each kind of line")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--warmup", type=int, default=100, help="steps of linear warm-up")
    parser.add_argument("--clip", type=float, default=5.0)
    parser.add_argument("--anchor", type=float, default=0.0,
                        help="L2-SP weight: pull the weights towards the pre-trained ones (0: off)")
    parser.add_argument("--freeze", type=float, default=0.3, help="share of the graph frozen at first")
    parser.add_argument("--unfreeze-after", type=int, default=1500, help="step from which all layers train")
    parser.add_argument("--steps", type=int, default=0, help="stop at this step (0: no limit)")
    parser.add_argument("--minutes", type=float, default=0, help="stop after this many minutes (0: no limit)")
    parser.add_argument("--val-lines", type=int, default=400)
    parser.add_argument("--val-every", type=int, default=250)
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--checkpoint-minutes", type=float, default=4.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-bf16-check", dest="bf16_check", action="store_false")
    parser.add_argument("--dry-run", action="store_true", help="a few steps on tiny batches")
    args = parser.parse_args(argv)
    if args.dry_run:
        args.steps, args.batch, args.val_lines, args.val_every, args.log_every = 4, 4, 8, 2, 1
    return args


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["export"]:
        parser = argparse.ArgumentParser(description="export a run's model as ONNX + lines.json")
        parser.add_argument("run", type=Path)
        parser.add_argument("out", type=Path)
        parser.add_argument("--weights", type=Path, default=None, help="a weights-<step>.pt of the run")
        parser.add_argument("--stem", default="lines")
        ns = parser.parse_args(argv[1:])
        print(export_run(ns.run, ns.out, ns.weights, ns.stem))
        return
    metrics = train(parse_args(argv))
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
