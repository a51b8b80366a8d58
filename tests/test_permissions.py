"""The permission matrix: every URL × every role, including a member of another practice.

Expected: anonymous → login redirect (302); member of another practice → 404; a role without
access → 403; an object outside the person's reach → 404. The test fails when a URL of the
project is missing here, so a new page cannot ship without deciding who may open it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from bollplank.meetings import services as meeting_services
from tests.conftest import World
from tests.matrix import (  # noqa: F401  (the shorthands, shared with tests/matrix/*)
    ADMIN_ONLY,
    EVERY_MEMBER,
    OWN_ENGAGEMENT,
    OWN_SUPERVISOR,
    PARTICIPANTS,
    ROLES,
    STAFF_ONLY,
    SUPERVISORS,
    Case,
    P,
    app_cases,
)


@pytest.fixture
def world(shared_world: World) -> World:
    """Built once for the module: every case only reads it or writes inside its own
    transaction, rolled back after it."""
    return shared_world


def _feed_token(w: World) -> str:
    with scopes_disabled():
        _feed, token = meeting_services.feed_create(user=w.participant_user, practice=w.practice)
    return token


def _logo(w: World) -> str:
    from bollplank.billing.models import BillingSettings

    with scopes_disabled():
        BillingSettings.objects.update_or_create(
            practice=w.practice,
            defaults={
                "legal_name": "Ekbacken",
                "logo": b"\x89PNG",
                "logo_content_type": "image/png",
            },
        )
    return P


def _note(w: World) -> int:
    from bollplank.records.models import PrivateNote

    with scopes_disabled():
        note = PrivateNote(
            practice=w.practice, author=w.supervisor, engagement=w.engagement, meeting=w.meeting
        )
        note.body = "Anteckning"
        note.save()
    return note.pk


def _journal(w: World) -> int:
    from bollplank.records.models import JournalEntry

    with scopes_disabled():
        entry = JournalEntry(practice=w.practice, author=w.participant_user)
        entry.body = "Dagbok"
        entry.save()
    return entry.pk


def _model(w: World) -> int:
    from bollplank.facilitation.models import ConversationModel, Step

    with scopes_disabled():
        model = ConversationModel.objects.create(practice=w.practice, name="Vår modell")
        Step.objects.create(model=model, position=1, name="Runda", seconds=60, speaker="round")
    return model.pk


def _shipped_model(w: World) -> int:
    from bollplank.facilitation.models import ConversationModel

    with scopes_disabled():
        return ConversationModel.shipped.get(key="reflecting-team-sv").pk


def _running(w: World, *, led_by_pia: bool = False, pias_case: bool = False) -> int:
    """The world's meeting with a conversation model running: led by its supervisor, or by Pia
    (a member of the group); with Pia as the case owner if ``pias_case``."""
    from bollplank.engagements.models import Participant
    from bollplank.facilitation import services as facilitation
    from bollplank.facilitation.models import ConversationModel

    with scopes_disabled():
        pia = Participant.objects.get(user=w.participant_user)
        key = "reflecting-team-sv" if pias_case else "opening-round-sv"
        facilitation.run_start(
            actor=w.supervisor,
            meeting=w.meeting,
            model=ConversationModel.shipped.get(key=key),
            case_owner_id=pia.pk if pias_case else None,
            leader_ids=[str(pia.pk)] if led_by_pia else [],
        )
    return w.meeting.pk


# The runner: the meeting's supervisor, and the group member chosen to lead while it runs.
RUN_BY_SUPERVISOR = {**OWN_SUPERVISOR, "participant": 404, "outsider": 404}
RUN_LED_BY_PIA = {**RUN_BY_SUPERVISOR, "participant": 200}


def _mission_part(w: World) -> int:
    from bollplank.facilitation import services as facilitation

    with scopes_disabled():
        part = facilitation.mission_part_add(actor=w.supervisor, client=w.client, title="Lärande")
    return part.pk


def _billing_draft(w: World) -> Any:

    from bollplank.billing import services as billing_services
    from tests.billing.conftest import day, month_end, settings_for

    settings_for(w.practice)
    with scopes_disabled():
        w.client.invoice_reference = "SOL-4410"
        w.client.save()
        [draft] = billing_services.invoice_run(
            actor=w.admin,
            practice=w.practice,
            period_start=day(1),
            period_end=month_end(),
        )
    return draft


def _invoice(w: World) -> int:
    """An issued invoice for the supervisor's engagement (the world's meeting)."""
    from bollplank.billing import services as billing_services

    draft = _billing_draft(w)
    with scopes_disabled():
        return billing_services.invoice_issue(actor=w.admin, invoice=draft).pk


def _membership(w: World, user: Any) -> int:
    from bollplank.accounts.models import Membership

    with scopes_disabled():
        return Membership.objects.filter(user=user).values_list("pk", flat=True)[0]


def _draft_line(w: World) -> list[Any]:
    draft = _billing_draft(w)
    with scopes_disabled():
        return [P, draft.pk, draft.lines.first().pk]


MATRIX: list[Case] = [
    # (url name, method, args, expected per role)
    ("home", "get", lambda w: [], {"anonymous": 302, **dict.fromkeys(ROLES[1:], 302)}),
    ("accessibility", "get", lambda w: [], dict.fromkeys(ROLES, 200)),
    # Public: anyone may report a problem; an empty form is refused (400) for everyone.
    ("accessibility", "post", lambda w: [], dict.fromkeys(ROLES, 400)),
    ("accessibility_thanks", "get", lambda w: [], dict.fromkeys(ROLES, 200)),
    ("bench_noop", "get", lambda w: [], dict.fromkeys(ROLES, 200)),
    ("invitation_accept", "get", lambda w: ["no-such-token"], dict.fromkeys(ROLES, 404)),
    # Public: mail clients fetch it without a login (a practice without a logo: 404).
    ("practice_logo", "get", lambda w: [_logo(w)], dict.fromkeys(ROLES, 200)),
    ("feed", "get", lambda w: [_feed_token(w)], dict.fromkeys(ROLES, 200)),
    ("dashboard", "get", lambda w: [P], STAFF_ONLY),
    (
        "participant_home",
        "get",
        lambda w: [P],
        {
            **dict.fromkeys(ROLES, 403),
            "anonymous": 302,
            "participant": 200,
            "outsider": 200,
            "foreign": 404,
        },
    ),
    (
        "client_home",
        "get",
        lambda w: [P],
        {**dict.fromkeys(ROLES, 403), "anonymous": 302, "contact": 200, "foreign": 404},
    ),
    # An engagement's whole schedule, for its client's contacts only (the start page shows
    # the next meetings); staff and participants have their own pages of it.
    (
        "client_schedule",
        "get",
        lambda w: [P, w.engagement.pk],
        {**dict.fromkeys(ROLES, 403), "anonymous": 302, "contact": 200, "foreign": 404},
    ),
    ("calendar_week", "get", lambda w: [P], EVERY_MEMBER),
    ("calendar_month", "get", lambda w: [P], EVERY_MEMBER),
    ("client_list", "get", lambda w: [P], STAFF_ONLY),
    ("client_create", "get", lambda w: [P], STAFF_ONLY),
    ("client_detail", "get", lambda w: [P, w.client.pk], STAFF_ONLY),
    ("client_edit", "get", lambda w: [P, w.client.pk], STAFF_ONLY),
    ("contact_create", "get", lambda w: [P, w.client.pk], STAFF_ONLY),
    (
        "contact_invite",
        "post",
        lambda w: [P, w.client.pk, w.client.contacts.first().pk],
        {**STAFF_ONLY, "admin": 302, "supervisor": 302, "other_supervisor": 302},
    ),
    ("engagement_list", "get", lambda w: [P], STAFF_ONLY),
    ("engagement_create", "get", lambda w: [P], STAFF_ONLY),
    ("engagement_detail", "get", lambda w: [P, w.engagement.pk], OWN_ENGAGEMENT),
    ("engagement_edit", "get", lambda w: [P, w.engagement.pk], OWN_ENGAGEMENT),
    ("participant_join", "get", lambda w: [P, w.engagement.pk], OWN_ENGAGEMENT),
    (
        "participant_leave",
        "get",
        lambda w: [P, w.engagement.pk, w.engagement.memberships.first().pk],
        OWN_ENGAGEMENT,
    ),
    (
        "participant_invite",
        "post",
        lambda w: [P, w.engagement.pk, w.engagement.memberships.last().pk],
        {**OWN_ENGAGEMENT, "admin": 302, "supervisor": 302},
    ),
    (
        "participants_invite_all",
        "post",
        lambda w: [P, w.engagement.pk],
        {**OWN_ENGAGEMENT, "admin": 302, "supervisor": 302},
    ),
    ("series_plan", "get", lambda w: [P, w.engagement.pk], OWN_ENGAGEMENT),
    ("meeting_create", "get", lambda w: [P, w.engagement.pk], OWN_ENGAGEMENT),
    ("meeting_list", "get", lambda w: [P], STAFF_ONLY),
    (
        "meeting_detail",
        "get",
        lambda w: [P, w.meeting.pk],
        {**OWN_ENGAGEMENT, "participant": 200, "outsider": 404},
    ),
    # The world's meeting has been held: staff are sent back to it (a held meeting is
    # corrected, not moved).
    (
        "meeting_move",
        "get",
        lambda w: [P, w.meeting.pk],
        {**OWN_ENGAGEMENT, "admin": 302, "supervisor": 302},
    ),
    ("meeting_correct", "get", lambda w: [P, w.meeting.pk], OWN_ENGAGEMENT),
    ("meeting_correct", "post", lambda w: [P, w.meeting.pk], OWN_ENGAGEMENT),
    (
        "meeting_cancel",
        "post",
        lambda w: [P, w.meeting.pk],
        {**OWN_ENGAGEMENT, "admin": 302, "supervisor": 302},
    ),
    (
        "meeting_cancel",
        "get",
        lambda w: [P, w.meeting.pk],
        {**OWN_ENGAGEMENT, "admin": 302, "supervisor": 302},
    ),
    (
        "meeting_attendance",
        "post",
        lambda w: [P, w.meeting.pk],
        {**OWN_ENGAGEMENT, "admin": 302, "supervisor": 302},
    ),
    (
        "meeting_focus",
        "post",
        lambda w: [P, w.meeting.pk],
        {**OWN_ENGAGEMENT, "admin": 302, "supervisor": 302},
    ),
    (
        "meeting_ics",
        "get",
        lambda w: [P, w.meeting.pk],
        {**EVERY_MEMBER, "other_supervisor": 404, "outsider": 404},
    ),
    ("feed_settings", "get", lambda w: [P], EVERY_MEMBER),
    ("meeting_notes", "get", lambda w: [P, w.meeting.pk], OWN_SUPERVISOR),
    ("meeting_summary", "get", lambda w: [P, w.meeting.pk], OWN_SUPERVISOR),
    ("meeting_agenda", "get", lambda w: [P, w.meeting.pk], OWN_SUPERVISOR),
    ("meeting_submit", "get", lambda w: [P, w.meeting.pk], {**PARTICIPANTS, "outsider": 404}),
    ("engagement_notes", "get", lambda w: [P, w.engagement.pk], OWN_SUPERVISOR),
    ("engagement_rota", "get", lambda w: [P, w.engagement.pk], OWN_SUPERVISOR),
    ("notes_search", "get", lambda w: [P], SUPERVISORS),
    ("note_edit", "get", lambda w: [P, _note(w)], OWN_SUPERVISOR),
    ("journal", "get", lambda w: [P], PARTICIPANTS),
    ("journal_edit", "get", lambda w: [P, _journal(w)], {**PARTICIPANTS, "outsider": 404}),
    ("audit_log", "get", lambda w: [P], ADMIN_ONLY),
    ("access_log", "get", lambda w: [P], EVERY_MEMBER),
    # In the room: conversation models, the runner, the mission's parts.
    ("model_list", "get", lambda w: [P], STAFF_ONLY),
    ("model_new", "get", lambda w: [P], STAFF_ONLY),
    ("model_detail", "get", lambda w: [P, _shipped_model(w)], STAFF_ONLY),
    ("model_edit", "get", lambda w: [P, _model(w)], STAFF_ONLY),
    (
        "model_copy",
        "post",
        lambda w: [P, _shipped_model(w)],
        {**STAFF_ONLY, "admin": 302, "supervisor": 302, "other_supervisor": 302},
    ),
    ("run_start", "get", lambda w: [P, w.meeting.pk], OWN_SUPERVISOR),
    # The supervisor drives the run; a group member only when chosen as its leader (below).
    ("runner", "get", lambda w: [P, _running(w)], RUN_BY_SUPERVISOR),
    ("run_state", "get", lambda w: [P, _running(w)], RUN_BY_SUPERVISOR),
    # No version posted: the driver is told and sent back to the runner.
    ("run_act", "post", lambda w: [P, _running(w)], {**RUN_BY_SUPERVISOR, "supervisor": 302}),
    # Pia leads (collegial supervision): she opens and drives it from her own login.
    ("runner", "get", lambda w: [P, _running(w, led_by_pia=True)], RUN_LED_BY_PIA),
    ("run_state", "get", lambda w: [P, _running(w, led_by_pia=True)], RUN_LED_BY_PIA),
    (
        "run_act",
        "post",
        lambda w: [P, _running(w, led_by_pia=True)],
        {**RUN_LED_BY_PIA, "supervisor": 302, "participant": 302},
    ),
    # The case owner (Pia) writes her takeaway into her own journal; no one else reaches it.
    (
        "run_takeaway",
        "get",
        lambda w: [P, _running(w, pias_case=True)],
        {**PARTICIPANTS, "outsider": 404},
    ),
    ("meeting_themes", "get", lambda w: [P, w.meeting.pk], OWN_SUPERVISOR),
    ("mission_parts", "get", lambda w: [P, w.client.pk], STAFF_ONLY),
    ("mission_part_edit", "get", lambda w: [P, w.client.pk, _mission_part(w)], STAFF_ONLY),
    ("engagement_mission", "get", lambda w: [P, w.engagement.pk], OWN_ENGAGEMENT),
    (
        "client_mission",
        "get",
        lambda w: [P],
        {**dict.fromkeys(ROLES, 403), "anonymous": 302, "contact": 200, "foreign": 404},
    ),
    # Billing: practice admins run it; supervisors see their engagements' invoices; a client
    # contact downloads their client's invoices (listed on their start page).
    ("billing_overview", "get", lambda w: [P], ADMIN_ONLY),
    ("billing_settings", "get", lambda w: [P], ADMIN_ONLY),
    ("invoice_run", "get", lambda w: [P], ADMIN_ONLY),
    ("billing_export", "get", lambda w: [P], ADMIN_ONLY),
    ("engagement_price", "get", lambda w: [P, w.engagement.pk], ADMIN_ONLY),
    ("invoice_list", "get", lambda w: [P], STAFF_ONLY),
    ("invoice_detail", "get", lambda w: [P, _invoice(w)], OWN_ENGAGEMENT),
    (
        "invoice_pdf",
        "get",
        lambda w: [P, _invoice(w)],
        {**OWN_ENGAGEMENT, "contact": 200},
    ),
    ("invoice_ubl", "get", lambda w: [P, _invoice(w)], ADMIN_ONLY),
    ("invoice_credit", "get", lambda w: [P, _invoice(w)], ADMIN_ONLY),
    ("invoice_send", "get", lambda w: [P, _invoice(w)], ADMIN_ONLY),
    ("invoice_pay", "post", lambda w: [P, _invoice(w)], {**ADMIN_ONLY, "admin": 302}),
    ("invoice_issue", "post", lambda w: [P, _billing_draft(w).pk], {**ADMIN_ONLY, "admin": 302}),
    (
        "invoice_discard",
        "post",
        lambda w: [P, _billing_draft(w).pk],
        {**ADMIN_ONLY, "admin": 302},
    ),
    ("invoice_line_add", "get", lambda w: [P, _billing_draft(w).pk], ADMIN_ONLY),
    ("invoice_references", "get", lambda w: [P, _billing_draft(w).pk], ADMIN_ONLY),
    ("invoice_line_edit", "get", _draft_line, ADMIN_ONLY),
    ("invoice_line_remove", "post", _draft_line, {**ADMIN_ONLY, "admin": 302}),
    ("people", "get", lambda w: [P], ADMIN_ONLY),
    ("invite", "get", lambda w: [P], ADMIN_ONLY),
    ("settings_index", "get", lambda w: [P], ADMIN_ONLY),
    (
        "membership_end",
        "post",
        lambda w: [P, _membership(w, w.supervisor)],
        {**ADMIN_ONLY, "admin": 302},
    ),
    (
        "membership_end",
        "post",
        lambda w: [P, _membership(w, w.foreign_supervisor)],
        {**ADMIN_ONLY, "admin": 404},
    ),
    ("practice_settings", "get", lambda w: [P], ADMIN_ONLY),
]

# Another practice's objects under this practice's address: 404 for everyone of this practice.
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("engagement_detail", lambda w: [P, w.foreign_engagement.pk]),
    ("engagement_edit", lambda w: [P, w.foreign_engagement.pk]),
    ("series_plan", lambda w: [P, w.foreign_engagement.pk]),
    ("meeting_detail", lambda w: [P, w.foreign_meeting.pk]),
    ("meeting_move", lambda w: [P, w.foreign_meeting.pk]),
    ("meeting_correct", lambda w: [P, w.foreign_meeting.pk]),
    ("meeting_cancel", lambda w: [P, w.foreign_meeting.pk]),
    ("meeting_ics", lambda w: [P, w.foreign_meeting.pk]),
    ("client_detail", lambda w: [P, w.foreign_engagement.client_id]),
    ("mission_parts", lambda w: [P, w.foreign_engagement.client_id]),
    ("engagement_mission", lambda w: [P, w.foreign_engagement.pk]),
    ("client_schedule", lambda w: [P, w.foreign_engagement.pk]),
]

# The newer apps keep their rows in tests/matrix/<app>.py.
_app_matrix, _app_foreign = app_cases()
MATRIX += _app_matrix
FOREIGN_OBJECTS += _app_foreign

# Pages that answer only a POST are asked with one: a GET would stop at 405 before the lookup.
POST_ONLY = {c[0] for c in MATRIX if c[1] == "post"} - {c[0] for c in MATRIX if c[1] == "get"}
# A role the page refuses anyway (403 on this practice's own objects) may be refused here too.
REFUSED = {(c[0], role) for c in MATRIX for role, code in c[3].items() if code == 403}

# URL names that are not ours to guard (allauth's own pages and Django's language switch).
# allauth's log-in through a provider (OpenID Connect or SAML) answers for an app only, which
# has a practice (the sign-in's rules are tested in tests/accounts/test_identity.py and
# test_saml_login.py).
EXTERNAL_PREFIXES = (
    "account_",
    "mfa_",
    "set_language",
    "socialaccount_",
    "openid_connect_",
    "saml_",
)


def _login(client: Any, w: World, role: str) -> None:
    user = {
        "admin": w.admin,
        "supervisor": w.supervisor,
        "other_supervisor": w.other_supervisor,
        "contact": w.contact_user,
        "participant": w.participant_user,
        "outsider": w.outsider_participant_user,
        "foreign": w.foreign_supervisor,
    }.get(role)
    if user is not None:
        client.force_login(user)


def _names(patterns: list[Any]) -> set[str]:
    found: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            # The JSON API authenticates by token, not by login: tests/api/test_matrix.py
            # walks each of its operations with each role's token instead.
            if p.namespace == "api-v1":
                continue
            found |= _names(p.url_patterns)
        elif isinstance(p, URLPattern) and p.name:
            found.add(p.name)
    return found


def test_every_url_is_in_the_matrix():
    ours = {n for n in _names(get_resolver().url_patterns) if not n.startswith(EXTERNAL_PREFIXES)}
    covered = {name for name, *_rest in MATRIX}
    assert ours - covered == set(), "add these URLs to the permission matrix"
    for name, _method, _args, expected in MATRIX:
        assert set(expected) == set(ROLES), f"{name} must name every role"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "args", "expected"), MATRIX, ids=[c[0] for c in MATRIX])
def test_permission(client, world, role, name, method, args, expected):
    with scopes_disabled():
        url = reverse(name, args=args(world))
    _login(client, world, role)
    response = getattr(client, method)(url)
    assert response.status_code == expected[role], f"{role} {method.upper()} {url}"
    if response.status_code == 302 and role == "anonymous" and name != "home":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [r for r in ROLES if r not in {"anonymous", "foreign"}])
@pytest.mark.parametrize(("name", "args"), FOREIGN_OBJECTS, ids=[c[0] for c in FOREIGN_OBJECTS])
def test_other_practice_objects_are_not_found(client, world, role, name, args):
    with scopes_disabled():
        url = reverse(name, args=args(world))
    _login(client, world, role)
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert response.status_code in {403, 404}
    if role in {"admin", "supervisor", "other_supervisor"} and (name, role) not in REFUSED:
        assert response.status_code == 404


def test_revoked_feed_is_gone(client, world):
    token = _feed_token(world)
    with scopes_disabled():
        meeting_services.feed_revoke_all(user=world.participant_user, practice=world.practice)
    response = client.get(reverse("feed", args=[token]))
    assert response.status_code == 410
    assert "stoppats" in response.content.decode()
