"""bfloat16 for training only where the CPU has it and a short timing shows it pays (torch)."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def cpu_has_bf16() -> bool:
    """Whether PyTorch reports native bfloat16 on this CPU (AVX-512 bf16 or AMX)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


def _seconds(step: Callable[[], None], repeats: int = 3) -> float:
    step()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - started)
    return best


def bf16_pays(model: torch.nn.Module, sample: torch.Tensor) -> bool:
    """Whether a training step (forward and backward) on ``sample`` is faster under bf16 autocast.

    False without native bf16 (PyTorch then falls back to slow reference kernels), without timing.
    """
    if not cpu_has_bf16():
        return False

    def step(bf16: bool) -> Callable[[], None]:
        def run() -> None:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                out = model(sample)
            out.float().sum().backward()
            model.zero_grad(set_to_none=True)
        return run

    was_training = model.training
    model.train()
    try:
        return _seconds(step(True)) < 0.9 * _seconds(step(False))
    finally:
        model.train(was_training)
