"""Export a trained glyph model to ONNX for inference (needs the ``train`` extra: torch, onnx).

``python -m recognizer.export_onnx resources/models/glyphic.json [--int8]`` writes beside the config:

* ``<stem>.onnx``: the fp32 graph (batch norm folded into the convolutions), input ``glyphs``
  (N, 1, 28, 28) standardised, outputs ``logits`` (N, C) and ``features`` (N, F), the input of the
  last linear layer (learning from corrections adapts that layer on them without torch);
* ``<stem>.head.npz``: that last layer's weight and bias;
* with ``--int8``: ``<stem>.int8.onnx``, statically quantised (QDQ, per-channel s8 weights with
  ``reduce_range``: 7-bit weights that CPUs without VNNI multiply without overflow; u8 activations
  calibrated on EMNIST train glyphs), and ``<stem>.check.npz``, train glyphs with labels on which the
  predictor checks, once per CPU, that int8 reads within 0.1 point of fp32 before it uses it;

and records every file with its sha256 in the config's ``onnx`` entry.
"""

from __future__ import annotations

import argparse
import copy
import io
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from recognizer.modelfile import file_entry, read_config, write_atomic, write_config
from recognizer.preprocess import model_input

OPSET = 17
CALIBRATION_GLYPHS = 2048
CHECK_GLYPHS = 2000


def fuse_batch_norm(model: nn.Module) -> nn.Module:
    """An inference copy of ``model`` with each BatchNorm2d that follows a Conv2d folded into that conv."""
    fused = copy.deepcopy(model).eval()
    for module in fused.modules():
        if not isinstance(module, nn.Sequential):
            continue
        for i in range(len(module) - 1):
            conv, norm = module[i], module[i + 1]
            if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                module[i] = fuse_conv_bn_eval(conv, norm)
                module[i + 1] = nn.Identity()
    return fused


class WithFeatures(nn.Module):
    """A classifier split at its last linear layer: returns (logits, features)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.body = copy.deepcopy(model).eval()
        parent, name = _last_linear(self.body)
        self.head = getattr(parent, name)
        setattr(parent, name, nn.Identity())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.body(x)
        return self.head(features), features


def _last_linear(model: nn.Module) -> tuple[nn.Module, str]:
    found: tuple[nn.Module, str] | None = None
    for module in model.modules():
        for name, child in module.named_children():
            if isinstance(child, nn.Linear):
                found = (module, name)
    if found is None:
        raise ValueError("model has no linear output layer")
    return found


def onnx_bytes(model: nn.Module) -> bytes:
    """The fp32 ONNX graph of a glyph model (eval mode, batch norm folded), dynamic batch size."""
    wrapped = WithFeatures(fuse_batch_norm(model)).eval()
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        path = Path(tmp) / "model.onnx"
        torch.onnx.export(wrapped, (torch.zeros(1, 1, 28, 28),), str(path), input_names=["glyphs"],
                          output_names=["logits", "features"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={"glyphs": {0: "n"}, "logits": {0: "n"}, "features": {0: "n"}})
        return path.read_bytes()


def output_layer_bytes(model: nn.Module) -> bytes:
    """The last linear layer's weight (C, F) and bias (C,) as an ``.npz`` (learning adapts it without torch)."""
    parent, name = _last_linear(model)
    layer = getattr(parent, name)
    buffer = io.BytesIO()
    np.savez(buffer, weight=layer.weight.detach().float().numpy(), bias=layer.bias.detach().float().numpy())
    return buffer.getvalue()


def quantize_int8(fp32_path: Path, out_path: Path, calibration: np.ndarray) -> None:
    """Static int8 quantisation of ``fp32_path`` calibrated on standardised glyphs (N, 1, 28, 28)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter([{"glyphs": calibration[i : i + 128]} for i in range(0, len(calibration), 128)])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.batches, None)

    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(fp32_path), str(pre))
        quantize_static(str(pre), str(Path(tmp) / "int8.onnx"), Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, reduce_range=True, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8)
        write_atomic(out_path, (Path(tmp) / "int8.onnx").read_bytes())


def export(config_path: Path, model: nn.Module | None = None, *, int8: bool = False,
           data_root: Path | None = None, seed: int = 0) -> None:
    """Write the ONNX files of the model at ``config_path`` and record them in its config."""
    from recognizer.weights import load_model

    config_path = Path(config_path)
    if model is None:
        model, _ = load_model(config_path)
    config = read_config(config_path)
    stem = config_path.with_suffix("")
    fp32 = stem.with_suffix(".onnx")
    write_atomic(fp32, onnx_bytes(model))
    head_path = Path(f"{stem}.head.npz")
    write_atomic(head_path, output_layer_bytes(model))
    entry: dict[str, object] = {"fp32": file_entry(fp32), "output_layer": file_entry(head_path)}
    if int8:
        entry.update(_int8_files(stem, fp32, config, data_root, seed))
    config["onnx"] = entry
    write_config(config_path, config)


def _int8_files(stem: Path, fp32: Path, config: dict, data_root: Path | None, seed: int) -> dict[str, object]:
    from recognizer.data import load_split

    train = load_split("train", data_root)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(train.labels), CALIBRATION_GLYPHS + CHECK_GLYPHS, replace=False)
    mean, std = config["input"]["mean"], config["input"]["std"]
    int8_path = Path(f"{stem}.int8.onnx")
    quantize_int8(fp32, int8_path, model_input(train.images[pick[:CALIBRATION_GLYPHS]], mean, std))
    check = pick[CALIBRATION_GLYPHS:]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=train.images[check], labels=train.labels[check].astype(np.int16))
    check_path = Path(f"{stem}.check.npz")
    write_atomic(check_path, buffer.getvalue())
    return {"int8": file_entry(int8_path), "check": file_entry(check_path)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path, help="model config JSON (weights beside it)")
    parser.add_argument("--int8", action="store_true", help="also a calibrated int8 graph and its check glyphs")
    parser.add_argument("--data", type=Path, help="EMNIST folder for calibration (default: the usual place)")
    args = parser.parse_args(argv)
    export(args.config, int8=args.int8, data_root=args.data)
    print(f"wrote the ONNX graphs of {args.config}")


if __name__ == "__main__":
    main()
