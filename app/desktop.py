"""Desktop integration on Linux and other freedesktop.org desktops (Qt-free).

``glyphic install-desktop`` writes, under a data folder (``$XDG_DATA_HOME``, by default ``~/.local/share``,
with ``--user``; ``DIR/share`` with ``--prefix DIR``):

* ``applications/glyphic.desktop`` -- the menu entry, which opens PNG, JPEG, TIFF, PDF and Glyphic projects;
* ``icons/hicolor/SIZExSIZE/apps/glyphic.png`` in the icon theme's fixed sizes and ``scalable/apps/glyphic.svg``,
  and the same picture as ``mimetypes/application-x-glyphic-project`` for project files;
* ``mime/packages/glyphic.xml`` -- the shared-mime-info package registering ``application/x-glyphic-project``
  (``*.glyphic``, a zip archive).

Then it refreshes the desktop's caches with ``update-mime-database``, ``update-desktop-database`` and
``gtk-update-icon-cache`` where those programs exist. ``glyphic uninstall-desktop`` removes exactly those
files and refreshes the caches again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

DESKTOP_ID = "glyphic"
ICON_NAME = "glyphic"
PROJECT_MIME = "application/x-glyphic-project"
PROJECT_ICON = PROJECT_MIME.replace("/", "-")
PAGE_MIMES = ("image/png", "image/jpeg", "image/tiff", "application/pdf")
#: Fixed sizes of the hicolor theme the icons are installed in (resources/icons/glyphic-SIZE.png).
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def user_data_dir() -> Path:
    """``$XDG_DATA_HOME`` or ``~/.local/share``."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def data_dir_for(prefix: Path | None) -> Path:
    """Where the files go: ``PREFIX/share``, or the user's data folder when no prefix is given."""
    return Path(prefix) / "share" if prefix is not None else user_data_dir()


def gui_command() -> list[str]:
    """The command that starts the editor: ``glyphic-gui`` beside this Python, on PATH, or ``python -m``."""
    beside = Path(sys.executable).parent / "glyphic-gui"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("glyphic-gui")
    if found:
        return [found]
    return [sys.executable, "-m", "app.gui.main"]


def _exec_argument(arg: str) -> str:
    """One argument of an Exec key, quoted as the Desktop Entry spec asks."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`=%")
    if not any(c in reserved for c in arg):
        return arg
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    # the whole value is a desktop "string", in which a backslash is escaped once more
    return '"' + quoted.replace("\\", "\\\\") + '"'


def desktop_entry(command: Sequence[str]) -> str:
    """The text of ``glyphic.desktop`` starting ``command`` with the files to open."""
    exec_line = " ".join(_exec_argument(arg) for arg in command) + " %F"
    mimes = ";".join((*PAGE_MIMES, PROJECT_MIME)) + ";"
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.4\n"
        "Name=Glyphic\n"
        "GenericName=OCR Editor\n"
        "Comment=Read scanned pages and correct their transcription\n"
        f"Exec={exec_line}\n"
        f"Icon={ICON_NAME}\n"
        "Terminal=false\n"
        "StartupNotify=true\n"
        "Categories=Graphics;Scanning;OCR;\n"
        "Keywords=OCR;scan;handwriting;transcription;text recognition;\n"
        f"MimeType={mimes}\n"
    )


def mime_package() -> str:
    """The shared-mime-info package that registers Glyphic's project type."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{PROJECT_MIME}">
    <comment>Glyphic project</comment>
    <acronym>OCR</acronym>
    <sub-class-of type="application/zip"/>
    <icon name="{PROJECT_ICON}"/>
    <glob pattern="*.glyphic"/>
  </mime-type>
</mime-info>
"""


def _icon(name: str) -> bytes:
    return (resources.files("resources") / "icons" / name).read_bytes()


def planned_files(data_dir: Path) -> list[Path]:
    """Every file install writes under ``data_dir`` (the list uninstall removes)."""
    icons = data_dir / "icons" / "hicolor"
    paths = [data_dir / "applications" / f"{DESKTOP_ID}.desktop", data_dir / "mime" / "packages" / "glyphic.xml"]
    for size in ICON_SIZES:
        folder = icons / f"{size}x{size}"
        paths += [folder / "apps" / f"{ICON_NAME}.png", folder / "mimetypes" / f"{PROJECT_ICON}.png"]
    scalable = icons / "scalable"
    paths += [scalable / "apps" / f"{ICON_NAME}.svg", scalable / "mimetypes" / f"{PROJECT_ICON}.svg"]
    return paths


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def install(data_dir: Path, command: Sequence[str] | None = None, refresh: bool = True) -> list[Path]:
    """Write the menu entry, the icons and the MIME package under ``data_dir``; returns the files written."""
    data_dir = Path(data_dir)
    desktop, mime, *icon_paths = planned_files(data_dir)
    _write(desktop, desktop_entry(command or gui_command()).encode())
    _write(mime, mime_package().encode())
    for path in icon_paths:
        name = "glyphic.svg" if path.suffix == ".svg" else f"glyphic-{path.parts[-3].split('x')[0]}.png"
        _write(path, _icon(name))
    if refresh:
        refresh_caches(data_dir)
    return [desktop, mime, *icon_paths]


def uninstall(data_dir: Path, refresh: bool = True) -> list[Path]:
    """Remove what :func:`install` wrote under ``data_dir`` (and folders it leaves empty); returns the files removed."""
    data_dir = Path(data_dir)
    removed = []
    for path in planned_files(data_dir):
        if path.is_file():
            path.unlink()
            removed.append(path)
        folder = path.parent
        while folder != data_dir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    if refresh:
        refresh_caches(data_dir)
    return removed


def refresh_caches(data_dir: Path) -> list[str]:
    """Run the desktop's cache tools that exist; returns the ones that ran.

    The MIME database and the icon cache are only rebuilt where they already exist or files of ours are
    there, so an uninstall from a prefix leaves no generated cache files behind.
    """
    ran = []
    mime = data_dir / "mime"
    tools = [("update-mime-database", [str(mime)], mime / "packages"),
             ("update-desktop-database", ["-q", str(data_dir / "applications")], data_dir / "applications"),
             ("gtk-update-icon-cache", ["-q", "-t", "-f", str(data_dir / "icons" / "hicolor")],
              data_dir / "icons" / "hicolor")]
    for tool, args, needs in tools:
        program = shutil.which(tool)
        if program is None or not needs.is_dir():
            continue
        subprocess.run([program, *args], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ran.append(tool)
    _remove_generated(data_dir)
    return ran


def _remove_generated(data_dir: Path) -> None:
    """After an uninstall: drop the caches generated in folders that hold nothing of anyone's any more."""
    mime = data_dir / "mime"
    packages = mime / "packages"
    if mime.is_dir() and not (packages.is_dir() and any(packages.iterdir())):
        shutil.rmtree(mime)
    applications = data_dir / "applications"
    if applications.is_dir() and not any(applications.rglob("*.desktop")):
        shutil.rmtree(applications)
    hicolor = data_dir / "icons" / "hicolor"
    if hicolor.is_dir() and not any(p.is_file() and p.name != "icon-theme.cache" for p in hicolor.rglob("*")):
        shutil.rmtree(hicolor)
        icons = data_dir / "icons"
        if not any(icons.iterdir()):
            icons.rmdir()
