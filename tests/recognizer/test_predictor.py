import json
import shutil

import numpy as np
import pytest

from recognizer import ModelFileError, Predictor
from recognizer.predictor import default_model_path
from recognizer.printed import EXTENDED_CLASSES


def fixed_sample(data, per_class=10):
    """The first ``per_class`` eval glyphs of every class (470 for 47 classes)."""
    index = np.concatenate([np.flatnonzero(data.labels == c)[:per_class] for c in range(47)])
    return data.images[index], data.labels[index]


def test_shipped_model_reads_eval_sample(shipped_predictor, emnist_eval):
    images, labels = fixed_sample(emnist_eval)
    assert len(images) == 470
    pred = shipped_predictor.predict(images, k=5)
    assert pred.indices.shape == (470, 5) and pred.probabilities.shape == (470, 5)
    assert np.all(np.diff(pred.probabilities, axis=1) <= 1e-9)  # best first
    accuracy = float((pred.indices[:, 0] == labels).mean())
    assert accuracy >= 0.85, accuracy
    top5 = float((pred.indices == labels[:, None]).any(1).mean())
    assert top5 >= 0.97


def test_classes_and_probabilities(shipped_predictor):
    assert shipped_predictor.classes[:10] == tuple("0123456789")
    # the 47 EMNIST Balanced classes first, then the punctuation classes of printed text
    assert shipped_predictor.classes == EXTENDED_CLASSES
    probs = shipped_predictor.probabilities(np.zeros((3, 28, 28), np.uint8))
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-6)


def test_predict_checks_input(shipped_predictor):
    with pytest.raises(ValueError, match="shape"):
        shipped_predictor.predict(np.zeros((2, 32, 32), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        shipped_predictor.predict(np.zeros((2, 28, 28), np.float32))
    assert shipped_predictor.predict(np.zeros((0, 28, 28), np.uint8)).indices.shape == (0, 5)


def test_batching_gives_same_answers(shipped_predictor):
    rng = np.random.default_rng(0)
    images = (rng.random((50, 28, 28)) > 0.8).astype(np.uint8) * 255
    whole = shipped_predictor.probabilities(images)
    small = Predictor(shipped_predictor.model, shipped_predictor.config, batch_size=7).probabilities(images)
    np.testing.assert_allclose(whole, small, atol=2e-2)


@pytest.fixture
def model_copy(tmp_path):
    config = default_model_path()
    shutil.copy(config, tmp_path / config.name)
    weights = json.loads(config.read_text())["weights"]
    shutil.copy(config.parent / weights, tmp_path / weights)
    return tmp_path / config.name, tmp_path / weights


def test_missing_weights_named(model_copy):
    config, weights = model_copy
    weights.unlink()
    with pytest.raises(ModelFileError, match=weights.name):
        Predictor.load(config)


def test_truncated_weights_detected(model_copy):
    config, weights = model_copy
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ModelFileError, match="damaged"):
        Predictor.load(config)


def test_weights_not_matching_architecture(model_copy):
    config, _weights = model_copy
    data = json.loads(config.read_text())
    data["architecture"] = "glyph-resnet" if data["architecture"] != "glyph-resnet" else "seed-cnn"
    data.pop("model_kwargs", None)
    data.pop("sha256")
    config.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="do not fit"):
        Predictor.load(config)


def test_bad_config(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        Predictor.load(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        Predictor.load(tmp_path / "bad.json")


def test_fused_inference_model_matches_the_trained_one(shipped_predictor, emnist_eval):
    import torch

    from recognizer.predictor import fuse_batch_norm

    images = emnist_eval.images[:200]
    fused = fuse_batch_norm(shipped_predictor.model)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in fused.modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in shipped_predictor.model.modules())  # left untouched
    x = torch.from_numpy(images).float().div(255).unsqueeze(1)
    with torch.no_grad():
        torch.testing.assert_close(fused(x), shipped_predictor.model(x), rtol=1e-3, atol=1e-3)


def test_bfloat16_weights_give_the_logits_of_bf16_autocast(shipped_predictor, emnist_eval):
    import torch

    from recognizer.predictor import fuse_batch_norm
    from recognizer.preprocess import standardize, unit_tensor

    images = emnist_eval.images[:256]
    x = standardize(unit_tensor(images), shipped_predictor.mean, shipped_predictor.std)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        autocast = fuse_batch_norm(shipped_predictor.model)(x).float().numpy()
    torch.testing.assert_close(shipped_predictor.logits(images), autocast, rtol=0.02, atol=0.05)
