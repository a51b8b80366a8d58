"""The audit log in words a practice admin understands: "Karin Ekholm lade till Eva Larsson i
Lärarlaget åk 4–6".

Each event's object is named from its own row (a person's name, an engagement's title, a
meeting's day), read in one query per kind of object on the page, never one per event. Only
names, titles and times are used: the texts of notes, summaries, questions and journals are
never read here, and their events name only the kind of text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.dateformat import format as date_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from bollplank.core.audit_labels import LABELS
from bollplank.core.models import AuditEvent, Practice

Parts = dict[str, str]


def _when(moment: Any) -> str:
    return date_format(localtime(moment), "j F Y H:i") if moment else ""


def _meeting(m: Any) -> Parts:
    return {"engagement": m.engagement.title, "when": _when(m.starts_at), "object": ""}


def _membership(m: Any) -> Parts:
    return {"participant": m.participant.name, "engagement": m.engagement.title}


def _contact(c: Any) -> Parts:
    return {"object": c.name, "client": c.client.name}


def _role(m: Any) -> Parts:
    return {"person": m.user.name, "role": str(m.get_role_display())}


def _named(field: str) -> Callable[[Any], Parts]:
    return lambda o: {"object": getattr(o, field)}


def _registration(r: Any) -> Parts:
    return {"object": r.name, "course": r.course.title}


def _inquiry(q: Any) -> Parts:
    return {"object": q.organization or q.name}


# The kinds of object the log names, by the label the event stores. Models of apps above this
# one are looked up by that label (never imported): the log only reads their names.
NAMERS: dict[str, tuple[tuple[str, ...], Callable[[Any], Parts]]] = {
    "engagements.engagement": ((), _named("title")),
    "engagements.participant": ((), _named("name")),
    "engagements.groupmembership": (("participant", "engagement"), _membership),
    "meetings.meeting": (("engagement",), _meeting),
    "clients.client": ((), _named("name")),
    "clients.clientcontact": (("client",), _contact),
    "accounts.user": ((), _named("name")),
    "accounts.membership": (("user",), _role),
    "accounts.invitation": ((), _named("name")),
    "core.practice": ((), _named("name")),
    "courses.course": ((), _named("title")),
    "directory.inquiry": ((), _inquiry),
    "courses.registration": (("course",), _registration),
}

# Sentences for the most frequent actions; every other known action reads "<who> <what it is
# called in LABELS>", an unknown one "Event: <kind of object> – <what happened>".
SENTENCES: dict[str, Promise] = {
    "engagements.participant.created": gettext_lazy("%(actor)s added %(object)s as a participant"),
    "engagements.membership.joined": gettext_lazy(
        "%(actor)s added %(participant)s to %(engagement)s"
    ),
    "engagements.membership.left": gettext_lazy(
        "%(actor)s recorded that %(participant)s left %(engagement)s"
    ),
    "engagements.engagement.created": gettext_lazy("%(actor)s created the engagement %(object)s"),
    "engagements.engagement.updated": gettext_lazy("%(actor)s changed the engagement %(object)s"),
    "meetings.series.created": gettext_lazy("%(actor)s planned a series of meetings in %(object)s"),
    "meetings.meeting.created": gettext_lazy(
        "%(actor)s planned a meeting in %(engagement)s on %(when)s"
    ),
    "meetings.meeting.moved": gettext_lazy(
        "%(actor)s moved the meeting in %(engagement)s to %(when)s"
    ),
    "meetings.meeting.cancelled": gettext_lazy(
        "%(actor)s cancelled the meeting in %(engagement)s on %(when)s"
    ),
    "meetings.attendance.recorded": gettext_lazy(
        "%(actor)s recorded attendance at the meeting in %(engagement)s on %(when)s"
    ),
    "clients.client.created": gettext_lazy("%(actor)s registered the client %(object)s"),
    "clients.client.updated": gettext_lazy("%(actor)s changed the client %(object)s"),
    "clients.contact.created": gettext_lazy(
        "%(actor)s added %(object)s as a contact of %(client)s"
    ),
    "accounts.membership.granted": gettext_lazy("%(actor)s gave %(person)s the role %(role)s"),
    "accounts.invitation.created": gettext_lazy("%(actor)s invited %(object)s"),
    "courses.course.saved": gettext_lazy("%(actor)s saved the course %(object)s"),
    "courses.registration.created": gettext_lazy("%(object)s registered for %(course)s"),
    "mentoring.signup.created": gettext_lazy("%(actor)s signed up for a mentoring programme"),
    "mentoring.programme.created": gettext_lazy("%(actor)s created a mentoring programme"),
    "evaluations.round.created": gettext_lazy("%(actor)s prepared an evaluation"),
    "evaluations.round.answered": gettext_lazy("%(actor)s answered an evaluation"),
    "evaluations.report.shared": gettext_lazy(
        "%(actor)s shared the evaluation report of %(object)s"
    ),
    "billing.run.drafted": gettext_lazy("%(actor)s drafted the invoices of a period"),
    "billing.invoice.issued": gettext_lazy("%(actor)s issued an invoice"),
    "billing.settings.updated": gettext_lazy("%(actor)s changed the billing settings"),
}

# Actions whose words are already a whole sentence, with no person behind them: what arrives
# from outside, and what the task worker or a scheduled command does.
WHOLE = {
    "directory.inquiry.received",
    "booking.link.used",
    "billing.invoice.delivery_sent",
    "billing.invoice.delivery_failed",
    "evaluations.round.sent",
    "evaluations.round.reminded",
    "mentoring.checkin.reminded",
    "privacy.retention.applied",
    "directory.inquiries.pruned",
    "core.audit.pruned",
    "core.audit.rekeyed",
}

VERBS: dict[str, Promise] = {
    "created": pgettext_lazy("audit event", "created"),
    "updated": pgettext_lazy("audit event", "changed"),
    "saved": pgettext_lazy("audit event", "saved"),
    "deleted": pgettext_lazy("audit event", "deleted"),
    "added": pgettext_lazy("audit event", "added"),
    "removed": pgettext_lazy("audit event", "removed"),
    "sent": pgettext_lazy("audit event", "sent"),
    "read": pgettext_lazy("audit event", "read"),
    "downloaded": pgettext_lazy("audit event", "downloaded"),
    "issued": pgettext_lazy("audit event", "issued"),
    "answered": pgettext_lazy("audit event", "answered"),
    "shared": pgettext_lazy("audit event", "shared"),
}


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    sentence: str


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _parts_by_object(practice: Practice, events: list[AuditEvent]) -> dict[tuple[str, str], Parts]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in events:
        if e.object_type in NAMERS and e.object_id.isdigit():
            wanted[e.object_type].add(int(e.object_id))
    found: dict[tuple[str, str], Parts] = {}
    for object_type, ids in wanted.items():
        model = _model(object_type)
        if model is None:
            continue
        related, namer = NAMERS[object_type]
        # The base manager: the page is already the practice's own, and its rows are read
        # for their names only; the practice filter keeps another practice's rows out.
        qs = model._base_manager.filter(pk__in=ids).select_related(*related)
        if any(field.name == "practice" for field in model._meta.concrete_fields):
            qs = qs.filter(practice=practice)
        for obj in qs:
            found[(object_type, str(obj.pk))] = namer(obj)
    return found


def _unknown(event: AuditEvent) -> str:
    model = _model(event.object_type) if event.object_type else None
    if model is not None:
        kind = str(model._meta.verbose_name)
    else:
        kind = pgettext("audit event", "something")
    last = event.action.rsplit(".", 1)[-1]
    verb = VERBS.get(last)
    what = str(verb) if verb else last.replace("_", " ")
    return _("Event: %(kind)s – %(what)s") % {"kind": kind, "what": what}


def sentence(event: AuditEvent, parts: Parts | None) -> str:
    """One event as a sentence in the active language."""
    actor = event.actor.name if event.actor else pgettext("audit event", "someone")
    template = SENTENCES.get(event.action)
    if template is not None:
        try:
            return capfirst(str(template) % {"actor": actor, **(parts or {})}) or ""
        except KeyError:
            # The object the sentence names is gone (erased, pruned): say it without the name.
            pass
    label = LABELS.get(event.action)
    if label is not None and event.action in WHOLE:
        return capfirst(str(label)) or ""
    if label is not None:
        return capfirst(_("%(actor)s %(what)s") % {"actor": actor, "what": label}) or ""
    return _unknown(event)


def audit_rows(practice: Practice, events: Iterable[AuditEvent]) -> list[AuditRow]:
    """The page's events as sentences, with the objects they concern named."""
    events = list(events)
    parts = _parts_by_object(practice, events)
    return [AuditRow(e, sentence(e, parts.get((e.object_type, e.object_id)))) for e in events]
