"""The video server's writes: a practice's Jitsi Meet server set, changed and removed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bollplank.core import crypto
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.meetings.models import VideoServer


@transaction.atomic
def video_server_save(
    *, actor: Any, practice: Practice, base_url: str, app_id: str, secret: str = ""
) -> VideoServer:
    """Set the practice's video server. An empty ``secret`` keeps the stored one (the form
    never shows it back); a new one is stored encrypted. The audit log says what changed,
    never the secret."""
    server = VideoServer.objects.filter(practice=practice).first() or VideoServer(practice=practice)
    changed = [
        name
        for name, value in (("base_url", base_url), ("app_id", app_id))
        if getattr(server, name) != value
    ]
    server.base_url, server.app_id = base_url, app_id
    if secret:
        server.secret_encrypted = crypto.encrypt(secret)
        changed.append("secret")
    server.full_clean(exclude=["practice"])
    server.save()
    audit(actor, "meetings.video_server.saved", server, {"fields": changed})
    return server


@transaction.atomic
def video_server_remove(*, actor: Any, practice: Practice) -> bool:
    """Remove the practice's video server: its meetings show no join links from now on."""
    deleted, _rows = VideoServer.objects.filter(practice=practice).delete()
    if deleted:
        audit(actor, "meetings.video_server.removed", None, practice=practice)
    return bool(deleted)
