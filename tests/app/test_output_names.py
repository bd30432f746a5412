"""Output names (one function for the plain run, --jobs and --cluster): never one output over another."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.output_names import NameClashError, given_folder, plan_outputs
from app.sources import InputFile


def item(path: str) -> InputFile:
    return InputFile(path, PurePosixPath(path).stem, "1:1", path)


def names(paths: list[str], folders: list[tuple[str, ...]] | None = None) -> list[str]:
    return [i.stem for i in plan_outputs([item(p) for p in paths], folders)]


def test_folders_mirrored_below_their_common_root() -> None:
    assert names(["/d/vol1/page001.png", "/d/vol2/page001.png", "/d/vol2/sub/x.tif"]) == [
        "vol1/page001", "vol2/page001", "vol2/sub/x"]
    assert names(["/d/a.png", "/d/b.png"]) == ["a", "b"]


def test_clashing_stems_keep_their_extension() -> None:
    assert names(["/d/scan.png", "/d/scan.jpg", "/d/other.png"]) == ["scan.png", "scan.jpg", "other"]
    # keeping the extension may clash again with another stem: that one keeps its extension too
    assert names(["/d/scan.png", "/d/scan.jpg", "/d/scan.png.tif"]) == ["scan.png", "scan.jpg", "scan.png.tif"]


def test_the_same_input_twice_runs_once() -> None:
    assert names(["/d/a.png", "/d/a.png"]) == ["a"]


def test_names_equal_but_for_case_are_refused() -> None:
    with pytest.raises(NameClashError, match="overwrite") as info:
        names(["/d/Scan.png", "/d/scan.png"])
    assert list(info.value.clashes.values()) == [["/d/Scan.png", "/d/scan.png"]]


def test_folders_as_the_user_named_them(tmp_path: Path) -> None:
    (tmp_path / "vol1" / "sub").mkdir(parents=True)
    found = item(str(tmp_path / "vol1" / "sub" / "p.png"))
    assert given_folder(str(tmp_path / "vol1"), found) == ("vol1", "sub")
    assert given_folder(str(tmp_path / "vol1" / "sub" / "p.png"), found) == ()
    assert given_folder("s3://bucket/scans", item("s3://bucket/scans/2024/p.png")) == ("scans", "2024")
    # the folders all files share are stripped
    assert names(["/v/p.png", "/v/sub/q.png"], [("vol1",), ("vol1", "sub")]) == ["p", "sub/q"]
    # files named one by one get bare names, unless those clash: then their folders are mirrored
    assert names(["/x/a/p.png", "/x/b/q.png"], [(), ()]) == ["p", "q"]
    assert names(["/x/a/p.png", "/x/b/p.png"], [(), ()]) == ["a/p", "b/p"]


FOLDERS = st.sampled_from(["/in/a", "/in/b", "/in/a/sub", "/in/B", "/other"])
STEMS = st.sampled_from(["page", "Page", "scan", "scan.png", "x", "page001"])
SUFFIXES = st.sampled_from([".png", ".PNG", ".jpg", ".tif", ".pdf"])
FILES = st.lists(st.builds(lambda f, s, x: f"{f}/{s}{x}", FOLDERS, STEMS, SUFFIXES), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None)
@given(FILES, st.booleans())
def test_outputs_never_overwrite_each_other(paths: list[str], as_named: bool) -> None:
    folders = [tuple(PurePosixPath(p).parent.parts[2:]) for p in paths] if as_named else None
    distinct = list(dict.fromkeys(paths))
    try:
        planned = plan_outputs([item(p) for p in paths], folders)
    except NameClashError as exc:
        # refused only when two different files really share a name but for case
        assert len({p.casefold() for p in distinct}) < len(distinct), exc
        return
    assert [i.source for i in planned] == distinct
    out_names = [i.stem.casefold() for i in planned]
    assert len(set(out_names)) == len(out_names)
    for planned_item in planned:
        name = PurePosixPath(planned_item.stem).name
        source = PurePosixPath(planned_item.source)
        assert name in (source.stem, source.name)
        assert not any(part.startswith(".") for part in PurePosixPath(planned_item.stem).parts)
