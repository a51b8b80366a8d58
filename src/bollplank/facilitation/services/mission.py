"""The client's mission in parts (versioned, retired rather than deleted), the parts a meeting's
reflection touched, and whether the client sees the counts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.roles import Role
from bollplank.core.tenancy import roles_in
from bollplank.engagements.models import Engagement
from bollplank.facilitation.models import (
    MeetingTheme,
    MissionPart,
    MissionShare,
)
from bollplank.meetings.models import Meeting


def _check_staff_of(actor: Any, client: Client) -> None:
    """A supervisor of one of the client's engagements, or a practice admin."""
    if not Engagement.objects.filter(
        client=client, supervisor=actor
    ).exists() and Role.ADMIN not in roles_in(actor, client.practice):
        raise ValidationError(_("Only a supervisor of this client edits its mission."))


def _part_text(title: str, text: str) -> tuple[str, str]:
    title, text = title.strip(), text.strip()
    if not title:
        raise ValidationError({"title": _("Give the part a short name.")}, code="empty")
    return title[:200], text


@transaction.atomic
def mission_part_add(*, actor: Any, client: Client, title: str, text: str = "") -> MissionPart:
    """A new part of the client's mission, at the end."""
    _check_staff_of(actor, client)
    title, text = _part_text(title, text)
    agg = MissionPart.objects.filter(client=client).aggregate(
        lineage=Max("lineage"), position=Max("position")
    )
    part = MissionPart.objects.create(
        practice=client.practice,
        client=client,
        lineage=(agg["lineage"] or 0) + 1,
        position=(agg["position"] or 0) + 1,
        title=title,
        text=text,
        created_by=actor,
    )
    audit(actor, "facilitation.mission_part.added", part)
    return part


@transaction.atomic
def mission_split(*, actor: Any, client: Client, text: str) -> list[MissionPart]:
    """Split a mission text into parts, one per paragraph (blank line between). The first line
    of a paragraph names the part."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs:
        raise ValidationError(
            {"text": _("Write the mission first, with a blank line between its parts.")},
            code="empty",
        )
    parts = []
    for paragraph in paragraphs:
        first, _sep, rest = paragraph.partition("\n")
        parts.append(mission_part_add(actor=actor, client=client, title=first, text=rest))
    return parts


@transaction.atomic
def mission_part_revise(*, actor: Any, part: MissionPart, title: str, text: str) -> MissionPart:
    """A new version of a part; the earlier one stays, closed, with the themes tied to it."""
    _check_staff_of(actor, part.client)
    part = MissionPart.objects.select_for_update().get(pk=part.pk)
    if part.closed_at is not None:
        raise ValidationError(_("That is an earlier version: revise the current one."))
    title, text = _part_text(title, text)
    if (title, text) == (part.title, part.text):
        return part
    part.closed_at = clock.now()
    part.save(update_fields=["closed_at"])
    new = MissionPart.objects.create(
        practice=part.practice,
        client=part.client,
        lineage=part.lineage,
        version=part.version + 1,
        position=part.position,
        title=title,
        text=text,
        created_by=actor,
    )
    audit(actor, "facilitation.mission_part.revised", new, {"version": new.version})
    return new


@transaction.atomic
def mission_part_retire(*, actor: Any, part: MissionPart) -> None:
    """The part is no longer in the mission; its versions and the themes tied to them stay."""
    _check_staff_of(actor, part.client)
    if part.closed_at is None:
        part.closed_at = clock.now()
        part.save(update_fields=["closed_at"])
        audit(actor, "facilitation.mission_part.retired", part)


@transaction.atomic
def themes_set(*, actor: Any, meeting: Meeting, part_ids: list[int]) -> int:
    """Tie the meeting's themes to these current parts of the client's mission."""
    if meeting.supervisor_id != actor.pk:
        raise ValidationError(_("Only the meeting's supervisor sets its themes."))
    current = {
        p.pk: p
        for p in MissionPart.objects.filter(
            client_id=meeting.engagement.client_id, closed_at__isnull=True
        )
    }
    wanted = set(part_ids)
    unknown = wanted - set(current)
    if unknown:
        raise ValidationError(
            _("A chosen part is no longer in the mission: reload the page and choose again."),
            code="stale_part",
        )
    existing = MeetingTheme.objects.filter(meeting=meeting)
    # Themes tied to an older version stay as they were; only current parts are toggled.
    existing.filter(part_id__in=set(current) - wanted).delete()
    have = set(existing.values_list("part_id", flat=True))
    MeetingTheme.objects.bulk_create(
        MeetingTheme(practice=meeting.practice, meeting=meeting, part=current[pk])
        for pk in sorted(wanted - have)
    )
    audit(actor, "facilitation.themes.set", meeting, {"parts": sorted(wanted)})
    return len(wanted)


@transaction.atomic
def mission_share_set(*, actor: Any, engagement: Engagement, shared: bool) -> None:
    """Share (or stop sharing) the counts of mission themes with the client's contacts."""
    if engagement.supervisor_id != actor.pk:
        raise ValidationError(_("Only the engagement's supervisor shares its mission counts."))
    if shared:
        MissionShare.objects.get_or_create(
            engagement=engagement,
            defaults={"practice": engagement.practice, "shared_by": actor},
        )
    else:
        MissionShare.objects.filter(engagement=engagement).delete()
    audit(
        actor,
        "facilitation.mission.shared" if shared else "facilitation.mission.unshared",
        engagement,
    )
