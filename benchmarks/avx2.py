"""Run a command as on a CPU with AVX2 but without AVX-512, VNNI, bf16 or AMX.

``python -m benchmarks.avx2 -- python -m benchmarks.pages --pages 2`` builds
``benchmarks/cpuid_mask.c`` (with the system's C compiler, once, into Glyphic's cache folder) and
runs the command with it preloaded: the command's CPUID instructions trap and are answered without
those features, so ONNX Runtime, PyTorch and oneDNN choose the kernels such a CPU gets. Needs Linux
on x86-64 with CPUID faulting (the ``cpuid_fault`` flag in /proc/cpuinfo) and a C compiler. The
command sees ``GLYPHIC_CPU_MASK=avx2``, so its reports name the masked flags.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from recognizer.precision import CPU_MASK_VARIABLE, cache_dir

SOURCE = Path(__file__).with_name("cpuid_mask.c")


def can_mask() -> str | None:
    """None when this machine can hide CPU features, else why not."""
    try:
        flags = next((ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("flags")), "")
    except OSError:
        return "no /proc/cpuinfo (not Linux)"
    if "cpuid_fault" not in flags.split():
        return "this CPU (or its hypervisor) offers no CPUID faulting (no cpuid_fault flag)"
    if not (shutil.which("cc") or shutil.which("gcc")):
        return "no C compiler (cc) to build benchmarks/cpuid_mask.c"
    return None


def mask_library() -> Path:
    """The built preload library (built on first use)."""
    source = SOURCE.read_bytes()
    target = cache_dir() / f"cpuid_mask-{hashlib.sha256(source).hexdigest()[:12]}.so"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        compiler = shutil.which("cc") or "gcc"
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", str(partial), str(SOURCE)], check=True)
        partial.replace(target)
    return target


def masked_environment() -> dict[str, str]:
    """The environment that runs a command with AVX-512, VNNI, bf16 and AMX hidden."""
    env = dict(os.environ)
    env["LD_PRELOAD"] = " ".join(filter(None, [str(mask_library()), env.get("LD_PRELOAD", "")]))
    env[CPU_MASK_VARIABLE] = "avx2"
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command (after --)")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    reason = can_mask()
    if reason:
        print(f"benchmarks.avx2: cannot hide CPU features here: {reason}", file=sys.stderr)
        return 2
    return subprocess.run(command, env=masked_environment()).returncode


if __name__ == "__main__":
    sys.exit(main())
