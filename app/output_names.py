"""Output names for a batch run that never collide: one function for the local, ``--jobs`` and cluster modes.

Rules (:func:`plan_outputs`):

1. The output tree mirrors the inputs' folders as the user named them, with their one common root
   stripped: ``glyphic ocr vol1 vol2`` writes ``vol1/page001`` and ``vol2/page001``; a single folder's
   files keep their sub-folders below it; files named one by one get bare stems. Should that still clash
   (``a/p.png`` and ``b/p.png`` named one by one), the files' absolute folders are mirrored instead.
2. Two inputs in one output folder whose stems clash (``scan.png`` and ``scan.jpg``) both keep their
   source extension: ``scan.png`` and ``scan.jpg`` (the format's suffix is added after it: ``scan.png.txt``).
3. The same input named twice runs once.
4. Names still equal after that (compared case-insensitively, as on Windows and macOS disks) make the
   run refuse before anything is recognised (:class:`NameClashError`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from app.sources import InputFile, is_url

#: The resume state lives in this folder of the output folder; no output may land there.
STATE_FOLDER = ".glyphic"
_UNSAFE = re.compile(r'[\x00-\x1f<>:"\\|?*]')


class NameClashError(ValueError):
    """Two inputs would be written to the same output name; ``clashes`` maps the name to the inputs."""

    def __init__(self, clashes: dict[str, list[str]]) -> None:
        self.clashes = clashes
        lines = [f"{name}: {', '.join(sources)}" for name, sources in sorted(clashes.items())]
        super().__init__("these inputs would overwrite each other's outputs: " + "; ".join(lines))


def plan_outputs(items: Iterable[InputFile], folders: Sequence[tuple[str, ...]] | None = None) -> list[InputFile]:
    """The inputs with their ``stem`` replaced by a collision-free output name (``a/b/name``, no suffix).

    Args:
        items: the inputs, in order (an input named twice runs once).
        folders: each input's folder as the user named it (``("vol1", "sub")`` for ``vol1/sub/p.png`` found
            in the argument ``vol1``; ``()`` for a file named on its own); default: its absolute folder.
            When these names clash, the absolute folders are mirrored instead.

    Raises:
        NameClashError: two distinct inputs would still share an output name.
    """
    pairs = list(zip(items, folders, strict=True)) if folders is not None else [(i, None) for i in items]
    unique = {item.source: (item, folder) for item, folder in reversed(pairs)}
    ordered = [unique.pop(item.source) for item, _ in pairs if item.source in unique]
    if not ordered:
        return []
    chosen = [item for item, _ in ordered]
    if folders is not None:
        try:
            return _plan(chosen, [folder or () for _, folder in ordered])
        except NameClashError:
            pass  # e.g. two files named alike given from two folders: mirror where they are
    return _plan(chosen, [_folder_parts(item) for item in chosen])


def _plan(items: list[InputFile], folders: list[tuple[str, ...]]) -> list[InputFile]:
    root = _common_prefix(folders)
    planned = []
    by_folder: dict[tuple[str, ...], list[int]] = defaultdict(list)  # folders equal but for case are one
    for position, (item, folder) in enumerate(zip(items, folders, strict=True)):
        relative = tuple(_safe(part) for part in folder[len(root):])
        by_folder[tuple(part.casefold() for part in relative)].append(position)
        planned.append((relative, _file_name(item)))
    names = [""] * len(items)
    for positions in by_folder.values():
        for position, name in _names_in_folder([planned[p][1] for p in positions]).items():
            names[positions[position]] = "/".join((*planned[positions[position]][0], _safe(name)))
    _refuse_clashes(items, names)
    return [replace(item, stem=name) for item, name in zip(items, names, strict=True)]


def given_folder(argument: str, item: InputFile) -> tuple[str, ...]:
    """``item``'s folder as the user named it: a folder argument's name and the sub-folders below it."""
    if is_url(argument) or is_url(item.source):
        base, source = argument.rstrip("/"), item.source
        if source == base or not source.startswith(base + "/"):
            return ()
        return (base.rsplit("/", 1)[-1], *source[len(base) + 1:].split("/")[:-1])
    folder = Path(argument)
    if not folder.is_dir():
        return ()
    return (folder.absolute().name or "root", *Path(item.source).relative_to(folder).parent.parts)


def _names_in_folder(file_names: list[str]) -> dict[int, str]:
    """Bare stems, except that every name in a clash keeps its extension (repeated until none is left)."""
    full = [False] * len(file_names)
    while True:
        names = [f if whole else PurePosixPath(f).stem for f, whole in zip(file_names, full, strict=True)]
        groups: dict[str, list[int]] = defaultdict(list)
        for position, name in enumerate(names):
            groups[name.casefold()].append(position)
        switch = [p for group in groups.values() if len(group) > 1 for p in group if not full[p]]
        if not switch:
            return dict(enumerate(names))
        for position in switch:
            full[position] = True


def output_paths(out_dir: Path, name: str, suffixes: Sequence[str]) -> list[Path]:
    """The files of output ``name`` (as :func:`plan_outputs` gives it) for each suffix."""
    return [out_dir / f"{name}{suffix}" for suffix in suffixes]


def _refuse_clashes(items: list[InputFile], names: list[str]) -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for item, name in zip(items, names, strict=True):
        seen[name.casefold()].append(item.source)
    clashes = {name: sources for name, sources in seen.items() if len(sources) > 1}
    if clashes:
        raise NameClashError(clashes)


def _folder_parts(item: InputFile) -> tuple[str, ...]:
    """The input's folder as path parts; a URL's first part is its scheme and bucket/host."""
    if is_url(item.source):
        scheme, _, rest = item.source.partition("://")
        parts = [p for p in rest.split("/") if p]
        return (f"{scheme}_{parts[0]}" if parts else scheme, *parts[1:-1])
    absolute = Path(item.location if item.location else item.source).absolute()
    return tuple(p for p in absolute.parent.parts if p not in ("/", "\\")) or ("root",)


def _file_name(item: InputFile) -> str:
    name = item.source.rstrip("/").rsplit("/", 1)[-1] if is_url(item.source) else Path(item.source).name
    return name or item.stem or "page"


def _common_prefix(folders: list[tuple[str, ...]]) -> tuple[str, ...]:
    first = folders[0]
    length = len(first)
    for folder in folders[1:]:
        length = min(length, len(folder))
        for i in range(length):
            if folder[i] != first[i]:
                length = i
                break
    return first[:length]


def _safe(part: str) -> str:
    """A path part without characters some file systems refuse, never hidden, ``.`` or ``..``."""
    cleaned = _UNSAFE.sub("_", part).strip()
    if cleaned in ("", ".", ".."):
        return "_"
    return "_" + cleaned[1:] if cleaned.startswith(".") else cleaned
