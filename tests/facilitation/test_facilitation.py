"""Conversation models, the runner's state on the server, takeaways, and the mission's parts.

Bad input from the issue, each with its message: a model with no steps, a step with zero or
negative time, two leaders, a case owner not in the group, a run started twice (two screens), a
reload mid-run (the start form posted again, and a stale screen).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.facilitation import selectors, services
from bollplank.facilitation.forms import parse_time
from bollplank.facilitation.models import ConversationModel, MeetingTheme, Run
from bollplank.facilitation.services import StepData
from bollplank.meetings.enums import AttendanceStatus
from bollplank.meetings.models import Attendance
from bollplank.records.models import CaseTurn
from tests import factories as f

P = "ekbacken"
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def _shipped(key: str = "reflecting-team-sv") -> ConversationModel:
    with scopes_disabled():
        return ConversationModel.shipped.get(key=key)


def _pia(world):
    with scopes_disabled():
        return world.engagement.memberships.get(
            participant__user=world.participant_user
        ).participant


def _other(world):
    with scopes_disabled():
        return (
            world.engagement.memberships.exclude(participant__user=world.participant_user)
            .get()
            .participant
        )


def _start(world, **kwargs):
    params = {
        "actor": world.supervisor,
        "meeting": world.meeting,
        "model": _shipped(),
        "case_owner_id": _pia(world).pk,
        "leader_ids": ["supervisor"],
        "now": T0,
    }
    params.update(kwargs)
    with scope(practice=world.practice):
        return services.run_start(**params)


def _act(world, run, action, *, at, version=None):
    with scope(practice=world.practice):
        return services.run_act(
            actor=world.supervisor,
            run=run,
            action=action,
            version=run.version if version is None else version,
            at=at,
            now=at,
        )


# --- shipped models -------------------------------------------------------------------------


@pytest.mark.django_db
def test_shipped_models_exist_in_swedish_and_english():
    with scopes_disabled():
        keys = set(ConversationModel.shipped.values_list("key", flat=True))
        reflecting = ConversationModel.shipped.get(key="reflecting-team-sv")
        names = [s.name for s in reflecting.steps.all()]
        speakers = [s.speaker for s in reflecting.steps.all()]
    assert keys == {
        "reflecting-team-sv",
        "reflecting-team-en",
        "collegial-back-turned-sv",
        "collegial-back-turned-en",
        "opening-round-sv",
        "opening-round-en",
    }
    assert names == [
        "Presentation",
        "Klargörande frågor",
        "Bekräftande återkoppling",
        "Reflekterande runda",
        "Ärendeägaren sammanfattar",
    ]
    assert speakers == ["case_owner", "group", "group", "round", "case_owner"]


def test_copy_of_a_shipped_model_is_the_practices_and_editable(world):
    with scope(practice=world.practice):
        copy = services.model_copy(
            actor=world.supervisor, practice=world.practice, source=_shipped()
        )
        services.model_save(
            actor=world.supervisor,
            practice=world.practice,
            model=copy,
            name="Vårt team",
            description="",
            language="sv",
            steps=[
                StepData("Presentation", "", 240, "case_owner"),
                StepData("Runda", "", 5, "round"),
            ],
        )
        mine = selectors.models_for(world.practice)
    assert mine[0].name == "Vårt team"
    assert [(s.name, s.seconds) for s in mine[0].steps.all()] == [
        ("Presentation", 240),
        ("Runda", 5),
    ]
    assert _shipped().steps.count() == 5  # the shipped one is untouched
    with scope(practice=world.other_practice):
        assert [
            m.name for m in selectors.models_for(world.other_practice) if not m.is_shipped
        ] == []


def test_shipped_model_cannot_be_changed(world):
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.model_save(
            actor=world.supervisor,
            practice=world.practice,
            model=_shipped(),
            name="x",
            description="",
            language="sv",
            steps=[StepData("a", "", 5, "group")],
        )
    assert "kopiera" in exc.value.messages[0]


# --- bad input: models ----------------------------------------------------------------------


def _post_model(client, world, rows):
    data = {
        "name": "Min modell",
        "description": "",
        "language": "sv",
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
    }
    for i, (name, time, speaker) in enumerate(rows):
        data |= {f"steps-{i}-name": name, f"steps-{i}-time": time, f"steps-{i}-speaker": speaker}
    client.force_login(world.supervisor)
    return client.post(reverse("model_new", args=[P]), data)


def test_model_with_no_steps_is_refused_with_a_message(client, world):
    response = _post_model(client, world, [("", "", "")])
    assert response.status_code == 400
    assert "En samtalsmodell behöver minst ett steg" in response.content.decode()
    with scopes_disabled():
        assert ConversationModel.objects.filter(practice=world.practice).count() == 0


@pytest.mark.parametrize("time", ["0", "-3", "0:00", "-0:30"])
def test_step_with_zero_or_negative_time_is_refused(client, world, time):
    response = _post_model(client, world, [("Presentation", time, "case_owner")])
    body = response.content.decode()
    assert response.status_code == 400
    assert "Steg 1 (Presentation) har ingen tid" in body
    assert 'value="Min modell"' in body  # nothing typed is lost
    with scopes_disabled():
        assert ConversationModel.objects.filter(practice=world.practice).count() == 0


def test_model_form_saves_steps_in_order_with_short_times(client, world):
    response = _post_model(
        client, world, [("Presentation", "0:04", "case_owner"), ("Runda", "5", "round")]
    )
    assert response.status_code == 302
    with scopes_disabled():
        model = ConversationModel.objects.get(practice=world.practice)
        assert [(s.position, s.seconds) for s in model.steps.all()] == [(1, 4), (2, 300)]


def test_parse_time():
    assert [parse_time(x) for x in ["5", "4:30", "0:05", "-2"]] == [300, 270, 5, -120]
    with pytest.raises(ValidationError):
        parse_time("fem")


# --- bad input: starting a run --------------------------------------------------------------


def _start_post(client, world, **data):
    client.force_login(world.supervisor)
    payload = {"model": _shipped().pk, "case_owner": _pia(world).pk, "leader": "supervisor"}
    payload.update(data)
    return client.post(reverse("run_start", args=[P, world.meeting.pk]), payload)


def test_two_leaders_are_refused(client, world):
    response = _start_post(client, world, leader=["supervisor", str(_other(world).pk)])
    assert response.status_code == 400
    assert "En körning har en samtalsledare" in response.content.decode()
    with scopes_disabled():
        assert not Run.objects.exists()


def test_case_owner_outside_the_group_is_refused_by_name(client, world):
    with scopes_disabled():
        otto = world.other_engagement.memberships.get(
            participant__user=world.outsider_participant_user
        )
    response = _start_post(client, world, case_owner=otto.participant_id)
    assert response.status_code == 400
    assert "Otto Utanför är inte med i gruppen" in response.content.decode()
    with scopes_disabled():
        assert not Run.objects.exists()


def test_case_owner_cannot_also_lead(world):
    with pytest.raises(ValidationError) as exc:
        _start(world, leader_ids=[str(_pia(world).pk)])
    assert "Ärendeägaren kan inte också leda samtalet" in str(exc.value)


def test_model_without_steps_cannot_be_started(world):
    with scope(practice=world.practice):
        empty = ConversationModel.objects.create(practice=world.practice, name="Tom")
    with pytest.raises(ValidationError) as exc:
        _start(world, model=empty)
    assert "har inga steg" in str(exc.value)


def test_run_started_twice_the_second_screen_is_told(client, world):
    first = _start_post(client, world)
    assert first.status_code == 302
    second = _start_post(client, world)  # another browser, same meeting
    assert second.status_code == 302
    assert second["Location"] == reverse("runner", args=[P, world.meeting.pk])
    page = client.get(second["Location"])
    assert "redan igång" in page.content.decode()
    with scopes_disabled():
        assert Run.objects.filter(meeting=world.meeting).count() == 1


def test_run_started_twice_in_the_service_names_the_time(world):
    _start(world)
    with pytest.raises(ValidationError) as exc:
        _start(world)
    assert exc.value.code == "already_started"
    assert "redan startad" in exc.value.messages[0]


def test_start_form_proposes_the_case_owner_from_the_rota(client, world):
    with scopes_disabled():
        CaseTurn.objects.create(
            practice=world.practice, meeting=world.meeting, participant=_pia(world)
        )
    client.force_login(world.supervisor)
    body = client.get(reverse("run_start", args=[P, world.meeting.pk])).content.decode()
    assert f'<option value="{_pia(world).pk}" selected>Pia Deltagare</option>' in body


def _defaults(body: str) -> dict[str, str]:
    """What the start form posts when the supervisor changes nothing."""
    form = body[body.index('<form method="post"') :]
    form = form[: form.index("</form>")]
    data = dict(re.findall(r'name="(csrfmiddlewaretoken)" value="([^"]*)"', form))
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option value="([^"]*)" selected>', options)
        data[name] = chosen[0] if chosen else re.findall(r'<option value="([^"]*)"', options)[0]
    return data


@pytest.mark.parametrize("pia_absent", [False, True])
def test_start_form_starts_the_default_model_as_it_comes(client, world, pia_absent):
    members = sorted([_pia(world), _other(world)], key=lambda p: p.name)
    if pia_absent:
        with scopes_disabled():
            Attendance.objects.create(
                practice=world.practice,
                meeting=world.meeting,
                participant=_pia(world),
                status=AttendanceStatus.ABSENT,
            )
    expected = _other(world) if pia_absent else members[0]
    client.force_login(world.supervisor)
    url = reverse("run_start", args=[P, world.meeting.pk])
    body = client.get(url).content.decode()
    assert '<button class="primary">Starta</button>' in body
    response = client.post(url, _defaults(body))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("runner", args=[P, world.meeting.pk])
    with scopes_disabled():
        run = Run.objects.select_related("conversation_model").get(meeting=world.meeting)
    # The first Swedish model, which has steps for a case owner: someone in the group who is
    # coming is proposed, and the supervisor leads.
    assert (run.conversation_model.key, run.case_owner_id, run.leader_id) == (
        "collegial-back-turned-sv",
        expected.pk,
        None,
    )


# --- the run on the server ------------------------------------------------------------------


def test_timer_pause_extend_skip_and_used_seconds(world):
    run = _start(world)
    run = _act(world, run, "pause", at=T0 + dt.timedelta(seconds=60))
    run = _act(world, run, "resume", at=T0 + dt.timedelta(seconds=90))
    run = _act(world, run, "extend", at=T0 + dt.timedelta(seconds=100))
    with scope(practice=world.practice):
        state = services.run_state(run, now=T0 + dt.timedelta(seconds=120))
    # 300 s + 60 extended − (120 − 30 paused) elapsed
    assert state["remaining"] == 270
    run = _act(world, run, "next", at=T0 + dt.timedelta(seconds=130))
    assert run.step_index == 1
    assert run.plan[0]["used"] == 100
    assert run.version == 5


def test_round_turns_and_a_pass(world):
    run = _start(world)
    at = T0
    for _ in range(3):
        at += dt.timedelta(seconds=10)
        run = _act(world, run, "next", at=at)
    assert run.plan[3]["speaker"] == "round"
    # The case owner has presented: they listen in the reflecting round.
    assert run.plan[3]["round"] == [_other(world).pk]
    run = _act(world, run, "pass", at=at)
    assert run.passes == [[3, _other(world).pk]]
    with pytest.raises(ValidationError) as exc:
        _act(world, run, "turn", at=at)
    assert "Alla har haft sin tur" in exc.value.messages[0]


def test_stale_screen_is_told_and_changes_nothing(world):
    run = _start(world)
    stale_version = run.version
    run = _act(world, run, "next", at=T0 + dt.timedelta(seconds=5))
    with pytest.raises(services.RunConflict) as exc:
        _act(world, run, "pause", at=T0 + dt.timedelta(seconds=6), version=stale_version)
    assert "En annan skärm ändrade körningen" in exc.value.messages[0]
    with scopes_disabled():
        assert Run.objects.get().paused_at is None


def test_stale_screen_gets_409_with_the_current_state(client, world):
    run = _start(world)
    client.force_login(world.supervisor)
    url = reverse("run_act", args=[P, world.meeting.pk])
    ok = client.post(
        url, {"action": "next", "version": run.version}, headers={"Accept": "application/json"}
    )
    assert ok.status_code == 200
    assert ok.json()["state"]["step_index"] == 1
    stale = client.post(
        url, {"action": "pause", "version": run.version}, headers={"Accept": "application/json"}
    )
    assert stale.status_code == 409
    assert stale.json()["state"]["version"] == run.version + 1
    assert "En annan skärm" in stale.json()["message"]


def test_offline_action_keeps_when_it_was_pressed(world):
    run = _start(world)
    # Pressed at +40 s while the screen was offline, sent at +100 s.
    with scope(practice=world.practice):
        run = services.run_act(
            actor=world.supervisor,
            run=run,
            action="next",
            version=run.version,
            at=T0 + dt.timedelta(seconds=40),
            now=T0 + dt.timedelta(seconds=100),
        )
    assert run.plan[0]["used"] == 40
    assert run.step_started_at == T0 + dt.timedelta(seconds=40)


def test_reload_mid_run_resumes_where_it_was(client, world):
    run = _start(world, now=clock.now() - dt.timedelta(seconds=30))
    _act(world, run, "next", at=clock.now())
    client.force_login(world.supervisor)
    body = client.get(reverse("runner", args=[P, world.meeting.pk])).content.decode()
    assert "Klargörande frågor" in body
    assert "Steg 2 av 5" in body


def test_without_javascript_the_buttons_post_and_come_back(client, world):
    run = _start(world)
    client.force_login(world.supervisor)
    response = client.post(
        reverse("run_act", args=[P, world.meeting.pk]), {"action": "next", "version": run.version}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Run.objects.get().step_index == 1


# --- takeaways ------------------------------------------------------------------------------


# The case owner writes the takeaway from their own login: tests/facilitation/test_roles.py.


# --- the mission ----------------------------------------------------------------------------


def test_mission_parts_are_versioned_and_counted_over_time(world):
    with scope(practice=world.practice):
        a, b = services.mission_split(
            actor=world.supervisor,
            client=world.client,
            text="Kunskap\nSkolan förmedlar kunskaper.\n\nLärande\nFörutsättningar för lärande.",
        )
        services.themes_set(actor=world.supervisor, meeting=world.meeting, part_ids=[a.pk, b.pk])
        a2 = services.mission_part_revise(
            actor=world.supervisor, part=a, title="Kunskaper", text=""
        )
        second = f.MeetingFactory(
            engagement=world.engagement,
            starts_at=world.meeting.starts_at + dt.timedelta(days=100),
            ends_at=world.meeting.ends_at + dt.timedelta(days=100),
        )
        services.themes_set(actor=world.supervisor, meeting=second, part_ids=[a2.pk])
        counts = selectors.mission_counts(world.engagement)
        history = selectors.part_history(world.client)
    assert [(r.title, r.total) for r in counts.rows] == [("Kunskaper", 2), ("Lärande", 1)]
    assert len(counts.periods) == 2
    assert [p.version for p in history[a.lineage]] == [2, 1]
    with scopes_disabled():
        # The first meeting's theme still points at the version current then.
        assert MeetingTheme.objects.filter(meeting=world.meeting, part=a).exists()


def test_client_sees_counts_only_when_shared(client, world):
    with scope(practice=world.practice):
        (part,) = services.mission_split(
            actor=world.supervisor, client=world.client, text="Kunskap"
        )
        services.themes_set(actor=world.supervisor, meeting=world.meeting, part_ids=[part.pk])
    client.force_login(world.contact_user)
    url = reverse("client_mission", args=[P])
    assert "Kunskap" not in client.get(url).content.decode()
    client.force_login(world.supervisor)
    client.post(reverse("engagement_mission", args=[P, world.engagement.pk]), {"shared": "1"})
    client.force_login(world.contact_user)
    body = client.get(url).content.decode()
    assert "Kunskap" in body
    assert "Pia" not in body


def test_engagement_shows_focus_over_time(client, world):
    client.force_login(world.supervisor)
    body = client.get(reverse("engagement_detail", args=[P, world.engagement.pk])).content.decode()
    assert "Process och ärende över tid" in body
