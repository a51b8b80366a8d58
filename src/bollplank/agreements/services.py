"""Every write of agreements: making a version, accepting one."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bollplank.agreements.models import Acceptance, Agreement
from bollplank.agreements.pdf import agreement_pdf
from bollplank.agreements.terms import terms_of
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.mail import queue_mail
from bollplank.engagements.models import Engagement
from bollplank.notifications.enums import MailKind


def latest_version(engagement: Engagement) -> Agreement | None:
    return Agreement.objects.filter(engagement=engagement).defer("document").first()


@transaction.atomic
def agreement_create(*, actor: Any, engagement: Engagement, language: str) -> Agreement:
    """Make the next version of the engagement's agreement from its terms now, with its PDF
    and the PDF's SHA-256. Refused when the newest version already states the same terms in
    the same language: there would be nothing new to accept."""
    # One writer per engagement at a time, so that two clicks cannot both make version n+1.
    Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
    terms = terms_of(engagement)
    latest = latest_version(engagement)
    if latest is not None and latest.terms == terms and latest.language == language:
        raise ValidationError(
            _(
                "Version %(version)s already states these terms: change the engagement's "
                "terms first."
            )
            % {"version": latest.version}
        )
    agreement = Agreement(
        practice_id=engagement.practice_id,
        engagement=engagement,
        version=latest.version + 1 if latest else 1,
        terms=terms,
        language=language,
        created_by=actor,
        created_at=clock.now(),
    )
    agreement.document = agreement_pdf(agreement)
    agreement.sha256 = hashlib.sha256(agreement.document).hexdigest()
    agreement.full_clean()
    agreement.save()
    audit(
        actor,
        "agreements.agreement.created",
        agreement,
        {
            "engagement": engagement.pk,
            "version": agreement.version,
            "sha256": agreement.sha256,
        },
    )
    _tell_contacts(agreement)
    return agreement


def _tell_contacts(agreement: Agreement) -> None:
    """Mail the client's contacts who can log in (only they can accept) that a version awaits
    them, each in their own language."""
    engagement = agreement.engagement
    path = reverse("agreement_detail", args=[engagement.practice.slug, agreement.pk])
    contacts = engagement.client.contacts.filter(user__isnull=False).select_related("user")
    for contact in contacts:
        queue_mail(
            to=contact.email,
            template="agreements/email/new_version",
            context={
                "name": contact.name,
                "practice_name": engagement.practice.name,
                "engagement": engagement.title,
                "version": agreement.version,
                "link": settings.SITE_URL + path,
            },
            language=contact.user.language if contact.user else "sv",
            kind=MailKind.OTHER,
            practice=engagement.practice,
        )


@transaction.atomic
def agreement_accept(
    *,
    actor: Any,
    agreement: Agreement,
    confirmed: bool,
    ip_address: str | None,
    user_agent: str,
) -> Acceptance:
    """The client contact accepts this version: only the newest, only once, and only while
    the engagement's terms are still the ones it states."""
    if not confirmed:
        raise ValidationError(
            {"confirm": _("Tick the box to confirm that you have read and accept the agreement.")}
        )
    locked = Agreement.objects.select_for_update().defer("document").get(pk=agreement.pk)
    if Acceptance.objects.filter(agreement=locked).exists():
        raise ValidationError(_("This version is already accepted."))
    latest = latest_version(locked.engagement)
    if latest is None or latest.pk != locked.pk:
        raise ValidationError(
            _("A newer version replaces this one: read and accept the newest version.")
        )
    if terms_of(locked.engagement) != locked.terms:
        raise ValidationError(
            _(
                "The terms of the engagement have changed since this version was made. The "
                "supervisor makes a new version for you to accept."
            )
        )
    acceptance = Acceptance(
        practice_id=locked.practice_id,
        agreement=locked,
        accepted_by=actor,
        name=actor.name or actor.email,
        accepted_at=clock.now(),
        ip_address=ip_address or None,
        user_agent=user_agent[:500],
        sha256=locked.sha256,
    )
    acceptance.full_clean()
    acceptance.save()
    audit(
        actor,
        "agreements.agreement.accepted",
        locked,
        {
            "engagement": locked.engagement_id,
            "version": locked.version,
            "sha256": locked.sha256,
            "ip_address": acceptance.ip_address,
            "user_agent": acceptance.user_agent,
        },
    )
    return acceptance
