"""The glyph recognizer: EMNIST data, models, training, evaluation and the ``Predictor``."""

from recognizer.predictor import Prediction, Predictor
from recognizer.weights import ModelFileError

__all__ = ["ModelFileError", "Prediction", "Predictor"]
