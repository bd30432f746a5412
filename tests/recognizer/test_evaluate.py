"""The evaluation report on printed glyphs of held-out fonts (shipped model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from recognizer import Predictor
from recognizer.evaluate import held_out_printed, write_report
from recognizer.printed import PRINTED_CHARS, SCAN_QUALITY


def test_printed_report_counts_look_alikes_as_right(tmp_path: Path) -> None:
    damaged, damaged_chars = held_out_printed(2)
    scan, scan_chars = held_out_printed(2, degradation=SCAN_QUALITY)
    assert len(scan_chars) == len(scan.labels) == 2 * len(PRINTED_CHARS)
    assert not np.array_equal(damaged.images, scan.images)
    results = write_report(Predictor.from_resources(), {"printed-held-out": damaged, "printed-held-out-scan": scan},
                           tmp_path, "test", {"printed-held-out": damaged_chars, "printed-held-out-scan": scan_chars})
    for name in ("printed-held-out", "printed-held-out-scan"):
        m = results["splits"][name]
        assert m["count"] == len(scan.labels)
        assert m["accuracy"] <= m["context_accuracy"] + 1e-6 <= 1.0 + 1e-6
    # light scan damage reads better than the training stream's heavy damage
    assert results["splits"]["printed-held-out-scan"]["context_accuracy"] >= 0.9
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "`printed-held-out-scan`: glyph accuracy" in report
    assert json.loads((tmp_path / "report.json").read_text())["splits"].keys() == results["splits"].keys()
