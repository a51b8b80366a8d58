"""The bench skips collectstatic only while its output is newer than everything it reads."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from collected import collected_is_current  # noqa: E402


def _write(path: Path, when: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (when, when))


def test_collected_output_is_current_until_a_source_changes(tmp_path: Path) -> None:
    css = tmp_path / "src" / "bollplank" / "static" / "css" / "site.css"
    view = tmp_path / "src" / "bollplank" / "home" / "views.py"
    axe = tmp_path / "node_modules" / "axe-core" / "axe.min.js"
    lock = tmp_path / "requirements.txt"
    manifest = tmp_path / "staticfiles" / "staticfiles.json"
    for path in (css, view, axe, lock):
        _write(path, 1_000)
    assert not collected_is_current(tmp_path), "nothing collected yet"

    _write(manifest, 2_000)
    assert collected_is_current(tmp_path)

    _write(view, 3_000)
    assert collected_is_current(tmp_path), "a change outside the static folders collects nothing"

    for changed in (css, axe, lock):
        _write(changed, 3_000)
        assert not collected_is_current(tmp_path), f"{changed.name} is newer than the output"
        _write(manifest, 4_000)
        assert collected_is_current(tmp_path)
        _write(manifest, 2_000)
        _write(changed, 1_000)
