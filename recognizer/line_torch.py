"""The line model as a trainable PyTorch module, and its export back to ONNX (needs the ``train`` extra).

The shipped line model is an ONNX graph (:mod:`recognizer.line_import`). :func:`load_line_module`
converts that graph to PyTorch with ``onnx2torch`` after two repairs:

- the stem's 2 x 2 convolutions and max-pool use ``auto_pad=SAME_UPPER`` (stride 1), which
  ``onnx2torch`` does not convert; they get the same padding written out (one pixel after);
- ``onnx2torch`` keeps every initializer outside a Conv/BatchNorm as a buffer, so the biases, the
  transformer mixer's weights and the layer norms would never train; every float initializer with
  more than one element becomes a parameter (scalar constants such as the GELU's and layer norm's
  stay fixed).

The Identity nodes (a tensor copy each in ``onnx2torch``) are dropped, and the graph's final
softmax is cut off: :class:`LineModule` returns logits (N, T, C), which CTC
training needs as log-probabilities. :func:`export_line_model` puts the softmax back and writes an
ONNX graph with dynamic batch and width plus a config in ``lines.json``'s format (character set,
input normalisation, provenance and licence kept; the fine-tuning recorded under ``training``).
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from recognizer.modelfile import file_entry, read_config, verified_file, write_atomic, write_config


def explicit_pads(model: Any) -> Any:
    """``model`` (an ``onnx.ModelProto``) with ``SAME_UPPER`` auto-padding of stride-1 nodes written as pads.

    Modified in place and returned. Raises ValueError for a strided ``SAME_*`` node (its padding
    would depend on the input size).
    """
    from onnx import helper

    for node in model.graph.node:
        attributes = {a.name: a for a in node.attribute}
        auto_pad = attributes.get("auto_pad")
        if auto_pad is None or auto_pad.s in (b"NOTSET", b"VALID"):
            continue
        kernel = list(attributes["kernel_shape"].ints)
        strides = list(attributes["strides"].ints) if "strides" in attributes else [1] * len(kernel)
        if any(s != 1 for s in strides):
            raise ValueError(f"{node.name}: {auto_pad.s.decode()} with strides {strides} is not supported")
        total = [k - 1 for k in kernel]
        first = [t // 2 if auto_pad.s == b"SAME_UPPER" else t - t // 2 for t in total]
        node.attribute.remove(auto_pad)
        node.attribute.append(helper.make_attribute("pads", first + [t - f for t, f in zip(total, first, strict=True)]))
    return model


def _promote_initializers(graph_module: nn.Module) -> int:
    """Turn the float buffers of ``graph_module.initializers`` with more than one element into parameters."""
    holder = getattr(graph_module, "initializers", None)
    if holder is None:
        return 0
    promoted = 0
    for name, buffer in list(holder.named_buffers(recurse=False)):
        if buffer.is_floating_point() and buffer.numel() > 1:
            delattr(holder, name)
            holder.register_parameter(name, nn.Parameter(buffer.detach().clone()))
            promoted += 1
    return promoted


def _drop_identities(graph_module: Any) -> int:
    """Remove the graph's Identity nodes (``onnx2torch`` copies the tensor at each of them)."""
    dropped = 0
    for node in list(graph_module.graph.nodes):
        if node.op == "call_module" and str(node.target).startswith("Identity") and len(node.args) == 1:
            node.replace_all_uses_with(node.args[0])
            graph_module.graph.erase_node(node)
            dropped += 1
    graph_module.graph.lint()
    graph_module.delete_all_unused_submodules()
    graph_module.recompile()
    return dropped


class _Softmax(nn.Module):
    """ONNX opset-11 softmax (over the input flattened from ``axis``) as a plain softmax over the last axis
    where the two agree, so that an exported graph has no shape arithmetic around it (which a second
    import would freeze to the example's batch and width)."""

    def __init__(self, axis: int) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.axis in (-1, x.dim() - 1):
            return torch.softmax(x, -1)
        return torch.reshape(torch.softmax(torch.flatten(x, start_dim=self.axis), -1), x.shape)


def _plain_softmax(graph_module: Any) -> int:
    """Replace ``onnx2torch``'s opset-11 softmax modules by :class:`_Softmax`."""
    replaced = 0
    for name, module in list(graph_module.named_children()):
        if type(module).__name__ == "OnnxSoftmaxV1V11" and not getattr(module, "is_log", False):
            setattr(graph_module, name, _Softmax(int(module.axis)))
            replaced += 1
    return replaced


def _cut_final_softmax(graph_module: Any) -> None:
    """Make the graph return the input of its final softmax (the logits)."""
    graph = graph_module.graph
    output = next(n for n in graph.nodes if n.op == "output")
    last = output.args[0]
    if last.op != "call_module" or not str(last.target).startswith("Softmax"):
        raise ValueError(f"the line graph does not end in a softmax (ends in {last.target})")
    output.args = (last.args[0],)
    graph.erase_node(last)
    graph.lint()
    graph_module.recompile()


class LineModule(nn.Module):
    """A CTC line recognizer: (N, 3, H, W) images in [-1, 1] -> (N, W / stride, C) logits.

    BatchNorm layers stay in inference mode in training (padded, mixed-width batches would spoil
    their statistics; the pre-trained statistics are kept).
    """

    def __init__(self, graph: nn.Module, classes: list[str], height: int, stride: int) -> None:
        super().__init__()
        self.graph = graph
        self.classes = list(classes)
        self.height = height
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.graph(x)

    def train(self, mode: bool = True) -> LineModule:
        super().train(mode)
        for module in self.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eval()
        return self

    def stem_parameters(self, fraction: float) -> list[nn.Parameter]:
        """The parameters used by the first ``fraction`` of the graph's nodes (the early layers)."""
        graph_module: Any = self.graph
        nodes = [n for n in graph_module.graph.nodes if n.op in ("call_module", "get_attr")]
        early = nodes[: int(len(nodes) * fraction)]
        names = {str(n.target) for n in early}
        params = dict(self.graph.named_parameters())
        chosen = []
        for name, param in params.items():
            owner = name.rsplit(".", 1)[0]
            if name in names or owner in names or any(owner.startswith(f"{n}.") for n in names):
                chosen.append(param)
        return chosen


class _WithSoftmax(nn.Module):
    def __init__(self, model: LineModule) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.model(x), dim=-1)


def load_line_module(config_path: str | Path) -> tuple[LineModule, dict[str, Any]]:
    """The line model a config names (its fp32 ONNX graph, sha256 checked) as a trainable module, and the config."""
    import onnx
    from onnx2torch import convert

    config = read_config(Path(config_path), ("classes", "input", "onnx"))
    onnx_path = verified_file(Path(config_path), config["onnx"]["fp32"])
    graph: Any = convert(explicit_pads(onnx.load(str(onnx_path))))
    _cut_final_softmax(graph)
    _plain_softmax(graph)
    _drop_identities(graph)
    _promote_initializers(graph)
    spec = config["input"]
    module = LineModule(graph, config["classes"], int(spec["height"]), int(spec["stride"])).eval()
    with torch.no_grad():
        width = module(torch.zeros(1, int(spec.get("channels", 3)), module.height, 8 * module.stride)).shape[-1]
    if width != len(config["classes"]):
        raise ValueError(f"line model {config_path}: {width} outputs but {len(config['classes'])} classes")
    return module, config


def onnx_bytes(model: LineModule, opset: int = 17) -> bytes:
    """The model with its softmax as ONNX (input "x" (N, 3, H, W), output probabilities (N, T, C)),
    batch and width dynamic."""
    wrapped = _WithSoftmax(copy.deepcopy(model).float().eval())
    sample = torch.zeros(2, 3, model.height, 40 * model.stride)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lines.onnx"
        torch.onnx.export(wrapped, (sample,), str(path), input_names=["x"], output_names=["probabilities"],
                          dynamic_axes={"x": {0: "batch", 3: "width"}, "probabilities": {0: "batch", 1: "frames"}},
                          opset_version=opset, dynamo=False)
        return path.read_bytes()


def export_line_model(model: LineModule, base_config: dict[str, Any], out_dir: Path, stem: str = "lines",
                      training: dict[str, Any] | None = None, version: str | None = None) -> Path:
    """Write ``<stem>.onnx`` and ``<stem>.json`` (the base config's fields, the new file's sha256 and
    ``training``) into ``out_dir``; return the config path."""
    import onnx

    out_dir = Path(out_dir)
    graph = onnx_bytes(model)
    onnx.checker.check_model(onnx.load_model_from_string(graph))
    onnx_path = out_dir / f"{stem}.onnx"
    write_atomic(onnx_path, graph)
    config = copy.deepcopy(base_config)
    config["onnx"] = {"fp32": file_entry(onnx_path)}
    config["input"] = {**config["input"], "name": "x"}
    if version is not None:
        config["version"] = version
    if training is not None:
        config["training"] = training
    config_path = out_dir / f"{stem}.json"
    write_config(config_path, config)
    return config_path
