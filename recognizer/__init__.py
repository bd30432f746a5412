"""The recognizers: data, models, training (torch, the ``train`` extra) and the ONNX Runtime ``Predictor``."""

from recognizer.modelfile import ModelFileError
from recognizer.predictor import Prediction, Predictor

__all__ = ["ModelFileError", "Prediction", "Predictor"]
