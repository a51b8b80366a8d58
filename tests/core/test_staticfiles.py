"""collectstatic as a deployment runs it (hashed names, compressed copies): what pages load is
there, what no page loads is left out, and source maps are kept but not compressed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.marks import sqlite_run_only

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.mark.slow
@sqlite_run_only
def test_collectstatic_keeps_what_pages_load_and_leaves_out_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "static"
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", "--no-input", "-v0")
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}

    for needed in ["vendor/htmx/htmx.min.js", "vendor/axe/axe.min.js", "css/bollplank.css"]:
        assert needed in files
        assert f"{needed}.br" in files or f"{needed}.gz" in files
    assert any(f.startswith("ninja/swagger-ui-bundle.") for f in files)
    # The API's documentation page's CSS names its source map: kept, never compressed.
    assert "ninja/swagger-ui.css.map" in files
    assert not any(f.endswith((".map.gz", ".map.br")) for f in files)

    left_out = [
        "vendor/htmx/htmx.js",
        "vendor/htmx/htmx.esm.js",
        "vendor/htmx/htmx.esm.d.ts",
        "vendor/axe/axe.js",
        "vendor/axe/axe.d.ts",
        "vendor/axe/locales/sv.json",
        "vendor/axe/sri-history.json",
        "vendor/axe/package.json",
    ]
    assert not [f for f in left_out if f in files]
    assert not any(f.startswith("vendor/htmx/ext/") for f in files)
