"""Learning from corrections: the store, fine-tuning, and the menu action."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from app.gui.glyph_crop import emnist_crop
from app.gui.learning import CorrectionStore, class_label, finetune

cv2 = pytest.importorskip("cv2")


def _glyphs(chars: str, copies: int) -> tuple[np.ndarray, list[str]]:
    images, labels = [], []
    rng = np.random.default_rng(0)
    for char in chars:
        for _ in range(copies):
            ink = np.zeros((64, 64), np.uint8)
            cv2.putText(ink, char, (12 + int(rng.integers(0, 6)), 52), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 255,
                        int(rng.integers(2, 5)))
            images.append(emnist_crop(ink))
            labels.append(char)
    return np.stack(images), labels


def test_class_label_handles_merged_case() -> None:
    classes = ("0", "C", "O", "a")
    assert class_label("c", classes) == 1 and class_label("O", classes) == 2
    assert class_label("a", classes) == 3 and class_label("?", classes) is None and class_label("ab", classes) is None


def test_store_round_trip(tmp_path: Path) -> None:
    store = CorrectionStore(tmp_path / "c.npz")
    assert len(store) == 0
    images, labels = _glyphs("ab", 2)
    store.add(images, labels)
    store.add(images[:1], ["x"])
    loaded, loaded_labels = store.load()
    assert loaded.shape == (5, 28, 28) and list(loaded_labels) == ["a", "a", "b", "b", "x"]


def test_finetune_improves_held_out(tmp_path: Path) -> None:
    from app.gui.models import shipped_model_config
    from recognizer import Predictor

    images, labels = _glyphs("Ek3", 10)
    result = finetune(images, labels, shipped_model_config(), tmp_path / "model", epochs=4, lr=3e-4)
    assert result.test_count == 6 and result.train_count == 24
    assert 0.0 <= result.accuracy_before <= 1.0 and result.accuracy_after >= result.accuracy_before
    predictor = Predictor.load(result.config_path)
    assert "personal" in predictor.name


def test_output_layer_adapts_without_torch(tmp_path: Path) -> None:
    from app.gui.models import shipped_model_config
    from recognizer import Predictor

    images, drawn = _glyphs("Ek3", 10)
    labels = [{"E": "F", "k": "X", "3": "8"}[c] for c in drawn]  # a hand whose F, X and 8 look like E, k, 3
    result = finetune(images, labels, shipped_model_config(), tmp_path / "model", whole_network=False)
    assert result.test_count == 6 and result.train_count == 24
    assert result.accuracy_before < 0.5 and result.accuracy_after > 0.8
    personal = Predictor.load(result.config_path, precision="fp32")
    shipped = Predictor.load(shipped_model_config(), precision="fp32")
    assert "personal" in personal.name
    wanted = np.array([personal.classes.index(c) for c in labels])
    right_after = (personal.predict(images).indices[:, 0] == wanted).mean()
    right_before = (shipped.predict(images).indices[:, 0] == wanted).mean()
    assert right_before < 0.5 and right_after > 0.8
    again = finetune(images, labels, result.config_path, tmp_path / "again", whole_network=False)
    assert Predictor.load(again.config_path).predict(images[:2]).indices.shape == (2, 5)


def test_finetune_needs_enough_corrections(tmp_path: Path) -> None:
    from app.gui.models import shipped_model_config

    images, labels = _glyphs("a", 2)
    with pytest.raises(ValueError, match="at least"):
        finetune(images, labels, shipped_model_config(), tmp_path)


def test_improve_model_action(window: Any, qtbot: Any, dialogs: Any) -> None:
    images, labels = _glyphs("Ek", 5)
    window.corrections.add(images, labels)
    dialogs.question_answer = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(window.finetune_finished, timeout=60_000) as done:
        window.actions_.improve.trigger()
    result = done.args[0]
    assert Path(result.config_path).is_file()
    assert any("held-out" in text for _, text in dialogs.shown)
    assert window.settings.model_path == str(result.config_path)
    assert "personal" in window.model_label.text()
    window.actions_.shipped_model.trigger()
    assert window.settings.model_path == "" and "personal" not in window.model_label.text()
    window.service.configure("", True, 300.0)
