"""Find and replace, page rotation and crop, folders of pages, and bad input among good pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from app.gui.page_ops import rotate_box
from tests.gui.conftest import draw_page


def test_find_next_and_replace_all_is_one_undo_step(recognised: Any) -> None:
    window = recognised
    window.show_find()
    dialog = window.find_dialog
    page = window.session.document.pages[0]
    word = page.lines[1].words[0].text  # a word as it was read
    dialog.find_edit.setText(word)
    dialog.case.setChecked(True)
    match = dialog.find_next()
    assert match is not None and window.session.selection is not None
    assert window.session.selection.line_ref == match.line
    count = sum(line.text.count(word) for line in page.lines)
    dialog.replace_edit.setText("ZZ")
    before = page.text
    assert dialog.replace_all() >= 1
    after = window.session.document.pages[0].text
    assert after.count("ZZ") >= count and word not in after.replace("ZZ", "")
    assert window.session.undo_stack.count() == 1
    window.session.undo_stack.undo()
    assert window.session.document.pages[0].text == before


def test_replace_one_at_a_time(recognised: Any) -> None:
    window = recognised
    window.show_find()
    dialog = window.find_dialog
    line = window.session.document.pages[0].lines[0]
    dialog.find_edit.setText(line.words[0].text)
    dialog.case.setChecked(True)
    dialog.replace_edit.setText("Qq")
    dialog.replace_current()
    assert window.session.document.pages[0].lines[0].words[0].text == "Qq"
    assert all(g.corrected for g in window.session.document.pages[0].lines[0].words[0].glyphs)


def test_rotate_box_round_trip() -> None:
    box = (10, 20, 30, 60)
    assert rotate_box(box, 100, 200, 1) == (140, 10, 180, 30)
    width, height = 100, 200
    turned = box
    for k in range(4):
        turned = rotate_box(turned, width if k % 2 == 0 else height, height if k % 2 == 0 else width, 1)
    assert turned == box


def test_rotate_page_moves_image_and_boxes_and_undoes(recognised: Any, qtbot: Any) -> None:
    window = recognised
    session = window.session
    page = session.document.pages[0]
    image = session.page_image(0).copy()
    glyph = next(iter(page.glyphs()))
    with qtbot.waitSignal(session.undo_stack.indexChanged, timeout=30_000):
        window.actions_.rotate_right.trigger()
    rotated = session.document.pages[0]
    assert (rotated.width, rotated.height) == (page.height, page.width)
    assert session.page_image(0).shape == (image.shape[1], image.shape[0])
    assert np.array_equal(session.page_image(0), np.rot90(image, k=-1))
    x0, y0, x1, y1 = next(iter(rotated.glyphs())).bbox
    assert np.array_equal(session.page_image(0)[y0:y1, x0:x1], np.rot90(image[glyph.bbox[1]:glyph.bbox[3],
                                                                               glyph.bbox[0]:glyph.bbox[2]], k=-1))
    assert window.view.sceneRect().width() == page.height
    session.undo_stack.undo()
    assert session.document.pages[0] is page and np.array_equal(session.page_image(0), image)


def test_crop_keeps_glyphs_inside(recognised: Any, qtbot: Any) -> None:
    window = recognised
    session = window.session
    page = session.document.pages[0]
    first_line = page.lines[0]
    window.actions_.crop.trigger()
    box = (0, 0, page.width, first_line.bbox[3] + 10)
    with qtbot.waitSignal(session.undo_stack.indexChanged, timeout=30_000):
        window.view.box_drawn.emit(box)
    cropped = session.document.pages[0]
    assert cropped.height == box[3] and session.page_image(0).shape[0] == box[3]
    assert [ln.text for ln in cropped.lines] == [first_line.text]
    assert not window.view._draw_mode


def _write(path: Path, lines: list[str]) -> Path:
    Image.fromarray(draw_page(lines)).save(path)
    return path


def test_folder_and_a_corrupt_file_among_several(window: Any, dialogs: Any, qtbot: Any, tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    _write(folder / "a.png", ["first page here"])
    (folder / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    _write(folder / "c.png", ["third page here"])
    (folder / "notes.txt").write_text("not a page")
    with qtbot.waitSignal(window.recognition_finished, timeout=60_000):
        window.open_paths([folder])
    assert len(window.session.document.pages) == 2  # a and c
    assert all(image.recognized for image in window.session.images)
    assert window.page_list.count() == 2
    assert [kind for kind, text in dialogs.shown if "b.png" in text] == ["critical"]


def test_bad_pages_leave_pages_and_corrections_untouched(recognised: Any, dialogs: Any, qtbot: Any,
                                                          tmp_path: Path) -> None:
    window = recognised
    first = next(iter(window.session.document.pages[0].glyphs()))
    window.session.select(window.transcript._spans[0][0][2])
    window.editor.set_text("#", advance=False)
    text = window.session.document.pages[0].text
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="locked")
    locked = tmp_path / "locked.pdf"
    pdf.output(str(locked))
    huge = tmp_path / "huge.png"
    Image.new("1", (13_000, 12_000), 1).save(huge)
    dialogs.question_answer = QMessageBox.StandardButton.Discard  # "open another file? discard my changes"
    for bad in (locked, huge):
        window.open_paths([bad])
        qtbot.waitUntil(lambda bad=bad: any(bad.name in shown for _kind, shown in dialogs.shown), timeout=60_000)
        qtbot.waitUntil(lambda: not window.busy(), timeout=60_000)
        assert window.session.document.pages[0].text == text
        assert "page.png" in window.windowTitle()
    assert first is not None and text.startswith("#")
    assert "password" in " ".join(shown for _k, shown in dialogs.shown)


def test_recognise_one_line_again_keeps_its_corrections(recognised: Any, qtbot: Any) -> None:
    window = recognised
    session = window.session
    before = [line.text for line in session.document.pages[0].lines]
    ref = window.transcript._spans[1][0][2]  # first glyph of the second line
    session.select(ref)
    window.editor.set_text("#", advance=False)
    with qtbot.waitSignal(session.undo_stack.indexChanged, timeout=60_000):
        window.actions_.recognise_line.trigger()
    lines = [line.text for line in session.document.pages[0].lines]
    assert len(lines) == len(before)
    assert lines[0] == before[0] and lines[2] == before[2]  # the other lines are untouched
    assert lines[1].startswith("#")  # the corrected word came back over the new reading
    session.undo_stack.undo()
    assert [line.text for line in session.document.pages[0].lines][1].startswith("#")
    session.undo_stack.undo()
    assert [line.text for line in session.document.pages[0].lines] == before


def test_recognise_a_region_again(recognised: Any, qtbot: Any) -> None:
    window = recognised
    session = window.session
    page = session.document.pages[0]
    before = [line.text for line in page.lines]
    last = page.lines[-1]
    window.actions_.recognise_region.trigger()
    assert window.view._draw_mode
    box = (0, last.bbox[1] - 15, page.width, min(page.height, last.bbox[3] + 15))
    with qtbot.waitSignal(session.undo_stack.indexChanged, timeout=60_000):
        window.view.box_drawn.emit(box)
    after = [line.text for line in session.document.pages[0].lines]
    assert after[:-1] == before[:-1] and len(after) == len(before)
    assert after[-1].replace(" ", "")[:3] == before[-1].replace(" ", "")[:3]  # read again, much the same
    assert not window.view._draw_mode


def test_deskew_levels_a_slanted_page(window: Any, qtbot: Any, tmp_path: Path) -> None:
    import cv2

    from app.gui.page_ops import estimate_skew

    level = draw_page(["a slanted page of text", "with several lines on it", "to level again"])
    height, width = level.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -3.0, 1.0)
    slanted = cv2.warpAffine(level, matrix, (width, height), borderValue=255)
    assert abs(estimate_skew(level)) <= 0.4
    assert abs(estimate_skew(slanted) + 3.0) <= 0.6  # it was turned 3° clockwise
    path = tmp_path / "slanted.png"
    cv2.imwrite(str(path), slanted)
    with qtbot.waitSignal(window.recognition_finished, timeout=60_000):
        window.open_paths([path])
    session = window.session
    with qtbot.waitSignal(session.undo_stack.indexChanged, timeout=30_000):
        window.actions_.deskew.trigger()
    assert abs(estimate_skew(session.page_image(0))) <= 0.6
    assert abs(session.document.pages[0].skew_angle) <= 0.6  # the recorded slope of the image: none left
    session.undo_stack.undo()
    assert np.array_equal(session.page_image(0), slanted)
