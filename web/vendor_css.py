"""NHS.UK frontend's CSS as we serve it: without @font-face rules that load fonts from
another host (assets.nhs.uk). We serve nothing from outside, our CSP would block them
anyway (four console errors on every page), and site.css sets Arial, as NHS.UK frontend
recommends for services that are not NHS services."""
from __future__ import annotations

import functools
import re
from pathlib import Path

REMOTE_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*url\(\s*['\"]?https?://[^}]*\}", re.I)


@functools.lru_cache(maxsize=8)
def _stripped(path: Path, mtime: float) -> str:
    return REMOTE_FONT_FACE.sub("", path.read_text(encoding="utf-8"))


def without_remote_fonts(folder: Path, filename: str) -> str | None:
    """The CSS file's text without remote @font-face rules, or None if there is no such file."""
    path = folder / filename
    if path.name != filename or not path.is_file():  # no traversal: a plain file name only
        return None
    return _stripped(path, path.stat().st_mtime)
