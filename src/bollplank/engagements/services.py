"""Every write to engagements, participants and group membership."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bollplank.accounts.models import Invitation, Membership
from bollplank.accounts.selectors import participant_invitations
from bollplank.accounts.services import invitation_create
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.services import model_update
from bollplank.engagements.enums import MIN_GROUP_SIZE, Form
from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.engagements.signals import engagement_updated

ENGAGEMENT_FIELDS = (
    "client",
    "supervisor",
    "title",
    "form",
    "focus",
    "meeting_minutes",
    "expectations",
    "goals",
    "meetings_ordered",
    "start_date",
    "end_date",
    "venue",
    "venue_address",
    "video_url",
    "price_per_meeting_ore",
    "status",
    "submission_hours_before",
    "attendance_visibility",
    "buyer_reference",
    "order_number",
)


@dataclass(frozen=True)
class PersonInput:
    name: str
    email: str


def _check_supervisor(practice: Practice, supervisor: Any) -> None:
    if not Membership.objects.filter(
        practice=practice, user=supervisor, role=Role.SUPERVISOR
    ).exists():
        raise ValidationError(
            {"supervisor": _("Choose a supervisor of this practice.")}, code="not_supervisor"
        )


def check_group_size(form: str, count: int) -> None:
    """A group has at least two participants; individual supervision exactly one."""
    if form == Form.GROUP and count < MIN_GROUP_SIZE:
        raise ValidationError(
            _(
                "Group supervision needs at least %(min)d participants; this group would have "
                "%(count)d. Add participants, or choose individual supervision."
            ),
            code="group_too_small",
            params={"min": MIN_GROUP_SIZE, "count": count},
        )
    if form == Form.INDIVIDUAL and count != 1:
        raise ValidationError(
            _(
                "Individual supervision has exactly one participant; this would have %(count)d. "
                "Choose group supervision for more."
            ),
            code="individual_not_one",
            params={"count": count},
        )


def participant_get_or_create(
    *, actor: Any, practice: Practice, name: str, email: str, client: Any = None
) -> Participant:
    """The practice's participant with this e-mail address, created when new."""
    email = email.strip().lower()
    participant = Participant.objects.filter(practice=practice, email=email).first()
    if participant is not None:
        return participant
    participant = Participant(practice=practice, name=name.strip(), email=email, client=client)
    participant.full_clean()
    participant.save()
    audit(actor, "engagements.participant.created", participant)
    return participant


@transaction.atomic
def engagement_create(
    *,
    actor: Any,
    practice: Practice,
    participants: list[PersonInput],
    members_later: bool = False,
    **fields: Any,
) -> Engagement:
    """Open an engagement with its first participants, enforcing the group-size rule.

    ``members_later``: a group whose members the client has not named yet (an engagement made
    from an inquiry); the size rule then applies as members join and leave."""
    engagement = Engagement(
        practice=practice, **{k: v for k, v in fields.items() if k in ENGAGEMENT_FIELDS}
    )
    # The client's defaults, so that the engagement shows what its invoices will carry.
    engagement.buyer_reference, engagement.order_number = engagement.invoice_references
    engagement.full_clean()
    _check_supervisor(practice, engagement.supervisor)
    emails = {p.email.strip().lower() for p in participants}
    if len(emails) != len(participants):
        raise ValidationError(
            _("The same e-mail address is given for two participants."), code="duplicate_email"
        )
    if not (members_later and engagement.form == Form.GROUP and not participants):
        check_group_size(engagement.form, len(participants))
    engagement.save()
    for person in participants:
        participant = participant_get_or_create(
            actor=actor,
            practice=practice,
            name=person.name,
            email=person.email,
            client=engagement.client,
        )
        GroupMembership.objects.create(
            practice=practice,
            engagement=engagement,
            participant=participant,
            joined_on=engagement.start_date,
        )
    audit(actor, "engagements.engagement.created", engagement, {"participants": len(emails)})
    return engagement


@transaction.atomic
def engagement_update(*, actor: Any, engagement: Engagement, **fields: Any) -> Engagement:
    """Change an engagement's terms. Changing the form re-checks the group size."""
    changed = model_update(instance=engagement, fields=ENGAGEMENT_FIELDS, data=fields)
    engagement.full_clean()
    if "supervisor" in changed:
        _check_supervisor(engagement.practice, engagement.supervisor)
    if "form" in changed:
        check_group_size(engagement.form, active_memberships(engagement).count())
    engagement.save()
    # Meetings ahead follow the new terms (supervisor, place, title); those held stay as held.
    engagement_updated.send(sender=Engagement, engagement=engagement, changed=changed)
    audit(actor, "engagements.engagement.updated", engagement, {"fields": changed})
    return engagement


def active_memberships(engagement: Engagement) -> Any:
    return GroupMembership.objects.filter(engagement=engagement, left_on__isnull=True)


@transaction.atomic
def participant_join(
    *, actor: Any, engagement: Engagement, name: str, email: str, joined_on: dt.date
) -> GroupMembership:
    """Add a person to the group from a date."""
    # Lock the engagement so that two joins cannot both pass the size check.
    Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
    participant = participant_get_or_create(
        actor=actor,
        practice=engagement.practice,
        name=name,
        email=email,
        client=engagement.client,
    )
    current = active_memberships(engagement)
    if current.filter(participant=participant).exists():
        raise ValidationError(
            _("%(name)s is already in this group.") % {"name": participant.name},
            code="already_member",
        )
    if engagement.form == Form.INDIVIDUAL and current.exists():
        raise ValidationError(
            _(
                "Individual supervision has one participant. Let the current one leave first, "
                "or make this a group engagement."
            ),
            code="individual_full",
        )
    membership = GroupMembership(
        practice=engagement.practice,
        engagement=engagement,
        participant=participant,
        joined_on=joined_on,
    )
    membership.full_clean(validate_constraints=False)
    membership.save()
    audit(actor, "engagements.membership.joined", membership)
    return membership


@transaction.atomic
def participant_leave(
    *, actor: Any, membership: GroupMembership, left_on: dt.date
) -> GroupMembership:
    """End a person's time in the group. The history stays; the group keeps its minimum size."""
    engagement = membership.engagement
    Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
    if membership.left_on is not None:
        raise ValidationError(_("This person has already left the group."), code="already_left")
    if left_on < membership.joined_on:
        raise ValidationError(
            _("The day of leaving cannot be before the day of joining (%(day)s).")
            % {"day": membership.joined_on.isoformat()},
            code="left_before_joined",
        )
    remaining = active_memberships(engagement).exclude(pk=membership.pk).count()
    if engagement.form == Form.GROUP and remaining < MIN_GROUP_SIZE:
        raise ValidationError(
            _(
                "A supervision group needs at least %(min)d participants. Add someone before "
                "this person leaves, or end the engagement."
            ),
            code="group_too_small",
            params={"min": MIN_GROUP_SIZE},
        )
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    audit(actor, "engagements.membership.left", membership)
    return membership


def participant_invite(
    *, actor: Any, engagement: Engagement, participant: Participant
) -> Invitation:
    """Invite a participant to log in (their meetings, questions, journal), in the client's
    language; again, when invited before: the new link replaces the old one."""
    if participant.user_id is not None:
        raise ValidationError(
            _("%(name)s already logs in.") % {"name": participant.name}, code="has_login"
        )
    invitation, _token = invitation_create(
        actor=actor,
        practice=engagement.practice,
        email=participant.email,
        name=participant.name,
        role=Role.PARTICIPANT,
        participant=participant,
        language=engagement.client.language,
    )
    return invitation


@transaction.atomic
def participants_invite_all(*, actor: Any, engagement: Engagement) -> list[Participant]:
    """Invite every current participant who neither logs in nor has ever been invited (those
    invited before are sent again one by one, so nobody gets a second mail by surprise).
    Returns whom it invited."""
    participants = [
        m.participant
        for m in active_memberships(engagement).select_related("participant")
        if m.participant.user_id is None
    ]
    invited = participant_invitations(engagement.practice, [p.pk for p in participants])
    todo = [p for p in participants if p.pk not in invited]
    for participant in todo:
        participant_invite(actor=actor, engagement=engagement, participant=participant)
    return todo
