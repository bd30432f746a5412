"""Which precision the glyph model runs in on this CPU: measured once, never assumed.

The int8 graph is used only where a check on this CPU shows it reads the shipped check
glyphs within :data:`MAX_ACCURACY_LOSS` of the fp32 graph and faster than it. The verdict is
cached per (int8 graph, ONNX Runtime version, CPU flags), so the check (about 3 s) runs once
per machine; ``GLYPHIC_PRECISION=fp32|int8`` or ``Predictor(precision=...)`` overrides it.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("glyphic")

#: The largest accuracy drop (fraction of glyphs) int8 may cost against fp32 on the check glyphs.
MAX_ACCURACY_LOSS = 0.001
#: CPU features that decide which kernels ONNX Runtime and PyTorch use (printed with every benchmark).
REPORTED_FLAGS = ("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "avx512_bf16",
                  "amx_tile", "amx_int8", "amx_bf16")


#: Set (to "avx2") by ``python -m benchmarks.avx2``, which hides these flags' features from CPUID.
CPU_MASK_VARIABLE = "GLYPHIC_CPU_MASK"
MASKED_FLAGS = ("avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")


def cpu_flags() -> dict[str, bool]:
    """Which of :data:`REPORTED_FLAGS` this CPU has, as this process sees it (all False where
    /proc/cpuinfo is not readable; :data:`MASKED_FLAGS` False under ``benchmarks.avx2``)."""
    found: set[str] = set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    found = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    if os.environ.get(CPU_MASK_VARIABLE) == "avx2":
        found -= set(MASKED_FLAGS)
    return {flag: flag in found for flag in REPORTED_FLAGS}


def cpu_summary() -> str:
    """One line: the CPU model and the flags it has among :data:`REPORTED_FLAGS`."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next((ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")), model)
    except OSError:
        pass
    have = [flag for flag, present in cpu_flags().items() if present]
    masked = " (AVX-512, VNNI, bf16 and AMX hidden from CPUID)" if os.environ.get(CPU_MASK_VARIABLE) else ""
    return (f"{model}; {os.cpu_count()} logical cores; flags: "
            f"{' '.join(have) or 'none of ' + ' '.join(REPORTED_FLAGS)}{masked}")


def cache_dir() -> Path:
    """Glyphic's cache folder (``$GLYPHIC_CACHE_DIR``, else the platform's user cache folder)."""
    override = os.environ.get("GLYPHIC_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("glyphic", appauthor=False))


def _cache_key(int8_sha: str) -> str:
    import onnxruntime

    flags = "".join("1" if v else "0" for v in cpu_flags().values())
    return f"{int8_sha[:16]}|ort-{onnxruntime.__version__}|{platform.machine()}|{flags}"


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def measure_int8(fp32: Any, int8: Any, images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy and seconds of two logit functions (model input -> logits) on the check glyphs."""
    result: dict[str, float] = {}
    for name, run in (("fp32", fp32), ("int8", int8)):
        run(images[:64])  # warm-up
        started = time.perf_counter()
        predicted = run(images).argmax(1)
        result[f"{name}_seconds"] = time.perf_counter() - started
        result[f"{name}_accuracy"] = float((predicted == labels).mean())
    return result


def int8_is_good(result: dict[str, float]) -> bool:
    """Whether a :func:`measure_int8` result allows int8: as accurate (within the margin) and faster."""
    return (result["int8_accuracy"] >= result["fp32_accuracy"] - MAX_ACCURACY_LOSS
            and result["int8_seconds"] < result["fp32_seconds"])


def choose_int8(int8_sha: str, measure: Any) -> bool:
    """The cached verdict for this int8 graph on this CPU, or a fresh one from ``measure()``."""
    path = cache_dir() / "precision.json"
    cache = _read_cache(path)
    key = _cache_key(int8_sha)
    if key in cache and isinstance(cache[key], dict) and "int8" in cache[key]:
        return bool(cache[key]["int8"])
    result = measure()
    verdict = int8_is_good(result)
    cache[key] = {**result, "int8": verdict}
    try:
        from recognizer.modelfile import write_atomic

        write_atomic(path, json.dumps(cache, indent=1).encode())
    except OSError as exc:  # a read-only home: check again next time
        log.debug("precision cache not written: %s", exc)
    if not verdict:
        log.info("int8 glyph model not used on this CPU: %s", result)
    return verdict
