"""What one deployment decides: where mail goes, where the database is, which video servers the
practices use. Read from the settings (``Deployment.from_settings``); the committed pack is
written without one (``None``), and then every such value is a blank naming its setting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django_scopes import scopes_disabled

from bollplank.meetings.models import VideoServer

# The backends that deliver nothing: mail stays on the machine (a developer's or a test's).
LOCAL_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


def blank(setting: str = "") -> str:
    """A blank for the reader to fill in, naming the setting that decides it."""
    return f"*fyll i* (`{setting}`)" if setting else "*fyll i*"


def shown_path(path: str | Path) -> str:
    """A folder as the reader of the pack knows it: relative to the code when it is inside it."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path(settings.BASE_DIR).resolve())) + "/"
    except ValueError:
        return str(resolved) + "/"


@dataclass(frozen=True)
class Deployment:
    email_backend: str
    email_host: str
    email_port: int
    email_use_tls: bool
    database_vendor: str
    database_host: str
    database_file: str
    var_dir: str
    audit_checkpoint_dir: str
    bgmax_dir: str
    operator_email: str
    # The hosts of the practices' own Jitsi Meet servers (Settings → Video).
    video_hosts: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, practice: Any = None) -> Deployment:
        """The running deployment; with ``practice``, only that practice's video server."""
        db = settings.DATABASES["default"]
        vendor = "sqlite" if "sqlite" in db["ENGINE"] else db["ENGINE"].rsplit(".", 1)[-1]
        with scopes_disabled():
            servers = VideoServer.objects.all()
            if practice is not None:
                servers = servers.filter(practice=practice)
            hosts = sorted({urlsplit(s.base_url).hostname or s.base_url for s in servers})
        return cls(
            email_backend=settings.EMAIL_BACKEND or "",
            email_host=settings.EMAIL_HOST or "",
            email_port=int(settings.EMAIL_PORT),
            email_use_tls=bool(settings.EMAIL_USE_TLS or getattr(settings, "EMAIL_USE_SSL", False)),
            database_vendor=vendor,
            database_host=str(db.get("HOST") or ""),
            database_file=shown_path(db["NAME"]).rstrip("/") if vendor == "sqlite" else "",
            var_dir=shown_path(settings.VAR_DIR),
            audit_checkpoint_dir=shown_path(settings.AUDIT_CHECKPOINT_DIR),
            bgmax_dir=shown_path(settings.BGMAX_DIR) if settings.BGMAX_DIR else "",
            operator_email=settings.OPERATOR_EMAIL,
            video_hosts=tuple(hosts),
        )


@dataclass(frozen=True)
class SubProcessor:
    """One row of underbitraden.md: a service that gets personal data, and who runs it."""

    service: str
    data: str
    who: str


def _mail(d: Deployment | None) -> str:
    if d is None:
        return (
            f"SMTP-servern {blank('BOLLPLANK_EMAIL_HOST')}; ange vem som driver den och i "
            "vilket land"
        )
    if d.email_backend in LOCAL_MAIL_BACKENDS:
        return f"ingen: e-post lämnar inte servern (`{d.email_backend}`)"
    if d.email_backend != "django.core.mail.backends.smtp.EmailBackend":
        return f"`{d.email_backend}`: {blank()} vem som driver tjänsten"
    tls = "med TLS" if d.email_use_tls else "utan TLS"
    if d.email_host in LOCAL_HOSTS:
        return (
            f"den egna serverns e-postserver (`{d.email_host or 'localhost'}:{d.email_port}`), "
            f"{tls}; {blank()} vart den skickar e-posten vidare"
        )
    return f"`{d.email_host}:{d.email_port}`, {tls}; {blank()} vem som driver den och i vilket land"


def _database(d: Deployment | None) -> str:
    if d is None:
        return (
            f"SQLite på samma server, eller PostgreSQL där {blank('DATABASE_URL')} pekar; ange "
            "vem som driver den och i vilket land"
        )
    if d.database_vendor == "sqlite":
        return f"samma server (SQLite-filen `{d.database_file}`)"
    if d.database_host in LOCAL_HOSTS or d.database_host.startswith("/"):
        return f"{d.database_vendor} på samma server"
    return f"{d.database_vendor} på `{d.database_host}`; {blank()} vem som driver den"


def _video(d: Deployment | None) -> str:
    if d is None:
        return (
            "varje verksamhet anger sin egen Jitsi Meet-server (Inställningar → Video); "
            f"{blank()} servern och vem som driver den"
        )
    if not d.video_hosts:
        return "ingen: ingen verksamhet har angett någon videoserver"
    hosts = ", ".join(f"`{h}`" for h in d.video_hosts)
    return f"{hosts}; {blank()} vem som driver servern och i vilket land"


def _payments(d: Deployment | None) -> str:
    if d is None:
        return (
            f"Bankgirot, om betalfiler hämtas ur en mapp ({blank('BOLLPLANK_BGMAX_DIR')}); "
            "annars ingen (filerna laddas upp för hand)"
        )
    if not d.bgmax_dir:
        return "ingen: betalfiler från Bankgirot laddas upp för hand"
    return f"Bankgirot, via filer i `{d.bgmax_dir}`; {blank()} vem som lämnar filerna dit"


def sub_processors(d: Deployment | None) -> list[SubProcessor]:
    """The services a deployment hands personal data to, as its settings name them."""
    return [
        SubProcessor(
            "Drift av servern",
            "allt som Bollplank lagrar (databasen, nycklarna, loggarna)",
            f"{blank()} leverantör, datacenter och land",
        ),
        SubProcessor("Databas", "allt som Bollplank lagrar", _database(d)),
        SubProcessor(
            "E-post (SMTP)",
            "mottagarens namn och adress, aviseringar, inbjudningar, fakturor; aldrig "
            "anteckningarnas eller dagböckernas text",
            _mail(d),
        ),
        SubProcessor(
            "Videomöten (Jitsi Meet)",
            "rumsnamn, deltagarens namn i anslutningstoken, ljud och bild under mötet "
            "(inspelning, direktsändning och transkribering avstängda i token)",
            _video(d),
        ),
        SubProcessor(
            "Inbetalningar (BgMax)",
            "betalarens namn, belopp och referens",
            _payments(d),
        ),
        SubProcessor(
            "E-faktura (Peppol-accesspunkt)",
            "köparens och säljarens uppgifter på fakturan",
            "Bollplank skickar inte själv: fakturans XML laddas ner och lämnas till "
            f"verksamhetens accesspunkt; {blank()} vilken, om någon",
        ),
        SubProcessor(
            "Säkerhetskopior",
            "en krypterad kopia av hela databasen och nycklarna",
            f"{blank()} var kopiorna förvaras (`manage.py backup --out`, docs/deploy.md § 8)",
        ),
    ]


@dataclass(frozen=True)
class Store:
    """One row of lagring.md: where a kind of data is kept, and how it is protected."""

    what: str
    where: str
    protection: str


def storage(d: Deployment | None) -> list[Store]:
    """Where a deployment keeps data."""
    var = d.var_dir if d else f"`var/` i koden, eller {blank('BOLLPLANK_VAR_DIR')}"
    var = f"`{var}`" if d else var
    checkpoints = (
        f"`{d.audit_checkpoint_dir}`"
        if d
        else f"`var/audit/`, eller {blank('BOLLPLANK_AUDIT_CHECKPOINT_DIR')}"
    )
    return [
        Store(
            "Databasen: konton, uppdrag, träffar, anteckningar, fakturor, utvärderingar, "
            "profilbilder och logotyper, utgående e-post, granskningsloggen",
            _database(d),
            "åtkomst per verksamhet och roll; krypterad disk är driftens ansvar",
        ),
        Store(
            "Handledarnas anteckningar och deltagarnas reflektionsdagböcker, "
            "verksamheternas videoserverhemligheter",
            "databasen, krypterade per text",
            "Fernet (AES-128-CBC + HMAC-SHA256); nyckeln i `BOLLPLANK_NOTE_KEYS(_FILE)` eller "
            "`var/note_keys`, byts med `manage.py rotate_note_key`",
        ),
        Store(
            "Nycklar: `secret_key`, `note_keys`, `audit_key`",
            f"{var}, eller filer som `*_FILE`-inställningarna pekar på",
            "läsbara bara för tjänstens användare (0600/0640)",
        ),
        Store(
            "Granskningsloggens kontrollpunkter",
            checkpoints,
            "signerade med granskningsnyckeln; hör hemma på annan lagring än databasen",
        ),
        Store(
            "Säkerhetskopior",
            f"`var/backups/` som standard, eller där `--out` pekar; {blank()} var de förvaras",
            "krypterade med en lösenfras (scrypt + Fernet) som förvaras skilt från kopiorna",
        ),
        Store(
            "Serverloggar",
            "standardutmatningen, i systemd:s journal (docs/deploy.md § 5)",
            "utan förfrågningarnas innehåll: ingen anteckningstext hamnar i en logg",
        ),
        Store(
            "Cache: räknare för misslyckade inloggningar",
            "räknarna i `var/cache` eller databasen (`BOLLPLANK_CACHE`)",
            "inga sidor eller anteckningstexter sparas i cachen",
        ),
    ]
