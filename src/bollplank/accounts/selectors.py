"""Reads of invitations: where each invited person stands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bollplank.accounts.enums import InvitationStatus
from bollplank.accounts.models import Invitation
from bollplank.core.models import Practice


@dataclass(frozen=True)
class InvitationState:
    """A person's standing: the status and the latest invitation it comes from (if any)."""

    status: InvitationStatus
    invitation: Invitation | None = None

    @property
    def label(self) -> str:
        return str(self.status.label)

    @property
    def sent_at(self) -> dt.datetime | None:
        return self.invitation.created_at if self.invitation else None

    @property
    def expires_at(self) -> dt.datetime | None:
        return self.invitation.expires_at if self.invitation else None


def invitation_state(
    invitation: Invitation | None, *, has_login: bool, now: dt.datetime
) -> InvitationState:
    """The status a person's latest invitation gives them. A person who already logs in is
    accepted whether or not they came by invitation (e.g. a supervisor who is also in a group)."""
    if has_login or (invitation is not None and invitation.accepted_at is not None):
        return InvitationState(InvitationStatus.ACCEPTED, invitation)
    if invitation is None:
        return InvitationState(InvitationStatus.NOT_INVITED)
    if invitation.expires_at <= now:
        return InvitationState(InvitationStatus.EXPIRED, invitation)
    return InvitationState(InvitationStatus.INVITED, invitation)


def _latest(invitations: Iterable[Invitation], key: str) -> dict[int, Invitation]:
    latest: dict[int, Invitation] = {}
    for invitation in invitations:  # newest first
        latest.setdefault(getattr(invitation, key), invitation)
    return latest


def participant_invitations(
    practice: Practice, participant_ids: Iterable[int]
) -> dict[int, Invitation]:
    """Each participant's latest invitation, by participant id (one query)."""
    rows = Invitation.objects.filter(
        practice=practice, participant_id__in=list(participant_ids)
    ).order_by("-created_at", "-pk")
    return _latest(rows, "participant_id")


def contact_invitations(practice: Practice, contact_ids: Iterable[int]) -> dict[int, Invitation]:
    """Each client contact's latest invitation, by contact id (one query)."""
    rows = Invitation.objects.filter(
        practice=practice, client_contact_id__in=list(contact_ids)
    ).order_by("-created_at", "-pk")
    return _latest(rows, "client_contact_id")
