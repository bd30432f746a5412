"""Model definitions. Classes hold layers only; training lives in :mod:`recognizer.train`.

Every model takes a float tensor (N, 1, 28, 28) already normalised by
:func:`recognizer.preprocess.to_tensor` and returns raw logits (N, num_classes).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


class SeedCNN(nn.Module):
    """The reference model: Conv32 -> pool -> Conv64 -> pool -> Dense128 -> Dropout -> Dense."""

    def __init__(self, num_classes: int = 47) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 5 * 5, 128),
            nn.ReLU(inplace=True),
            nn.Dropout(0.5),
            nn.Linear(128, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def _conv_bn(c_in: int, c_out: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
    )


class ResidualBlock(nn.Module):
    """Two 3x3 conv-BN layers with an identity (or 1x1 projection) shortcut."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = _conv_bn(c_in, c_out, stride)
        self.conv2 = _conv_bn(c_out, c_out)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out)
            )
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act(self.conv1(x))
        return self.act(self.conv2(out) + self.shortcut(x))


class GlyphResNet(nn.Module):
    """A small residual CNN for 28 x 28 glyphs.

    Stem at full resolution, then three stages at 14 x 14, 7 x 7 and 4 x 4 with
    ``width``, ``2 * width`` and ``4 * width`` channels, global average pooling,
    dropout and a linear classifier.
    """

    def __init__(self, num_classes: int = 47, width: int = 48, dropout: float = 0.25) -> None:
        super().__init__()
        w = width
        self.stem = nn.Sequential(_conv_bn(1, w // 2), nn.ReLU(inplace=True))
        self.stages = nn.Sequential(
            ResidualBlock(w // 2, w, stride=2),  # 14 x 14
            ResidualBlock(w, w),
            ResidualBlock(w, 2 * w, stride=2),  # 7 x 7
            ResidualBlock(2 * w, 2 * w),
            ResidualBlock(2 * w, 4 * w, stride=2),  # 4 x 4
        )
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(4 * w, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.stages(self.stem(x)))


MODELS: dict[str, Callable[..., nn.Module]] = {
    "seed-cnn": SeedCNN,
    "glyph-resnet": GlyphResNet,
}


def build_model(name: str, num_classes: int = 47, **kwargs: object) -> nn.Module:
    """Create a model by its registry name (see :data:`MODELS`)."""
    try:
        factory = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}") from None
    return factory(num_classes=num_classes, **kwargs)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
