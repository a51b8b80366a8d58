"""Whether `collectstatic`'s output is newer than everything it is made from.

The bench collects the static files before each server it starts, as a deployment does. Doing it
again when nothing changed post-processes and compresses every file anew (brotli at its best
quality, about ten seconds), so a second bench run on the same checkout skips it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _newest(folder: Path, *, static_only: bool) -> float:
    newest = 0.0
    for path in folder.rglob("*"):
        if path.is_file() and (not static_only or "static" in path.parts):
            newest = max(newest, path.stat().st_mtime)
    return newest


def collected_is_current(root: Path = ROOT) -> bool:
    """True when staticfiles/staticfiles.json is newer than what collectstatic reads: the apps'
    static folders, the npm packages settings.STATICFILES_DIRS serves, and the locks that say
    which versions of the Python and npm packages (whose static files it also collects) are in."""
    manifest = root / "staticfiles" / "staticfiles.json"
    if not manifest.is_file():
        return False
    sources = [(root / "src", True)] + [
        (root / "node_modules" / package, False) for package in ("htmx.org/dist", "axe-core")
    ]
    newest = max(
        [_newest(folder, static_only=only) for folder, only in sources if folder.is_dir()]
        + [
            lock.stat().st_mtime
            for lock in (root / "requirements.txt", root / "package-lock.json")
            if lock.is_file()
        ],
        default=0.0,
    )
    return newest < manifest.stat().st_mtime
