"""Erasure ends everything that could still act on or bill the person: a waitlisted course
registration is not promoted, mailed or invoiced afterwards; a first talk ahead is cancelled;
the person leaves their groups; mails still queued to them go."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.courses import services as courses
from bollplank.courses.enums import RegistrationStatus
from bollplank.courses.invoicing import uninvoiced_registrations
from bollplank.courses.models import Registration
from bollplank.engagements.models import GroupMembership
from bollplank.notifications.models import OutgoingMail
from bollplank.privacy.services import address_erase, person_erase
from tests.courses.conftest import make_course, register


def test_an_erased_waitlisted_registration_is_never_promoted_mailed_or_billed(
    world, django_capture_on_commit_callbacks
):
    course = make_course(world.practice, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = register(course, email="forst@kommun.se")
        waiting = register(course, email="vanta@kommun.se")
    assert waiting.status == RegistrationStatus.WAITLISTED
    with scopes_disabled():
        # The waitlist mail is still queued when the person asks to be erased.
        OutgoingMail.objects.filter(to__iexact="vanta@kommun.se").update(status="queued")

    address_erase(actor=world.admin, email="vanta@kommun.se", practice=world.practice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        courses.registration_cancel(actor=None, registration=first)

    with scopes_disabled():
        erased = Registration.objects.get(pk=waiting.pk)
        assert (erased.status, erased.promoted_at) == (RegistrationStatus.CANCELLED, None)
        assert erased.name == "Borttagen deltagare" and erased.token != waiting.token
        assert not OutgoingMail.objects.filter(to__iexact="vanta@kommun.se").exists()
        assert not OutgoingMail.objects.filter(to__startswith="erased-").exists()
        start = clock.now() - dt.timedelta(days=365)
        billable = uninvoiced_registrations(world.practice, start, start + dt.timedelta(days=730))
        assert list(billable.filter(course=course)) == []
    # Only the first person's cancellation went out: no "a place is yours" to anyone.
    assert [m.to for m in mail.outbox] == [["forst@kommun.se"]]


def test_an_erased_confirmed_place_goes_to_the_next_on_the_waitlist(
    world, django_capture_on_commit_callbacks
):
    course = make_course(world.practice, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        held = register(course, email="forst@kommun.se")
        nxt = register(course, email="nasta@kommun.se")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        address_erase(actor=world.admin, email="forst@kommun.se", practice=world.practice)
    with scopes_disabled():
        assert Registration.objects.get(pk=held.pk).status == RegistrationStatus.CANCELLED
        assert Registration.objects.get(pk=nxt.pk).status == RegistrationStatus.CONFIRMED
    assert [m.to for m in mail.outbox] == [["nasta@kommun.se"]]


def test_an_erased_participant_leaves_their_groups(world):
    with scopes_disabled():
        open_before = GroupMembership.objects.filter(
            participant__user=world.participant_user, left_on=None
        ).count()
    assert open_before == 1
    person_erase(actor=world.admin, user=world.participant_user, practice=world.practice)
    with scopes_disabled():
        rows = GroupMembership.objects.filter(engagement=world.engagement)
        left = [m.left_on for m in rows if m.participant.name == "Borttagen deltagare"]
    assert left == [clock.today()]


def test_an_erased_visitor_s_first_talk_ahead_is_cancelled(world):
    from bollplank.booking.models import FirstTalk, FirstTalkStatus

    starts = clock.now() + dt.timedelta(days=3)
    with scopes_disabled():
        talk = FirstTalk.objects.create(
            practice=world.practice,
            supervisor=world.supervisor,
            name="Bo Besök",
            email="besok@kommun.se",
            place="video",
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
        )
    address_erase(actor=world.admin, email="besok@kommun.se", practice=world.practice)
    with scopes_disabled():
        talk = FirstTalk.objects.get(pk=talk.pk)
    assert (talk.status, talk.email) == (
        FirstTalkStatus.CANCELLED,
        f"erased-first-talk-{talk.pk}@invalid.invalid",
    )
