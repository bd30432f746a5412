import torch

from recognizer.augment import augment_batch
from recognizer.models import GlyphResNet, SeedCNN, build_model, count_parameters


def test_seed_cnn_has_reference_parameter_count():
    assert count_parameters(SeedCNN()) == 229_807


def test_glyph_resnet_size_and_shape():
    model = build_model("glyph-resnet", 47, width=64)
    assert count_parameters(model) <= 3_000_000
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 47)


def test_unknown_model_name():
    import pytest

    with pytest.raises(ValueError, match="unknown model"):
        build_model("nope")


def test_one_batch_overfit():
    torch.manual_seed(0)
    model = GlyphResNet(num_classes=10, width=16, dropout=0.0)
    x = torch.randn(32, 1, 28, 28)
    y = torch.arange(32) % 10
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(60):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    assert (model(x).argmax(1) == y).float().mean() == 1.0


def test_augmentation_keeps_glyph_and_range():
    x = torch.zeros(64, 1, 28, 28)
    x[:, :, 6:22, 12:16] = 1.0  # a vertical bar
    gen = torch.Generator().manual_seed(0)
    out = augment_batch(x, gen)
    assert out.shape == x.shape
    assert out.min() >= 0 and out.max() <= 1
    ink_before = x.sum(dim=(1, 2, 3))
    ink_after = out.sum(dim=(1, 2, 3))
    ratio = ink_after / ink_before
    assert (ratio > 0.4).all() and (ratio < 2.5).all()  # changed, but still the same glyph
    assert not torch.allclose(out[0], out[1])  # per-sample randomness
    again = augment_batch(x, torch.Generator().manual_seed(0))
    assert torch.equal(out, again)
