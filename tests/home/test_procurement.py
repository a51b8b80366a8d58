"""The procurement pack (docs/procurement/): the committed files are what the command writes,
the sub-processors follow the settings, every piece of evidence named exists, and the
accessibility statement and the processing record are the code's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django_scopes import scope

from bollplank.core import personal_data_registry
from bollplank.core.personal_data_registry import Category
from bollplank.home.procurement import pack as pack_module
from bollplank.home.procurement.pack import FILES, pack
from bollplank.home.procurement.questions import QUESTIONS
from bollplank.meetings.video_servers import video_server_save
from bollplank.privacy.services import retention_rules_set
from tests.billing.conftest import settings_for

ROOT = Path(settings.BASE_DIR)
DOCS = ROOT / "docs" / "procurement"
STATEMENT = ROOT / "src" / "bollplank" / "templates" / "home" / "accessibility.html"


def _write(tmp_path: Path, *args: str) -> dict[str, str]:
    call_command("procurement_pack", "--out", str(tmp_path), *args)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(tmp_path.iterdir())}


def test_committed_pack_is_what_the_command_writes(tmp_path):
    written = _write(tmp_path, "--template")
    committed = {p.name: p.read_text(encoding="utf-8") for p in sorted(DOCS.iterdir())}
    assert sorted(written) == sorted(FILES)
    assert committed == written, (
        "docs/procurement/ is stale: run "
        "`.venv/bin/python manage.py procurement_pack --template --out docs/procurement`"
    )


def _subprocessors(tmp_path: Path) -> str:
    return _write(tmp_path)["underbitraden.md"]


@pytest.mark.django_db
def test_sub_processors_name_the_smtp_host_the_settings_give(tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.posten.example.se"
    settings.EMAIL_PORT = 587
    settings.EMAIL_USE_TLS = True
    text = _subprocessors(tmp_path)
    assert "| E-post (SMTP) |" in text
    assert "`smtp.posten.example.se:587`, med TLS" in text
    assert "BOLLPLANK_EMAIL_HOST" not in text  # a value, not a blank


@pytest.mark.django_db
def test_sub_processors_say_when_mail_stays_on_the_machine(tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_HOST = "smtp.posten.example.se"
    text = _subprocessors(tmp_path)
    assert "ingen: e-post lämnar inte servern" in text
    assert "smtp.posten.example.se" not in text


@pytest.mark.django_db
def test_sub_processors_list_the_practices_video_servers_and_the_payment_folder(
    tmp_path, settings, world
):
    settings.BGMAX_DIR = str(tmp_path / "bgmax")
    text = _subprocessors(tmp_path / "none")
    assert "ingen: ingen verksamhet har angett någon videoserver" in text
    with scope(practice=world.practice):
        video_server_save(
            actor=world.admin,
            practice=world.practice,
            base_url="https://video.ekbacken.example.se",
            app_id="bollplank",
            secret="s" * 40,
        )
    text = _subprocessors(tmp_path / "some")
    assert "`video.ekbacken.example.se`" in text
    assert f"Bankgirot, via filer i `{tmp_path / 'bgmax'}/`" in text


def _exists(item: str) -> bool:
    if re.fullmatch(r"[A-Z][A-Z0-9_]+", item):
        return hasattr(settings, item)
    if "::" in item:
        path, test = item.split("::", 1)
        return (ROOT / path).is_file() and f"def {test}(" in (ROOT / path).read_text()
    if "#" in item:
        path, heading = item.split("#", 1)
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
        return any(re.fullmatch(rf"#+ {re.escape(heading)}", line) for line in lines)
    return (ROOT / item).exists()


def test_every_answer_points_to_evidence_that_exists():
    assert len(QUESTIONS) >= 25
    missing = [e for q in QUESTIONS for e in q.evidence if not _exists(e)]
    assert missing == []
    assert all(q.evidence for q in QUESTIONS)


def test_every_path_the_pack_names_exists():
    named = {
        m
        for text in pack(None).values()
        for m in re.findall(r"`((?:tests|docs|src|\.ci)/[^`\s]*)`", text)
    }
    assert "tests/browser/test_screens.py" in named
    assert "tests/browser/test_keyboard.py" in named
    assert [p for p in sorted(named) if not (ROOT / p).exists()] == []


def _words(text: str) -> str:
    return " ".join(text.split())


def test_accessibility_statement_is_the_pages_own():
    from tests.browser.conftest import AXE_TAGS

    page = _words(STATEMENT.read_text(encoding="utf-8"))
    for msgid in (
        pack_module.STATEMENT_TITLE,
        pack_module.STATEMENT_AIM,
        pack_module.STATEMENT_CHECK,
        pack_module.STATEMENT_KNOWN,
        pack_module.STATEMENT_DIGG,
    ):
        assert msgid in page
    assert list(pack_module.AXE_TAGS) == AXE_TAGS
    text = pack(None)["tillganglighet.md"]
    assert "senast granskad 6 december 2026" in text
    assert "[DIGG](https://www.digg.se/)" in text


def test_agreement_lists_what_the_registry_holds(monkeypatch):
    extra = Category(
        key="tests.pack",
        label=gettext_lazy("Signed supervision agreements"),
        purpose="att visa vad parterna kom överens om",
        legal_basis="avtal (art. 6.1 b)",
        subjects="kontaktpersoner hos uppdragsgivare",
        recipients="uppdragsgivaren",
        encrypted=True,
    )
    registry = dict(personal_data_registry._CATEGORIES, **{extra.key: extra})
    monkeypatch.setattr(personal_data_registry, "_CATEGORIES", registry)
    text = pack(None)["pub-avtal.md"]
    row = (
        "| Signed supervision agreements (krypterad) | Att visa vad parterna kom överens om "
        "| Avtal (art. 6.1 b) | Kontaktpersoner hos uppdragsgivare | Uppdragsgivaren |"
    )
    assert row in text
    assert "| Signed supervision agreements | Ingen automatisk gallring |" in text
    assert "handledarnas privata anteckningar; signed supervision agreements" in text.lower()
    assert "| Handledarnas privata anteckningar (krypterad) |" in text


@pytest.mark.django_db
def test_practice_pack_fills_in_the_practice_and_its_retention(tmp_path, world):
    settings_for(world.practice)
    retention_rules_set(actor=world.admin, practice=world.practice, days={"records.notes": 400})
    text = _write(tmp_path, "--practice", "ekbacken")["pub-avtal.md"]
    assert "| namn | Ekbacken Handledning AB | *fyll i* |" in text
    assert "| organisationsnummer | 556677-8899 | *fyll i* |" in text
    notes = next(
        line for line in text.splitlines() if "Handledarnas privata anteckningar |" in line
    )
    assert notes == "| Handledarnas privata anteckningar | 400 dagar |"


@pytest.mark.django_db
def test_unknown_practice_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No practice with the slug 'nowhere'"):
        call_command("procurement_pack", "--practice", "nowhere", "--out", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_admin_reads_and_downloads_the_practices_agreement(client, world):
    settings_for(world.practice)
    client.force_login(world.admin)
    url = reverse("processing_agreement", args=[world.practice.slug])
    page = client.get(url).content.decode()
    assert "<h1>Personuppgiftsbiträdesavtal</h1>" in page
    assert "| namn | Ekbacken Handledning AB | *fyll i* |" in page
    assert "| organisationsnummer | 556677-8899 | *fyll i* |" in page
    download = client.get(url, {"download": "1"})
    assert download["Content-Disposition"] == 'attachment; filename="pub-avtal-ekbacken.md"'
    text = download.content.decode()
    assert text.startswith("# Personuppgiftsbiträdesavtal (PUB-avtal)\n")
    assert "| Handledarnas privata anteckningar (krypterad) |" in text
