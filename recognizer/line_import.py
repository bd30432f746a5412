"""Import a pre-trained CTC text-line recognizer as Glyphic's line model (needs the ``train`` extra).

The starting point of the line engine is PaddleOCR's PP-OCRv6 small text recognizer
(Apache-2.0, copyright Baidu / the PaddleOCR authors) as the ONNX file that the PyPI package
``rapidocr`` ships. This module takes that file (or the wheel that holds it), keeps the output
classes of Glyphic's character set (:data:`CHARSET`) and drops the other ~18,600 (most of the
output layer's 2.2M weights), and writes ``lines.onnx`` with ``lines.json`` (character set, input
normalisation, provenance, licence, sha256 of every file)::

    pip download --no-deps rapidocr==3.10.0 -d ~/.cache/glyphic/downloads
    python -m recognizer.line_import ~/.cache/glyphic/downloads/rapidocr-3.10.0-py3-none-any.whl

Glyphic's own code runs it (:mod:`recognizer.line_predictor`) and evaluates it; fine-tuning on
synthetic lines continues from the written file.
"""

from __future__ import annotations

import argparse
import hashlib
import string
import zipfile
from pathlib import Path

import numpy as np

from recognizer.modelfile import file_entry, sha256_of, write_atomic, write_config

SOURCE_MEMBER = "rapidocr/models/PP-OCRv6_rec_small.onnx"
#: The characters the line model reads: printable ASCII with space, typographic quotes and dashes,
#: currency and measure signs, and the accented Latin letters of names and addresses.
CHARSET = (string.printable[:95]
           + "‘’“”–—€£°§¢¥©®±×÷½¼¾•·"
           + "àâäáãåçéèêëíìîïñóòôöõúùûüýÿæœøß"
           + "ÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸÆŒØ")
INPUT_HEIGHT = 48
LICENCE = ("Apache-2.0. Weights: PaddleOCR PP-OCRv6 small text recognition model, copyright Baidu and the "
           "PaddleOCR authors (https://github.com/PaddlePaddle/PaddleOCR), as converted to ONNX and "
           "distributed by RapidOCR (PyPI package rapidocr, Apache-2.0). Modified by Glyphic: output "
           "classes reduced to Glyphic's character set.")


def read_source(path: Path) -> bytes:
    """The source ONNX bytes, from the ``.onnx`` file itself or from the ``rapidocr`` wheel."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(SOURCE_MEMBER)
    return path.read_bytes()


def trimmed_model(source: bytes, charset: str = CHARSET) -> tuple[bytes, list[str]]:
    """The source graph with its output layer cut down to ``charset``; returns (ONNX bytes, classes).

    The classes are ``["", *charset]``: index 0 is the CTC blank.
    """
    import onnx
    from onnx import numpy_helper

    model = onnx.load_model_from_string(source)
    meta = {p.key: p.value for p in model.metadata_props}
    source_classes = ["", *meta["character"].split("\n"), " "]  # PaddleOCR: blank, the dictionary, space
    missing = [c for c in charset if c not in source_classes]
    if missing:
        raise ValueError(f"the source model cannot read {missing}")
    keep = [0] + [source_classes.index(c) for c in charset]
    inits = {t.name: t for t in model.graph.initializer}
    width = len(source_classes)
    weight = next(inits[n.input[1]] for n in model.graph.node
                  if n.op_type == "MatMul" and n.input[1] in inits and list(inits[n.input[1]].dims)[-1:] == [width])
    bias = next(inits[n.input[1]] for n in model.graph.node
                if n.op_type == "Add" and n.input[1] in inits and list(inits[n.input[1]].dims) == [width])
    new_weight = numpy_helper.to_array(weight)[:, keep]
    new_bias = numpy_helper.to_array(bias)[keep]
    weight.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(new_weight), weight.name))
    bias.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(new_bias), bias.name))
    output = model.graph.output[0]
    output.type.tensor_type.shape.dim[2].dim_value = len(keep)
    del model.metadata_props[:]
    onnx.checker.check_model(model)
    return model.SerializeToString(), ["", *charset]


def import_model(source_path: Path, out_dir: Path, stem: str = "lines") -> Path:
    """Write ``<stem>.onnx`` and ``<stem>.json`` into ``out_dir``; return the config path."""
    source = read_source(source_path)
    graph, classes = trimmed_model(source)
    onnx_path = out_dir / f"{stem}.onnx"
    write_atomic(onnx_path, graph)
    config = {
        "format": 1,
        "name": "glyphic-lines",
        "version": "1",
        "architecture": "pp-ocrv6-small-rec (SVTR-style CNN + transformer mixer, CTC)",
        "classes": classes,
        "blank": 0,
        "input": {"height": INPUT_HEIGHT, "channels": 3, "mean": 0.5, "std": 0.5, "ink": "dark on light",
                  "stride": 8, "name": "x"},
        "output": "probabilities",
        "onnx": {"fp32": file_entry(onnx_path)},
        "source": {"package": "rapidocr 3.10.0 (PyPI)", "member": SOURCE_MEMBER,
                   "sha256": hashlib.sha256(source).hexdigest()},
        "licence": LICENCE,
        "training": {"fine_tuned": False},
    }
    config_path = out_dir / f"{stem}.json"
    write_config(config_path, config)
    return config_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the rapidocr wheel, or the PP-OCRv6_rec_small.onnx in it")
    parser.add_argument("--out", type=Path, default=Path("resources/models"))
    args = parser.parse_args(argv)
    path = import_model(args.source, args.out)
    print(f"wrote {path} ({sha256_of(path.with_suffix('.onnx'))[:12]}...)")


if __name__ == "__main__":
    main()
