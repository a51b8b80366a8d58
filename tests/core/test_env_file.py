"""docs/deploy.md's env file example is read whole by its `bollplank-manage` wrapper (`sh`,
`set -a; . file`) and gives the same values systemd's `EnvironmentFile=` reads from it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
RUN_LINE = 'cd /srv/bollplank && exec runuser -u bollplank -- .venv/bin/python manage.py "$@"'


def _heredoc(text: str, target: str) -> str:
    found = re.search(rf"cat > {re.escape(target)} <<'EOF'\n(.*?)\nEOF\n", text, re.S)
    assert found is not None, f"no {target} example in docs/deploy.md"
    return found.group(1) + "\n"


def _systemd_values(env_file: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd reads them: a value wholly in quotes loses its quotes."""
    values = {}
    for line in env_file.splitlines():
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue
        key, _sep, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


@pytest.mark.slow
def test_wrapper_reads_the_documented_env_file_whole(tmp_path: Path) -> None:
    text = DEPLOY.read_text(encoding="utf-8")
    env_file = _heredoc(text, "/etc/bollplank/env")
    wrapper = _heredoc(text, "/usr/local/bin/bollplank-manage")
    (tmp_path / "env").write_text(env_file, encoding="utf-8")
    # The wrapper as documented, reading the file from here and printing the environment its
    # command would get instead of running manage.py as the service user.
    assert "/etc/bollplank/env" in wrapper and RUN_LINE in wrapper
    script = wrapper.replace("/etc/bollplank/env", str(tmp_path / "env"))
    script = script.replace(RUN_LINE, "exec env -0")
    (tmp_path / "bollplank-manage").write_text(script, encoding="utf-8")
    done = subprocess.run(
        ["sh", str(tmp_path / "bollplank-manage"), "migrate"],
        capture_output=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=10,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""
    seen = dict(item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    expected = _systemd_values(env_file)
    assert expected["BOLLPLANK_DEFAULT_FROM_EMAIL"] == "Ekbacken handledning <bollplank@example.se>"
    assert {key: seen.get(key) for key in expected} == expected
