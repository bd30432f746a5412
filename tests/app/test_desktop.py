"""``glyphic install-desktop`` / ``uninstall-desktop``: files the freedesktop tools accept, and a clean round trip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app import desktop
from app.cli import main

#: The part of the shared-mime-info package format Glyphic writes, as RELAX NG for ``xmllint --relaxng``.
MIME_SCHEMA = """<?xml version="1.0" encoding="UTF-8"?>
<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="http://www.freedesktop.org/standards/shared-mime-info">
  <start>
    <element name="mime-info">
      <oneOrMore>
        <element name="mime-type">
          <attribute name="type"><data type="string" datatypeLibrary=""/></attribute>
          <oneOrMore>
            <choice>
              <element name="comment"><text/></element>
              <element name="acronym"><text/></element>
              <element name="sub-class-of"><attribute name="type"/></element>
              <element name="icon"><attribute name="name"/></element>
              <element name="generic-icon"><attribute name="name"/></element>
              <element name="glob"><attribute name="pattern"/></element>
            </choice>
          </oneOrMore>
        </element>
      </oneOrMore>
    </element>
  </start>
</grammar>
"""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian/Ubuntu: apt-get install desktop-file-utils libxml2-utils)")
    return path


def test_install_writes_a_valid_entry_and_mime_package_and_uninstall_removes_them(tmp_path: Path,
                                                                                  capsys: pytest.CaptureFixture[str]
                                                                                  ) -> None:
    validate, xmllint = _tool("desktop-file-validate"), _tool("xmllint")
    prefix = tmp_path / "prefix with space"
    assert main(["install-desktop", "--prefix", str(prefix)]) == 0
    share = prefix / "share"
    entry = share / "applications" / "glyphic.desktop"
    package = share / "mime" / "packages" / "glyphic.xml"
    for path in desktop.planned_files(share):
        assert path.is_file(), path
    result = subprocess.run([validate, str(entry)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "error" not in result.stdout + result.stderr, result.stdout + result.stderr
    text = entry.read_text()
    for mime in ("image/png", "image/jpeg", "image/tiff", "application/pdf", "application/x-glyphic-project"):
        assert mime in text
    assert "Icon=glyphic\n" in text and "%F" in text
    schema = tmp_path / "mime.rng"
    schema.write_text(MIME_SCHEMA)
    result = subprocess.run([xmllint, "--noout", "--relaxng", str(schema), str(package)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for size in desktop.ICON_SIZES:
        from PIL import Image

        with Image.open(share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "glyphic.png") as icon:
            assert icon.size == (size, size)
    if shutil.which("update-mime-database"):  # the package was compiled into a MIME database
        compiled = (share / "mime" / "application" / "x-glyphic-project.xml").read_text()
        assert "*.glyphic" in compiled
        assert "application/x-glyphic-project" in (share / "mime" / "globs2").read_text()

    assert main(["uninstall-desktop", "--prefix", str(prefix)]) == 0
    assert [p for p in prefix.rglob("*") if p.is_file()] == []
    assert "removed 22 file(s)" in capsys.readouterr().out


def test_exec_line_quotes_a_path_with_spaces_and_reserved_characters(tmp_path: Path) -> None:
    entry = desktop.desktop_entry(["/opt/my apps/bin/glyphic-gui", "--flag=$x"])
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert exec_line == 'Exec="/opt/my apps/bin/glyphic-gui" "--flag=\\\\$x" %F'
    if shutil.which("desktop-file-validate"):
        path = tmp_path / "glyphic.desktop"
        path.write_text(entry)
        result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("module", ["app.cli", "app.gui.main"])
def test_version_options(module: str, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib

    with pytest.raises(SystemExit) as stop:
        importlib.import_module(module).main(["--version"])
    assert stop.value.code == 0
    name = "glyphic" if module == "app.cli" else "glyphic-gui"
    assert capsys.readouterr().out.startswith(f"{name} ")


def test_user_install_goes_to_xdg_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert desktop.data_dir_for(None) == tmp_path / "data"
    files = desktop.install(desktop.data_dir_for(None), ["glyphic-gui"], refresh=False)
    assert files[0] == tmp_path / "data" / "applications" / "glyphic.desktop"
    assert len(desktop.uninstall(tmp_path / "data", refresh=False)) == len(files)
    assert not (tmp_path / "data" / "applications").exists()
