"""Fetch the typewriter and handwriting faces of the synthetic training lines into a cache folder.

The faces are OFL-licensed ``@fontsource/*`` packages of the npm registry (woff files that Pillow
reads). Each package's tarball is downloaded once, its Latin weight-400 normal ``.woff`` and its
licence are kept, and ``licences.json`` records per face the package, version, tarball sha512
integrity and licence::

    python scripts/fetch_fonts.py                 # into ~/.cache/glyphic/fonts
    python scripts/fetch_fonts.py --out DIR

Debian's own faces (serif, sans, mono, URW base35) come from font packages instead::

    apt-get install fonts-liberation2 fonts-urw-base35 fonts-freefont-ttf fonts-texgyre

:mod:`recognizer.synthetic_lines` finds both (``GLYPHIC_FONT_CACHE`` overrides the cache folder).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org/@fontsource/"
#: Faces by the look they give: typewritten / receipt print, and handwriting (print and cursive).
TYPEWRITER = ("special-elite", "courier-prime", "cutive-mono", "vt323", "share-tech-mono", "ibm-plex-mono",
              "anonymous-pro", "b612-mono")
HANDWRITING = ("caveat", "dancing-script", "homemade-apple", "cedarville-cursive", "reenie-beanie", "indie-flower",
               "kalam", "patrick-hand", "shadows-into-light", "satisfy", "allura", "great-vibes", "parisienne",
               "alex-brush", "la-belle-aurore", "mrs-saint-delafield", "architects-daughter", "gochi-hand",
               "nothing-you-could-do", "just-another-hand")
FACES = {**{name: "typewriter" for name in TYPEWRITER}, **{name: "handwriting" for name in HANDWRITING}}


def default_cache() -> Path:
    return Path.home() / ".cache" / "glyphic" / "fonts"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def fetch_face(name: str, out: Path) -> dict[str, str] | None:
    """Download ``@fontsource/<name>`` and keep its Latin 400 normal woff; return its licence record."""
    meta = json.loads(_get(REGISTRY + name + "/latest"))
    tarball = _get(meta["dist"]["tarball"])
    kept: dict[str, str] | None = None
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
        wanted = [n for n in members if n.endswith(f"/{name}-latin-400-normal.woff")]
        if not wanted:
            wanted = sorted(n for n in members if n.endswith("-latin-400-normal.woff"))
        if not wanted:
            return None
        data = archive.extractfile(members[wanted[0]])
        licence_name = next((n for n in members if n.split("/")[-1].upper().startswith("LICEN")), None)
        if data is None:
            return None
        target = out / f"{name}.woff"
        target.write_bytes(data.read())
        licence_text = ""
        if licence_name is not None:
            handle = archive.extractfile(members[licence_name])
            licence_text = handle.read().decode("utf-8", "replace") if handle else ""
            (out / f"{name}.LICENSE.txt").write_text(licence_text, encoding="utf-8")
        kept = {"file": target.name, "package": f"@fontsource/{name}", "version": str(meta["version"]),
                "licence": str(meta.get("license", "")), "integrity": str(meta["dist"].get("integrity", "")),
                "look": FACES.get(name, "")}
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_cache())
    parser.add_argument("faces", nargs="*", default=list(FACES))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    record_path = args.out / "licences.json"
    records = json.loads(record_path.read_text()) if record_path.exists() else {}
    for name in args.faces:
        if name in records and (args.out / records[name]["file"]).exists():
            continue
        try:
            record = fetch_face(name, args.out)
        except Exception as exc:  # one missing face must not stop the others
            print(f"{name}: {exc}", file=sys.stderr)
            continue
        if record is None:
            print(f"{name}: no latin 400 woff in the package", file=sys.stderr)
            continue
        records[name] = record
        print(f"{name}: {record['version']} {record['licence']}")
    record_path.write_text(json.dumps(records, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
