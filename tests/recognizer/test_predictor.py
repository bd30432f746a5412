import json
import shutil

import numpy as np
import pytest

from recognizer import ModelFileError, Predictor
from recognizer.modelfile import sha256_of
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
    small = Predictor.from_resources(precision=shipped_predictor.precision, batch_size=7).probabilities(images)
    np.testing.assert_allclose(whole, small, atol=1e-4)


@pytest.fixture
def model_copy(tmp_path):
    """The shipped model's config and every file it names, copied into ``tmp_path``."""
    config = default_model_path()
    data = json.loads(config.read_text())
    names = [data["weights"]] + [entry["file"] for entry in data["onnx"].values()]
    for name in names:
        shutil.copy(config.parent / name, tmp_path / name)
    shutil.copy(config, tmp_path / config.name)
    return tmp_path / config.name, data


def test_missing_onnx_graph_named_with_its_sha256(model_copy):
    config, data = model_copy
    graph = config.parent / data["onnx"]["fp32"]["file"]
    graph.unlink()
    with pytest.raises(ModelFileError, match=graph.name):
        Predictor.load(config, precision="fp32")


@pytest.mark.parametrize("damage", ["truncate", "tamper"])
def test_damaged_onnx_graph_detected(model_copy, damage):
    config, data = model_copy
    graph = config.parent / data["onnx"]["fp32"]["file"]
    content = graph.read_bytes()
    graph.write_bytes(content[:1000] if damage == "truncate" else content[:-1] + bytes([content[-1] ^ 1]))
    with pytest.raises(ModelFileError, match=f"damaged.*expected {data['onnx']['fp32']['sha256']}"):
        Predictor.load(config, precision="fp32")


def test_unloadable_graph_is_a_model_file_error(model_copy):
    config, data = model_copy
    graph = config.parent / data["onnx"]["fp32"]["file"]
    graph.write_bytes(b"not an onnx graph")
    data["onnx"]["fp32"].pop("sha256")
    config.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="ONNX Runtime"):
        Predictor.load(config, precision="fp32")


def test_config_without_onnx_says_how_to_export(model_copy):
    config, data = model_copy
    data.pop("onnx")
    config.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match=r"recognizer\.export_onnx"):
        Predictor.load(config)


def test_bad_config(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        Predictor.load(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        Predictor.load(tmp_path / "bad.json")


def test_int8_failure_falls_back_to_fp32_with_a_notice(model_copy, caplog):
    config, data = model_copy
    int8 = config.parent / data["onnx"]["int8"]["file"]
    int8.write_bytes(b"an int8 graph this ONNX Runtime cannot run")
    data["onnx"]["int8"]["sha256"] = sha256_of(int8)  # intact as far as the config knows: it fails to run,
    config.write_text(json.dumps(data))                 # as a graph whose kernels this CPU lacks would
    with caplog.at_level("WARNING", logger="glyphic"):
        predictor = Predictor.load(config, precision="int8")
    assert predictor.precision == "fp32"
    assert len(caplog.records) == 1 and "using fp32" in caplog.records[0].getMessage()
    assert predictor.predict(np.zeros((2, 28, 28), np.uint8)).indices.shape == (2, 5)


def test_tampered_int8_graph_is_an_error(model_copy):
    config, data = model_copy
    int8 = config.parent / data["onnx"]["int8"]["file"]
    int8.write_bytes(int8.read_bytes()[:-10])
    with pytest.raises(ModelFileError, match="damaged"):
        Predictor.load(config, precision="int8")


def test_int8_agrees_with_fp32(emnist_eval):
    fp32 = Predictor.from_resources(precision="fp32")
    int8 = Predictor.from_resources(precision="int8")
    assert (fp32.precision, int8.precision) == ("fp32", "int8")
    images = emnist_eval.images[:1000]
    agree = (fp32.predict(images).indices[:, 0] == int8.predict(images).indices[:, 0]).mean()
    assert agree >= 0.97, agree


def test_precision_check_is_cached_per_cpu(tmp_path, monkeypatch):
    from recognizer import precision

    monkeypatch.setenv("GLYPHIC_CACHE_DIR", str(tmp_path))
    calls = []

    def measure(good):
        def run():
            calls.append(good)
            loss = 0.0 if good else 0.01
            return {"fp32_accuracy": 0.9, "int8_accuracy": 0.9 - loss, "fp32_seconds": 2.0, "int8_seconds": 1.0}
        return run

    assert precision.choose_int8("a" * 64, measure(True)) is True
    assert precision.choose_int8("a" * 64, measure(False)) is True  # cached: not measured again
    assert precision.choose_int8("b" * 64, measure(False)) is False  # another graph: measured
    assert calls == [True, False]
    assert not precision.int8_is_good({"fp32_accuracy": 0.9, "int8_accuracy": 0.9,
                                       "fp32_seconds": 1.0, "int8_seconds": 1.5})  # slower: no


def test_cpu_flags_are_reported():
    from recognizer.precision import REPORTED_FLAGS, cpu_flags, cpu_summary

    assert set(cpu_flags()) == set(REPORTED_FLAGS)
    assert "flags:" in cpu_summary()


def test_onnx_graph_agrees_with_the_pytorch_model(shipped_predictor, emnist_eval):
    torch = pytest.importorskip("torch", reason="the train extra is not installed")
    from recognizer.weights import load_model

    model, _ = load_model(default_model_path())
    fp32 = Predictor.from_resources(precision="fp32")
    images = emnist_eval.images[:256]
    with torch.no_grad():
        x = torch.from_numpy(images).float().div(255).unsqueeze(1)
        reference = model((x - fp32.mean) / fp32.std).numpy()
    logits = fp32.logits(images)
    assert (logits.argmax(1) == reference.argmax(1)).all()
    np.testing.assert_allclose(fp32.calibrated(logits), fp32.calibrated(reference), atol=1e-4)


def test_features_and_output_layer_give_the_logits():
    rng = np.random.default_rng(1)
    images = (rng.random((20, 28, 28)) > 0.7).astype(np.uint8) * 255
    logits, features = Predictor.from_resources(precision="fp32").outputs(images)
    path = default_model_path()
    layer = json.loads(path.read_text())["onnx"]["output_layer"]["file"]
    with np.load(path.parent / layer) as data:
        np.testing.assert_allclose(features @ data["weight"].T + data["bias"], logits, rtol=1e-3, atol=1e-2)


def test_inference_never_imports_torch():
    import subprocess
    import sys

    code = ("import sys, numpy as np\nfrom app.pipeline import Pipeline\n"
            "page = np.full((400, 600), 255, np.uint8)\nPipeline().recognize_image(page)\n"
            "from recognizer import Predictor\nPredictor.from_resources().predict(np.zeros((3, 28, 28), np.uint8))\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
