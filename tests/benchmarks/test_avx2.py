"""benchmarks.avx2: a command runs with AVX-512, VNNI, bf16 and AMX hidden from CPUID."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks import avx2

REASON = avx2.can_mask()


@pytest.mark.skipif(REASON is not None, reason=f"cannot hide CPU features here: {REASON}")
def test_a_masked_command_sees_no_avx512() -> None:
    pytest.importorskip("torch")  # PyTorch reads CPUID itself: what it sees is what the mask does
    probe = ("import torch; from recognizer.precision import cpu_flags; "
             "print(torch.backends.cpu.get_cpu_capability(), cpu_flags()['avx512f'], "
             "torch.cpu._is_avx512_bf16_supported())")
    masked = subprocess.run([sys.executable, "-c", probe], env=avx2.masked_environment(),
                            capture_output=True, text=True, check=True)
    assert masked.stdout.split() == ["AVX2", "False", "False"], masked.stderr


def test_no_command_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        avx2.main([])
    assert "command" in capsys.readouterr().err
