import json
from importlib.resources import files
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from app.cli import main

SAMPLE = Path(str(files("resources") / "samples" / "sample.png"))
TRUTH = SAMPLE.with_suffix(".txt")


def folded_cer(truth: str, text: str) -> float:
    t, h = " ".join(truth.lower().split()), " ".join(text.lower().split())
    return Levenshtein.distance(t, h) / len(t)


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("glyphic ")


def test_sample_to_stdout(capsys):
    assert main(["ocr", str(SAMPLE), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert folded_cer(TRUTH.read_text(), text) < 0.15, text


def test_all_formats_and_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    out = tmp_path / "out"
    code = main(["ocr", str(bad), str(SAMPLE), "-o", str(out), "--format", "txt,hocr,alto,json,pdf", "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert "broken.png" in err and "1 of 2" in err
    names = sorted(p.name for p in out.iterdir() if p.name != ".glyphic")
    assert names == ["sample.alto.xml", "sample.hocr", "sample.json", "sample.pdf", "sample.txt"]
    document = json.loads((out / "sample.json").read_text())
    assert document["pages"][0]["width"] == 1700
    assert (out / "sample.txt").read_text().strip() != ""


def test_unknown_format_and_missing_model(tmp_path, capsys):
    assert main(["ocr", str(SAMPLE), "--format", "rtf"]) == 2
    assert "rtf" in capsys.readouterr().err
    assert main(["ocr", str(SAMPLE), "--model", str(tmp_path / "nope.json")]) == 2
    assert "nope.json" in capsys.readouterr().err


def test_no_lexicon_keeps_raw_reading(capsys):
    assert main(["ocr", str(SAMPLE), "--quiet", "--no-lexicon"]) == 0
    assert capsys.readouterr().out.strip() != ""


@pytest.mark.slow
def test_jobs_give_the_same_text(tmp_path, capsys):
    from PIL import Image

    pages = [Image.open(SAMPLE).convert("L")] * 3
    tiff = tmp_path / "three.tif"
    pages[0].save(tiff, save_all=True, append_images=pages[1:])
    assert main(["ocr", str(tiff), "--quiet"]) == 0
    serial = capsys.readouterr().out
    assert main(["ocr", str(tiff), "--quiet", "--jobs", "2"]) == 0
    parallel = capsys.readouterr().out
    assert serial == parallel
    assert serial.count("\f") == 2


def test_line_model_option_is_parsed():
    from app.cli import build_parser

    args = build_parser().parse_args(["ocr", "page.png", "--line-model", "runs/x/lines.json"])
    assert args.line_model == Path("runs/x/lines.json")
    assert build_parser().parse_args(["ocr", "page.png"]).line_model is None
