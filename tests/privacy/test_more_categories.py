"""Issue 10, gap 2: facilitation, mentoring, booking, notifications and the API plug into the
registry: the export holds only the person's own rows (confidential parts only for the person
themself), erasure removes or empties them and keeps what others rely on."""

from __future__ import annotations

import datetime as dt

from django_scopes import scopes_disabled

from bollplank.api.models import ApiToken
from bollplank.booking.models import BookingLink, BusyInterval, OutsideCalendar, WeeklyHours
from bollplank.core import clock
from bollplank.engagements.models import Participant
from bollplank.facilitation.models import Run
from bollplank.mentoring.models import Pair, Programme, SignUp
from bollplank.mentoring.models import Response as CheckIn
from bollplank.notifications.models import OptOut, OutgoingMail
from bollplank.privacy import services


def _export(user, key, confidential=False):
    data = services.person_export(
        actor=user if confidential else None, user=user, confidential=confidential
    )
    return data["categories"][key]["rows"]


def test_facilitation_run_export_and_erasure(world):
    with scopes_disabled():
        pia = Participant.objects.get(user=world.participant_user)
        other = world.engagement.memberships.exclude(participant=pia).first().participant
        now = clock.now()
        run = Run.objects.create(
            practice=world.practice,
            meeting=world.meeting,
            model_name="Reflekterande team",
            case_owner=pia,
            started_by=world.supervisor,
            speakers=[pia.pk, other.pk],
            passes=[[1, pia.pk], [2, other.pk]],
            status="finished",
            step_started_at=now,
            started_at=now,
            finished_at=now,
        )
    (row,) = _export(world.participant_user, "facilitation.runs")
    assert (row["case_owner"], row["passed_in_steps"], row["model"]) == (
        True,
        [1],
        "Reflekterande team",
    )
    # The supervisor's export shows the run they started, not whose case it was to them.
    (sup,) = _export(world.supervisor, "facilitation.runs")
    assert (sup["started_it"], sup["case_owner"]) == (True, False)
    assert _export(world.other_supervisor, "facilitation.runs") == []

    services.person_erase(actor=None, user=world.participant_user)
    with scopes_disabled():
        run.refresh_from_db()
    assert (run.case_owner_id, run.speakers, run.passes) == (None, [other.pk], [[2, other.pk]])


def _programme(world):
    with scopes_disabled():
        return Programme.objects.create(
            practice=world.practice,
            name="Mentorskap 2026",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            signup_closes_on=dt.date(2026, 1, 31),
            signup_token="p" * 64,
        )


def _signup(programme, side, name, email, token):
    with scopes_disabled():
        return SignUp.objects.create(
            practice=programme.practice,
            programme=programme,
            side=side,
            name=name,
            email=email,
            unit="Enhet",
            free_text="Mina egna ord",
            token_hash=token * 64,
        )


def test_mentoring_signups_found_by_address_and_emptied(world):
    programme = _programme(world)
    # The sign-up was made by e-mail, in another case: found case-insensitively.
    mine = _signup(programme, "mentee", "Pia", "PIA@solbacka.se", "a")
    partner = _signup(programme, "mentor", "Maja Mentor", "maja@solbacka.se", "b")
    with scopes_disabled():
        pair = Pair.objects.create(
            practice=world.practice, programme=programme, mentee=mine, mentor=partner
        )
        CheckIn.objects.create(
            practice=world.practice,
            pair=pair,
            side="mentee",
            kind="checkin",
            progress=4,
            comment="Det går bra",
        )
        CheckIn.objects.create(
            practice=world.practice,
            pair=pair,
            side="mentor",
            kind="checkin",
            progress=5,
            comment="Mentorns ord",
        )
    (row,) = _export(world.participant_user, "mentoring.signups")
    assert row["anything_else"] == "Mina egna ord"
    assert [c["comment"] for c in row["my_check_ins"]] == ["Det går bra"]
    assert "Maja" not in str(row) and "Mentorns ord" not in str(row)

    services.person_erase(actor=None, user=world.participant_user)
    with scopes_disabled():
        mine.refresh_from_db()
        assert mine.email.endswith("@invalid.invalid") and mine.free_text == mine.unit == ""
        assert mine.token_hash != "a" * 64
        # The pair stays for the mentor, with both ratings; only the erased side's words go.
        assert Pair.objects.filter(pk=pair.pk).exists()
        assert sorted(pair.responses.values_list("progress", "comment")) == [
            (4, ""),
            (5, "Mentorns ord"),
        ]
        partner.refresh_from_db()
        assert partner.name == "Maja Mentor"


def test_booking_calendars_and_links(world):
    with scopes_disabled():
        cal = OutsideCalendar.objects.create(
            practice=world.practice,
            supervisor=world.supervisor,
            name="Privat",
            url="https://cal.example/secret-token.ics",
        )
        start = clock.now()
        BusyInterval.objects.create(
            practice=world.practice,
            calendar=cal,
            supervisor=world.supervisor,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )
        WeeklyHours.objects.create(
            practice=world.practice,
            supervisor=world.supervisor,
            weekday=0,
            start=dt.time(9),
            end=dt.time(12),
            place="video",
        )
        used = BookingLink.objects.create(
            practice=world.practice,
            engagement=world.engagement,
            created_by=world.supervisor,
            label="Anna",
            token_hash="u" * 64,
            expires_at=start + dt.timedelta(days=7),
            used_at=start,
        )
        BookingLink.objects.create(
            practice=world.practice,
            engagement=world.engagement,
            created_by=world.supervisor,
            label="Bo",
            token_hash="o" * 64,
            expires_at=start + dt.timedelta(days=7),
        )
    (row,) = _export(world.supervisor, "booking.supervisor")
    (calendar,) = row["outside_calendars"]
    # Only busy intervals, and the secret address only for the supervisor themself.
    assert set(calendar["busy"][0]) == {"from", "to"}
    assert "secret-token" not in str(row)
    (own,) = _export(world.supervisor, "booking.supervisor", confidential=True)
    assert "secret-token" in str(own)
    assert _export(world.other_supervisor, "booking.supervisor") == []

    services.person_erase(actor=None, user=world.supervisor)
    with scopes_disabled():
        assert not OutsideCalendar.objects.exists() and not BusyInterval.objects.exists()
        assert not WeeklyHours.objects.exists()
        assert list(BookingLink.objects.values_list("pk", flat=True)) == [used.pk]


def test_notifications_outbox_and_choices(world):
    with scopes_disabled():
        for to in ("pia@solbacka.se", "Pia@Solbacka.se", "otto@solbacka.se"):
            OutgoingMail.objects.create(
                practice=world.practice, kind="reminder", to=to, subject=f"Till {to}", text="x"
            )
        OptOut.objects.create(email="pia@solbacka.se", kind="reminder")
        OptOut.objects.create(email="otto@solbacka.se", kind="reminder")
    rows = _export(world.participant_user, "notifications.mail")
    assert len(rows) == 3  # two mails and one choice
    assert "otto" not in str(rows).lower()

    services.person_erase(actor=None, user=world.participant_user)
    with scopes_disabled():
        assert list(OutgoingMail.objects.values_list("to", flat=True)) == ["otto@solbacka.se"]
        assert list(OptOut.objects.values_list("email", flat=True)) == ["otto@solbacka.se"]


def test_api_tokens_never_export_the_hash(world):
    with scopes_disabled():
        ApiToken.objects.create(
            practice=world.practice,
            user=world.supervisor,
            name="Mitt skript",
            token_hash="f" * 64,
            prefix="bp_abcd",
        )
        ApiToken.objects.create(
            practice=world.practice,
            user=world.other_supervisor,
            name="Olles",
            token_hash="e" * 64,
            prefix="bp_efgh",
        )
    (row,) = _export(world.supervisor, "api.tokens", confidential=True)
    assert (row["name"], row["starts_with"]) == ("Mitt skript", "bp_abcd")
    assert "f" * 64 not in str(row)
    services.person_erase(actor=None, user=world.supervisor)
    with scopes_disabled():
        assert list(ApiToken.objects.values_list("name", flat=True)) == ["Olles"]


def test_every_erasable_kind_says_what_erasure_does():
    from bollplank.core.personal_data_registry import categories

    missing = [c.key for c in categories() if c.erase is not None and not c.erasure]
    assert missing == []
