"""Every write to people, roles and invitations."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from bollplank.accounts.models import Invitation, Membership, User, hash_token
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.mail import queue_mail
from bollplank.core.models import Practice
from bollplank.core.roles import Role

# The invitation's foreign keys to what the invitee becomes.
LINKED_RECORDS = ("participant", "client_contact")


@transaction.atomic
def membership_grant(*, actor: Any, practice: Practice, user: User, role: str) -> Membership:
    """Give a person a role in the practice (idempotent)."""
    membership, created = Membership.objects.get_or_create(practice=practice, user=user, role=role)
    if created:
        audit(actor, "accounts.membership.granted", membership, {"role": role})
    return membership


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership) -> None:
    """End a person's role in the practice. Access through it stops at once: pages and API
    tokens read the person's roles on every request. The audit log keeps the history: who
    held which role since when, and who ended it. The practice's last admin cannot be ended,
    or no one could manage the practice."""
    practice = membership.practice
    if membership.role == Role.ADMIN:
        admins = Membership.objects.select_for_update().filter(practice=practice, role=Role.ADMIN)
        if len(list(admins.values_list("pk", flat=True))) <= 1:
            raise ValidationError(
                _("The practice's last admin cannot be ended. Make someone else admin first."),
                code="last_admin",
            )
    audit(
        actor,
        "accounts.membership.ended",
        membership,
        {
            "role": membership.role,
            "user": membership.user_id,
            "since": membership.created_at.isoformat(),
        },
        subjects=[membership.user_id],
    )
    membership.delete()


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    practice: Practice,
    email: str,
    name: str,
    role: str,
    participant: Any = None,
    client_contact: Any = None,
    language: str = "sv",
) -> tuple[Invitation, str]:
    """Invite a person by e-mail to a role, valid for the practice's ``invitation_days``.
    Sending again replaces the person's open invitation to that role: its link then says it
    has expired, so only the newest link works. Returns the invitation and its one-time token."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="bad_role")
    now = clock.now()
    address = email.strip().lower()
    replaced = Invitation.objects.filter(
        practice=practice,
        email=address,
        role=role,
        accepted_at__isnull=True,
        expires_at__gt=now,
    ).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    days = practice.invitation_days
    invitation = Invitation(
        practice=practice,
        email=address,
        name=name.strip(),
        role=role,
        token_hash=hash_token(token),
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=now + dt.timedelta(days=days),
        participant=participant,
        client_contact=client_contact,
    )
    invitation.full_clean(exclude=["invited_by", "participant", "client_contact"])
    invitation.save()
    link = settings.SITE_URL + reverse("invitation_accept", args=[token])
    queue_mail(
        to=invitation.email,
        template="accounts/email/invitation",
        context={
            "practice_name": practice.name,
            "name": invitation.name,
            "role": invitation.get_role_display(),
            "link": link,
            "days": days,
            "inviter": getattr(actor, "name", ""),
        },
        language=language,
        kind="account",
        practice=practice,
    )
    action = "accounts.invitation.resent" if replaced else "accounts.invitation.created"
    audit(actor, action, invitation, {"role": role, "replaced": replaced})
    return invitation, token


def _link_to(invitation: Invitation, user: User) -> None:
    """Link the record the invitation was made for (an engagements.Participant or a
    clients.ClientContact) to the person, through the invitation's own foreign keys: those
    apps are above accounts, so their models are not imported here."""
    for name in LINKED_RECORDS:
        record_id = getattr(invitation, f"{name}_id")
        if record_id:
            model = cast(type[Model], Invitation._meta.get_field(name).related_model)
            model._base_manager.filter(pk=record_id).update(user=user)


def invitation_find(token: str) -> Invitation | None:
    """The invitation behind a link whatever its state (used, expired), or None when unknown:
    the page then tells an expired link from a wrong one and whom to ask."""
    with scopes_disabled():
        return (
            Invitation.objects.select_related("practice", "invited_by")
            .filter(token_hash=hash_token(token))
            .first()
        )


def invitation_by_token(token: str) -> Invitation | None:
    """The usable invitation behind a link, or None when unknown, used or expired."""
    invitation = invitation_find(token)
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, name: str, password: str | None, user: User | None = None
) -> User:
    """Accept an invitation: create the account (or use the logged-in one), grant the role and
    link the participant or contact record to the person."""
    with scopes_disabled():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable:
            raise ValidationError(
                _("This invitation has already been used or has expired."), code="used"
            )
        if user is not None and user.email.strip().lower() != locked.email:
            raise ValidationError(
                _(
                    "This invitation was sent to %(email)s, but you are logged in as "
                    "%(current)s. Log out and open the link again, or ask whoever invited you "
                    "to invite %(current)s instead."
                )
                % {"email": locked.email, "current": user.email},
                code="wrong_account",
            )
        if user is None:
            existing = User.objects.filter(email=locked.email).first()
            if existing is not None:
                raise ValidationError(
                    _("You already have an account. Log in first, then open the link again."),
                    code="has_account",
                )
            candidate = User(email=locked.email, name=name.strip())
            validate_password(password or "", user=candidate)
            user = User.objects.create_user(locked.email, password, name=name.strip())
        membership_grant(actor=user, practice=locked.practice, user=user, role=locked.role)
        _link_to(locked, user)
        locked.accepted_at = clock.now()
        locked.save(update_fields=["accepted_at"])
        audit(user, "accounts.invitation.accepted", locked)
    return user
