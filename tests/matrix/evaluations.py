"""Permission matrix rows of the evaluations app (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_scopes import scope, scopes_disabled

from tests.conftest import World
from tests.matrix import OWN_SUPERVISOR, PARTICIPANTS, ROLES, STAFF_ONLY, Case, P

POSTED = {"admin": 302, "supervisor": 302, "other_supervisor": 302}
CONTACT_ONLY = {**dict.fromkeys(ROLES, 403), "anonymous": 302, "contact": 200, "foreign": 404}


def _round(w: World) -> Any:
    from bollplank.evaluations import services
    from bollplank.evaluations.models import Round

    with scopes_disabled():
        existing = Round.objects.filter(meeting=w.meeting).first()
    if existing is not None:
        return existing
    with scope(practice=w.practice):
        return services.after_meeting_send(actor=w.supervisor, meeting=w.meeting, anonymous=True)


def _pia_invitation(w: World) -> int:
    from bollplank.evaluations.models import Invitation

    rnd = _round(w)
    with scopes_disabled():
        return Invitation.objects.get(round=rnd, participant__user=w.participant_user).pk


def _pia_token(w: World) -> str:
    from bollplank.evaluations.models import Invitation
    from bollplank.evaluations.services import invitation_token

    with scopes_disabled():
        return invitation_token(Invitation.objects.get(pk=_pia_invitation(w)))


def _questionnaire(w: World) -> int:
    from bollplank.evaluations.models import Questionnaire

    with scopes_disabled():
        return Questionnaire.shipped.get(key="after-meeting").pk


def _licensed(practice: Any) -> int:
    import datetime as dt

    from bollplank.core import clock
    from bollplank.evaluations.models import Questionnaire

    with scopes_disabled():
        return Questionnaire.objects.create(
            practice=practice,
            kind="licensed",
            name_sv="MCSS-26",
            instrument="mcss26",
            licence_holder="Ekbacken AB",
            licence_reference="Avtal 1",
            licence_valid_until=clock.today() + dt.timedelta(days=30),
        ).pk


def _own_question(w: World) -> int:
    from bollplank.evaluations.models import Question, Questionnaire

    with scopes_disabled():
        q = Questionnaire.objects.create(practice=w.practice, kind="custom", name_sv="Vår")
        return Question.objects.create(questionnaire=q, position=1, scale="yesno", text_sv="?").pk


def _verification_code(w: World) -> str:
    from bollplank.core.documents import verification_code

    return verification_code("hours", _signoff(w))


def _signoff(w: World) -> int:
    from bollplank.evaluations import services
    from bollplank.meetings.models import Attendance

    with scopes_disabled():
        pia = w.engagement.memberships.get(participant__user=w.participant_user).participant
        Attendance.objects.get_or_create(
            practice=w.practice, meeting=w.meeting, participant=pia, defaults={"status": "present"}
        )
    with scope(practice=w.practice):
        return services.hours_sign_off(
            actor=w.supervisor, engagement=w.engagement, participant=pia
        ).pk


def _pia(w: World) -> int:
    with scopes_disabled():
        return w.engagement.memberships.get(participant__user=w.participant_user).participant_id


MATRIX: list[Case] = [
    ("questionnaire_list", "get", lambda w: [P], STAFF_ONLY),
    ("questionnaire_detail", "get", lambda w: [P, _questionnaire(w)], STAFF_ONLY),
    ("questionnaire_licence", "get", lambda w: [P, _licensed(w.practice)], STAFF_ONLY),
    ("questionnaire_copy", "post", lambda w: [P, _questionnaire(w)], {**STAFF_ONLY, **POSTED}),
    ("question_remove", "post", lambda w: [P, _own_question(w)], {**STAFF_ONLY, **POSTED}),
    # Named answers and the group's trend: the engagement's own supervisor only.
    ("engagement_evaluations", "get", lambda w: [P, w.engagement.pk], OWN_SUPERVISOR),
    (
        "participant_evaluations",
        "get",
        lambda w: [P, w.engagement.pk, _pia(w)],
        OWN_SUPERVISOR,
    ),
    ("engagement_goals", "get", lambda w: [P, w.engagement.pk], OWN_SUPERVISOR),
    ("my_goals", "get", lambda w: [P], PARTICIPANTS),
    ("engagement_hours", "get", lambda w: [P, w.engagement.pk], OWN_SUPERVISOR),
    # Public: whoever holds a certificate's code may check it (no login, no practice in the URL).
    ("certificate_verify", "get", lambda w: [_verification_code(w)], dict.fromkeys(ROLES, 200)),
    (
        "hours_certificate",
        "get",
        lambda w: [P, _signoff(w)],
        {
            **dict.fromkeys(ROLES, 403),
            "anonymous": 302,
            "supervisor": 200,
            "other_supervisor": 404,
            "participant": 200,
            "outsider": 404,
            "foreign": 404,
        },
    ),
    ("report_preview", "get", lambda w: [P, w.engagement.pk], OWN_SUPERVISOR),
    ("meeting_check", "get", lambda w: [P, w.meeting.pk], OWN_SUPERVISOR),
    (
        "evaluation_answer",
        "get",
        lambda w: [P, _pia_invitation(w)],
        {**PARTICIPANTS, "outsider": 404},
    ),
    # The e-mail link: the token is the key; someone else signed in is refused.
    (
        "evaluation_answer_link",
        "get",
        lambda w: [_pia_token(w)],
        {**dict.fromkeys(ROLES, 403), "anonymous": 200, "participant": 200},
    ),
    ("client_report", "get", lambda w: [P], CONTACT_ONLY),
    ("client_report_pdf", "get", lambda w: [P], CONTACT_ONLY),
    ("client_report_csv", "get", lambda w: [P], CONTACT_ONLY),
]

# The supervisor-only pages answer 404 to another practice's objects through the "foreign"
# column above (a practice admin is refused by role before any object is looked up).
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("questionnaire_licence", lambda w: [P, _licensed(w.other_practice)]),
]
