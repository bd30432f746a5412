"""Final-weight choice: prior shift tuned on validation and folded into the classifier bias."""

from __future__ import annotations

from pathlib import Path

import torch

from recognizer.finalize import apply_prior_shift, checkpoint_weights, choose_final, tune_prior_shift
from recognizer.models import build_model


def _biased_logits(n: int = 2000) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Two look-alike classes; the scores favour the rare class 1 by its log prior."""
    gen = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 2, (n,), generator=gen)
    log_prior = torch.log(torch.tensor([0.8, 0.2, 0.5]))  # class 2 is an extra (punctuation) class
    evidence = (labels.float() * 2 - 1) + torch.randn(n, generator=gen)  # > 0 means class 1
    logits = torch.stack([-evidence / 2, evidence / 2, torch.full((n,), -9.0)], dim=1)
    logits[:, :2] -= 0.6 * (log_prior[:2] - log_prior[:2].mean())  # over-corrected towards the rare class
    return logits, labels, log_prior


def test_tuned_shift_undoes_an_over_correction() -> None:
    logits, labels, log_prior = _biased_logits()
    beta, score = tune_prior_shift(logits, labels, log_prior, num_emnist=2)
    assert 0.3 <= beta <= 0.9
    unshifted = float(((logits.argmax(1) == labels).float()).mean())
    assert score > unshifted + 0.02


def test_shift_is_folded_into_the_output_bias() -> None:
    model = build_model("seed-cnn", 5).eval()
    x = torch.randn(4, 1, 28, 28)
    log_prior = torch.log(torch.tensor([0.4, 0.3, 0.2, 0.05, 0.05]))
    before = model(x)
    apply_prior_shift(model, -0.5, log_prior, num_emnist=3)
    after = model(x)
    centred = log_prior[:3] - log_prior[:3].mean()
    torch.testing.assert_close(after[:, :3] - before[:, :3], (-0.5 * centred).expand(4, 3), rtol=0, atol=1e-5)
    torch.testing.assert_close(after[:, 3:], before[:, 3:])


def test_choose_final_keeps_the_better_checkpoint(tmp_path: Path) -> None:
    good = build_model("seed-cnn", 3)
    bad = build_model("seed-cnn", 3)
    torch.save({"weights": good.state_dict(), "epoch": 3}, tmp_path / "best.pt")
    ema = {"module." + k: v for k, v in bad.state_dict().items()} | {"n_averaged": torch.tensor(5)}
    torch.save({"ema": ema, "model": bad.state_dict()}, tmp_path / "last.pt")
    assert checkpoint_weights(tmp_path / "last.pt").keys() == bad.state_dict().keys()
    labels = torch.arange(3).repeat(10)
    right = torch.nn.functional.one_hot(labels, 3).float() * 5

    def logits_of(model: torch.nn.Module) -> torch.Tensor:
        pairs = zip(model.state_dict().values(), good.state_dict().values(), strict=True)
        same = all(torch.equal(a, b) for a, b in pairs)
        return right if same else right.roll(1, dims=1)

    choice = choose_final({"best": tmp_path / "best.pt", "last": tmp_path / "last.pt", "gone": tmp_path / "x.pt"},
                          lambda: build_model("seed-cnn", 3), logits_of, labels, torch.zeros(3), num_emnist=3)
    assert choice.source == "best" and choice.val_balanced_accuracy == 1.0
    assert set(choice.candidates) == {"best", "last"}
