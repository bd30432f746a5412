import json

import pytest
import torch

from recognizer import train
from recognizer.calibration import expected_calibration_error, fit_temperature
from recognizer.predictor import default_model_path


@pytest.mark.slow
def test_dry_run_trains_exports_and_resumes(tmp_path, emnist_eval):
    summary = train.main(["--model", "seed-cnn", "--dry-run", "--out", str(tmp_path), "--seed", "3"])
    assert summary["best_epoch"] == 1
    config = json.loads((tmp_path / "model.json").read_text())
    assert config["architecture"] == "seed-cnn" and len(config["classes"]) == 47
    assert (tmp_path / "last.pt").exists()
    ckpt = torch.load(tmp_path / "last.pt", weights_only=False)
    assert {"model", "optimizer", "epoch", "history"} <= set(ckpt)

    from recognizer import Predictor

    predictor = Predictor.load(tmp_path / "model.json")
    pred = predictor.predict(emnist_eval.images[:8], k=3)
    assert pred.indices.shape == (8, 3)


@pytest.mark.slow
def test_a_narrower_resnet_is_trained_and_exported_with_its_width(tmp_path, emnist_eval):
    train.main(["--model", "glyph-resnet", "--width", "16", "--dry-run", "--out", str(tmp_path), "--seed", "3"])
    config = json.loads((tmp_path / "model.json").read_text())
    assert config["model_kwargs"]["width"] == 16
    from recognizer import Predictor

    assert Predictor.load(tmp_path / "model.json").predict(emnist_eval.images[:4], k=1).indices.shape == (4, 1)


@pytest.mark.slow
def test_a_student_is_distilled_from_the_shipped_model(tmp_path, emnist_eval):
    teacher = default_model_path()
    train.main(["--model", "glyph-resnet", "--width", "16", "--printed", "1", "--dry-run", "--out", str(tmp_path),
                "--teacher", str(teacher), "--distill", "0.7"])
    config = json.loads((tmp_path / "model.json").read_text())
    assert config["training"]["recipe"]["distill"] == 0.7
    assert config["training"]["distilled_from"]["name"] == json.loads(teacher.read_text())["name"]


def test_a_teacher_with_other_classes_is_refused(tmp_path, emnist_eval):
    with pytest.raises(SystemExit, match="other classes"):
        train.main(["--model", "seed-cnn", "--dry-run", "--out", str(tmp_path),
                    "--teacher", str(default_model_path())])


def test_distillation_loss_is_zero_only_when_the_student_agrees():
    torch.manual_seed(0)
    teacher = torch.randn(16, 5) * 3
    assert float(train.distillation_loss(teacher, teacher, 2.0)) == pytest.approx(0.0, abs=1e-6)
    assert float(train.distillation_loss(teacher + 100.0, teacher, 2.0)) == pytest.approx(0.0, abs=1e-4)
    assert float(train.distillation_loss(torch.randn(16, 5) * 3, teacher, 2.0)) > 0.1


def test_width_is_refused_for_a_model_without_one(tmp_path):
    with pytest.raises(SystemExit, match="width"):
        train.main(["--model", "seed-cnn", "--width", "16", "--dry-run", "--out", str(tmp_path)])


def test_temperature_scaling_fixes_overconfidence():
    torch.manual_seed(0)
    logits = torch.randn(8000, 5) * 2
    labels = torch.multinomial(torch.softmax(logits, 1), 1).squeeze(1)  # calibrated by construction
    overconfident = logits * 4
    before = expected_calibration_error(torch.softmax(overconfident, 1), labels)
    t = fit_temperature(overconfident, labels)
    after = expected_calibration_error(torch.softmax(overconfident / t, 1), labels)
    assert 3.0 < t < 5.0
    assert after < before / 3


def test_class_cap_draws_at_most_cap_per_class_and_changes_each_epoch():
    labels = torch.tensor([0] * 50 + [1] * 5 + [2] * 20)
    gen = torch.Generator().manual_seed(0)
    first = train.epoch_order(labels, 10, gen)
    second = train.epoch_order(labels, 10, gen)
    for order in (first, second):
        assert torch.bincount(labels[order]).tolist() == [10, 5, 10]
        assert len(set(order.tolist())) == len(order)  # no glyph twice in one epoch
    assert set(first.tolist()) != set(second.tolist())  # a fresh draw of the large classes
    everything = train.epoch_order(labels, 0, gen)
    assert sorted(everything.tolist()) == list(range(len(labels)))
