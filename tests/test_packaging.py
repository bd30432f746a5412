"""The wheel ``python -m build`` makes installs into a fresh virtualenv outside the repository and reads the sample."""

from __future__ import annotations

import difflib
import importlib.util
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _clean_env() -> dict[str, str]:
    """This process's environment without anything that would let the repository's code be imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_built_wheel_installs_in_a_fresh_venv_and_reads_the_sample(tmp_path: Path) -> None:
    if importlib.util.find_spec("build") is None:
        pytest.skip("the 'build' package is not installed (it is in the dev extra: pip install -e '.[dev]')")
    dist = tmp_path / "dist"
    # sdist first, then the wheel from the sdist (build's default): what the sdist leaves out is missed too
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], check=True,
                   capture_output=True, env=_clean_env())
    wheels = list(dist.glob("glyphic-*.whl"))
    assert len(wheels) == 1, list(dist.iterdir())
    licences = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(wheels[0])], check=True,
                              capture_output=True, text=True).stdout
    for name in ("licenses/LICENSE", "licenses/DATA-NOTICE.md", "models/NOTICE.md", "LICENSE-Apache-2.0.txt"):
        assert name in licences

    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(environment)
    bin_dir = environment / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheels[0])], check=True,
                   capture_output=True, env=_clean_env(), cwd=tmp_path)
    site = subprocess.run([str(bin_dir / "python"), "-c",
                           "import importlib.resources as r; print(r.files('resources') / 'samples')"],
                          check=True, capture_output=True, text=True, env=_clean_env(), cwd=tmp_path).stdout.strip()
    samples = Path(site)
    assert REPO not in samples.parents, "the installed package must not be the repository's"

    result = subprocess.run([str(bin_dir / "glyphic"), "ocr", str(samples / "sample.png"), "--quiet"],
                            capture_output=True, text=True, env=_clean_env(), cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    expected = (samples / "sample.txt").read_text(encoding="utf-8")
    assert difflib.SequenceMatcher(None, result.stdout, expected).ratio() > 0.8, result.stdout
    for script in ("glyphic", "glyphic-gui"):
        version = subprocess.run([str(bin_dir / script), "--version"], capture_output=True, text=True,
                                 env=_clean_env(), cwd=tmp_path, check=True).stdout
        assert version.startswith(f"{script} ")
