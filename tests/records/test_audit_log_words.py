"""The audit log page in words a practice admin understands: sentences with the actor's name and
the object's label, no raw codes, no management commands, and a query count that does not grow
with the events on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership
from bollplank.core.audit import audit
from bollplank.core.audit_labels import LABELS
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from bollplank.records.audit_log import SENTENCES, VERBS, audit_rows

pytestmark = pytest.mark.django_db

P = "ekbacken"


def _page(client, world) -> str:
    client.force_login(world.admin)
    return client.get(reverse("audit_log", args=[P])).content.decode()


def _common_events(world) -> None:
    """The ten most frequent actions, written as the services write them."""
    with scopes_disabled():
        membership = world.engagement.memberships.select_related("participant").get(
            participant__user=world.participant_user
        )
        pia = membership.participant
        contact = world.client.contacts.get()
        role = Membership.objects.get(practice=world.practice, user=world.supervisor)
    a = world.admin
    audit(a, "engagements.participant.created", pia)
    audit(a, "engagements.membership.joined", membership)
    audit(a, "engagements.membership.left", membership)
    audit(a, "engagements.engagement.created", world.engagement, {"participants": 2})
    audit(a, "meetings.meeting.created", world.meeting)
    audit(a, "meetings.meeting.moved", world.meeting, {"from": "x", "to": "y"})
    audit(a, "meetings.attendance.recorded", world.meeting, {"count": 2})
    audit(a, "clients.client.created", world.client)
    audit(a, "clients.contact.created", contact)
    audit(a, "accounts.membership.granted", role, {"role": Role.SUPERVISOR})


def test_the_ten_most_common_actions_read_as_swedish_sentences(client, world):
    world.admin.name = "Karin Ekholm"
    world.admin.save()
    _common_events(world)
    page = _page(client, world)
    when = date_format(localtime(world.meeting.starts_at), "j F Y H:i")
    for sentence in [
        "Karin Ekholm lade till deltagaren Pia Deltagare",
        "Karin Ekholm lade till Pia Deltagare i Lärarlaget åk 4–6",
        "Karin Ekholm noterade att Pia Deltagare lämnade Lärarlaget åk 4–6",
        "Karin Ekholm skapade uppdraget Lärarlaget åk 4–6",
        f"Karin Ekholm planerade en träff i Lärarlaget åk 4–6 den {when}",
        f"Karin Ekholm flyttade träffen i Lärarlaget åk 4–6 till {when}",
        f"Karin Ekholm registrerade närvaron på träffen i Lärarlaget åk 4–6 den {when}",
        "Karin Ekholm registrerade uppdragsgivaren Solbacka skola",
        "Karin Ekholm lade till Rektor Rut som kontaktperson för Solbacka skola",
        "Karin Ekholm gav Siv Handledare rollen handledare",
    ]:
        assert f'<td data-label="Vad som hände">{sentence}</td>' in page, sentence
    assert "manage.py" not in page and "verify_audit_chain" not in page
    assert ">engagements.participant.created<" not in page
    assert "meetings.meeting" not in page.replace('data-action="meetings.meeting', "")


def test_actions_of_every_app_read_as_swedish_sentences(client, world):
    world.admin.name = "Karin Ekholm"
    world.admin.save()
    a, practice = world.admin, world.practice
    audit(a, "billing.invoice.downloaded", world.engagement, {"format": "pdf"})
    audit(a, "billing.bgmax.imported", None, practice=practice)
    audit(None, "billing.invoice.delivery_sent", world.engagement)
    audit(a, "api.token.created", world.engagement)
    audit(a, "privacy.person.exported", None, practice=practice)
    audit(a, "evaluations.hours.certificate", world.engagement)
    audit(a, "facilitation.run.pause", world.meeting)
    audit(a, "mentoring.pair_rule.lock", world.engagement)
    audit(a, "courses.registration.client_linked", world.engagement)
    audit(a, "accounts.invitation.resent", world.engagement)
    audit(None, "privacy.retention.applied", None, practice=practice)
    page = _page(client, world)
    for sentence in [
        "Karin Ekholm laddade ner en faktura",
        "Karin Ekholm läste in en BgMax-fil med betalningar",
        "En faktura levererades till köparen",
        "Karin Ekholm skapade en API-token",
        "Karin Ekholm exporterade en persons uppgifter",
        "Karin Ekholm laddade ner ett intyg om handledningstimmar",
        "Karin Ekholm pausade en samtalsmodell",
        "Karin Ekholm låste ihop en adept och en mentor",
        "Karin Ekholm kopplade en kursanmälan till en uppdragsgivare för fakturering",
        "Karin Ekholm skickade en inbjudan igen",
        "Uppgifter vars sparandetid gått ut raderades",
    ]:
        assert f'<td data-label="Vad som hände">{sentence}</td>' in page, sentence
    assert "Händelse:" not in page


def test_english_sentences_and_fallbacks():
    event = AuditEvent(action="engagements.membership.joined", object_type="x", object_id="1")
    with translation.override("en"):
        from bollplank.records.audit_log import sentence

        parts = {"participant": "Eva Larsson", "engagement": "Lärarlaget åk 4–6"}
        assert sentence(event, parts) == "Someone added Eva Larsson to Lärarlaget åk 4–6"
        # The object is gone: the action's own words.
        assert sentence(event, None) == "Someone added a participant to a group"
        # An action with no words (one no code writes any more): the kind of object and the verb.
        unknown = AuditEvent(action="courses.course.deleted", object_type="courses.course")
        assert sentence(unknown, None) == "Event: course – deleted"
    with translation.override("sv"):
        assert sentence(unknown, None) == "Händelse: kurs – borttagen"
        odd = AuditEvent(action="x.y.frobbed_twice", object_type="no.such")
        assert sentence(odd, None) == "Händelse: något – frobbed twice"
        # No person behind it: the event's own words, without a "someone".
        arrived = AuditEvent(action="directory.inquiry.received", object_type="directory.inquiry")
        assert sentence(arrived, None) == "En förfrågan kom in"
        registered = AuditEvent(action="courses.registration.created")
        parts = {"object": "Eva Larsson", "course": "Samtalsmetodik"}
        assert sentence(registered, parts) == "Eva Larsson anmälde sig till Samtalsmetodik"


def test_objects_of_another_practice_are_not_named(world):
    with scopes_disabled():
        other = world.other_practice
    audit(world.admin, "clients.client.created", world.client)
    with scopes_disabled():
        event = AuditEvent.objects.get(action="clients.client.created")
        [row] = audit_rows(other, [event])
    assert "Solbacka" not in row.sentence


@pytest.mark.parametrize("events", [1, 20])
def test_audit_log_query_count_does_not_grow(client, world, django_assert_num_queries, events):
    with scopes_disabled():
        AuditEvent.objects.all().delete()
        membership = world.engagement.memberships.first()
    for _i in range(events):
        audit(world.admin, "meetings.meeting.moved", world.meeting)
        audit(world.admin, "engagements.membership.joined", membership)
        audit(world.admin, "records.summary.published", world.meeting)
    client.force_login(world.admin)
    client.get(reverse("audit_log", args=[P]))
    # session and user, membership, practice; the paginator's count and the page; one read per
    # kind of object named (meetings, memberships)
    with django_assert_num_queries(7):
        response = client.get(reverse("audit_log", args=[P]))
    assert response.content.decode().count("<tr data-action=") == 3 * events


def test_the_swedish_audit_log_says_traff_for_a_meeting():
    # The rest of the Swedish UI calls a supervision meeting "träff"; "möte" is another word.
    with translation.override("sv"):
        texts = {action: str(text) for action, text in {**LABELS, **SENTENCES}.items()}
        texts |= {f"verb {v}": str(text) for v, text in VERBS.items()}
    assert {action: text for action, text in texts.items() if "möt" in text.lower()} == {}
    assert texts["meetings.meeting.moved"] == (
        "%(actor)s flyttade träffen i %(engagement)s till %(when)s"
    )
