"""The line model's fine-tuning path: torch conversion, export, synthetic lines, a training step."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx2torch")

from recognizer.line_predictor import LinePredictor, default_line_model_path  # noqa: E402


@pytest.fixture(scope="module")
def line_module():
    from recognizer.line_torch import load_line_module

    torch.set_num_threads(2)
    return load_line_module(default_line_model_path())


def _batch(seed: int, n: int = 2, width: int = 160) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (n, 3, 48, width)).astype(np.float32)


def test_torch_module_matches_onnx(line_module):
    model, config = line_module
    predictor = LinePredictor(default_line_model_path(), threads=2)
    x = _batch(0)
    expected = predictor._session.run(None, {"x": x})[0]
    model.eval()
    with torch.no_grad():
        got = torch.softmax(model(torch.from_numpy(x)), -1).numpy()
    assert got.shape == expected.shape == (2, 20, len(config["classes"]))
    assert np.abs(got - expected).max() < 1e-4


def test_all_weights_train_but_batchnorm_statistics_stay(line_module):
    model, _ = line_module
    assert sum(p.numel() for p in model.parameters()) > 2_900_000  # the mixer and biases, not only the convs
    from recognizer.line_torch import LineModule

    # a fine-tuned model comes back with its BatchNorm folded into the convolutions: check on a small graph
    graph = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU())
    small = LineModule(graph, ["", "a"], height=48, stride=8).train()
    assert graph[0].training and not graph[1].training
    small.eval()


def _text_line(text: str) -> np.ndarray:
    import cv2

    image = np.full((40, 14 * len(text) + 20), 235, np.uint8)
    cv2.putText(image, text, (8, 29), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2, cv2.LINE_AA)
    return image


def test_a_training_step_lowers_the_loss():
    from recognizer.line_torch import load_line_module
    from recognizer.train_lines import ctc_loss, normalise_line

    model, _ = load_line_module(default_line_model_path())
    # the model reads clean lines almost without loss: teach it other texts for them, so that there is
    # something to learn in a few steps
    pairs = [("Tuesday 14 May", "Monday 15 June"), ("TOTAL 12.90", "CASH 13.40")]
    batch = [(normalise_line(_text_line(shown), model.height, model.stride, 0.5, 0.5), label)
             for shown, label in pairs]
    index = {c: i for i, c in enumerate(model.classes) if i}
    criterion = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-4)
    model.train()
    losses = []
    for _ in range(4):
        loss = ctc_loss(model, batch, index, criterion)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_generator_is_reproducible_from_its_seed():
    from recognizer.synthetic_lines import LineGenerator, font_families

    if not any(font_families().values()):
        pytest.skip("no fonts on this machine")
    first, again, other = LineGenerator(5), LineGenerator(5), LineGenerator(6)
    for i in (0, 3, 11):
        a, b = first.sample(i), again.sample(i)
        assert a.text == b.text and a.kind == b.kind and np.array_equal(a.image, b.image)
        assert a.image.dtype == np.uint8 and a.image.ndim == 2 and min(a.image.shape) >= 2
    assert [first.sample(i).text for i in range(6)] != [other.sample(i).text for i in range(6)]
    # order of requests does not matter
    assert np.array_equal(LineGenerator(5).sample(11).image, first.sample(11).image)


@pytest.mark.emnist
def test_emnist_lines_come_from_the_train_split():
    from recognizer.data import load_split
    from recognizer.synthetic_lines import LineGenerator

    try:
        train = load_split("train")
    except FileNotFoundError as exc:
        pytest.skip(f"EMNIST files not available: {exc}")
    generator = LineGenerator(3, mix={"emnist": 1.0}, emnist=(train.images, train.labels))
    samples = [generator.sample(i) for i in range(5)]
    assert {s.kind for s in samples} == {"emnist"}
    assert all(s.text.replace(" ", "").isalnum() for s in samples)
    assert np.array_equal(samples[2].image, generator.sample(2).image)


@pytest.mark.slow
def test_export_round_trip_loads_in_the_line_predictor(line_module, tmp_path):
    from recognizer.line_torch import export_line_model
    from recognizer.modelfile import read_config

    model, config = line_module
    path = export_line_model(model, config, tmp_path, training={"fine_tuned": True, "steps": 0})
    saved = read_config(path, ("classes",))
    assert saved["classes"] == config["classes"] and saved["licence"] == config["licence"]
    assert saved["source"] == config["source"] and saved["training"]["fine_tuned"] is True
    exported = LinePredictor(path, threads=2)
    original = LinePredictor(default_line_model_path(), threads=2)
    for x in (_batch(1, 3, 96), _batch(2, 1, 240)):  # dynamic batch and width
        a = exported._session.run(None, {"x": x})[0]
        b = original._session.run(None, {"x": x})[0]
        assert a.shape == b.shape and np.abs(a - b).max() < 1e-4
    crop = _text_line("Dear Sir,")
    frames = exported.read([crop])[0]
    assert frames.probs.shape[1] == len(config["classes"])


@pytest.mark.slow
def test_dry_run_resumes_and_exports(tmp_path):
    from recognizer.synthetic_lines import font_families
    from recognizer.train_lines import export_run, main

    if not font_families()["print"]:
        pytest.skip("no fonts on this machine")
    run = tmp_path / "run"
    main(["--run", str(run), "--dry-run", "--no-emnist", "--mix", '{"print": 1.0}', "--threads", "2"])
    assert (run / "checkpoint.pt").exists() and (run / "weights-000004.pt").exists()
    steps = [json.loads(line)["step"] for line in (run / "log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4]
    main(["--run", str(run), "--dry-run", "--no-emnist", "--threads", "2"])  # resumes at step 4: nothing to do
    assert len((run / "log.jsonl").read_text().splitlines()) == 4
    config = export_run(run, tmp_path / "out")
    predictor = LinePredictor(config, threads=2)
    assert predictor.config["training"]["steps"] == 4 and predictor.config["version"].endswith("+ft4")
    assert "Fine-tuned by Glyphic" in predictor.config["licence"]


def test_anchor_penalty_is_zero_at_the_pretrained_weights(line_module):
    from recognizer.train_lines import anchor_penalty, pretrained_weights

    model, _ = line_module
    anchor = pretrained_weights(model)
    assert float(anchor_penalty(model, anchor)) == 0.0
    name = next(iter(anchor))
    anchor[name] = anchor[name] + 0.5
    assert float(anchor_penalty(model, anchor)) == pytest.approx(0.25 * anchor[name].numel(), rel=1e-4)
