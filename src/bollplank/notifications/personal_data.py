"""The outbox and e-mail choices (core/personal_data_registry.py). Mails carry no confidential text
(models.py); they are found by the person's address, like the opt-outs (the preferences)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from bollplank.core.personal_data_registry import Category, register
from bollplank.notifications.models import OptOut, OutgoingMail


def _mail(user: Any) -> Any:
    return OutgoingMail.objects.filter(to__iexact=user.email)


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": m.practice.name if m.practice else None,
            "kind": m.get_kind_display(),
            "subject": m.subject,
            "status": m.get_status_display(),
            "queued": m.created_at,
            "sent": m.sent_at,
        }
        for m in _mail(user).select_related("practice").order_by("created_at", "pk")
    ] + [
        {"turned_off": o.get_kind_display(), "since": o.created_at}
        for o in OptOut.objects.filter(email__iexact=user.email).order_by("kind")
    ]


def _erase(user: Any) -> int:
    # Issued invoices are kept in billing; the copy of the mail that carried one is not needed.
    count = _mail(user).delete()[0]
    return count + OptOut.objects.filter(email__iexact=user.email).delete()[0]


register(
    Category(
        key="notifications.mail",
        label=gettext_lazy("e-mails sent and e-mail choices"),
        purpose=gettext_lazy("to tell people about meetings, invoices and changes"),
        legal_basis=gettext_lazy("contract and legitimate interest (Art. 6.1 b, f)"),
        subjects=gettext_lazy("everyone the system writes to"),
        recipients=gettext_lazy("the practice's admins (the outbox); the mail provider"),
        export=_export,
        erase=_erase,
        erasure=gettext_lazy("Removed, queued mails included; so are the e-mail choices."),
        by_address=True,
        # The e-mail choices are the person's, in no practice: only the practice's mails go.
        erase_in_practice=lambda user, practice: _mail(user).filter(practice=practice).delete()[0],
        count_in_practice=lambda user, practice: _mail(user).filter(practice=practice).count(),
        erasure_in_practice=gettext_lazy("The practice's mails are removed, queued ones included."),
        practices=lambda user: {
            pk for pk in _mail(user).values_list("practice_id", flat=True) if pk is not None
        },
    )
)
