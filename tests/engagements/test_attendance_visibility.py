"""What the client sees of attendance is agreed per engagement: nothing, counts per term, or
per meeting. Individual engagements default to counts per term (per meeting would be the named
person's attendance), groups to per meeting; the client's page, the report (HTML, PDF, CSV) and
the API follow it, and no page or API operation gives per-meeting attendance when it is not
agreed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.api.services import token_create
from bollplank.engagements.enums import AttendanceVisibility, Form
from bollplank.engagements.models import Engagement
from bollplank.evaluations.services import report_share
from bollplank.meetings.enums import AttendanceStatus
from bollplank.meetings.models import Attendance
from tests import factories as f
from tests import timecontrol as tc
from tests.api.conftest import ApiClient
from tests.api.test_matrix import TABLE
from tests.courses.conftest import make_course, register
from tests.test_permissions import MATRIX

P = "ekbacken"
NOTHING, COUNTS, EACH = (v.value for v in AttendanceVisibility)
# The per-meeting cells of the client's schedule for the meeting of the world's group below:
# four present, one absent.
GROUP_CELLS = '<td data-label="Närvarande">4</td><td data-label="Frånvarande">1</td>'


def _attend(meeting: Any, statuses: dict[Any, str]) -> None:
    for participant, status in statuses.items():
        Attendance.objects.create(
            practice=meeting.practice, meeting=meeting, participant=participant, status=status
        )


def _individual(world: Any) -> Engagement:
    """One person's supervision for the world's client: two held meetings, present at the
    first, absent from the second, and one ahead."""
    with scopes_disabled():
        engagement = f.EngagementFactory(
            practice=world.practice,
            client=world.client,
            supervisor=world.supervisor,
            title="Individuell handledning Kim",
            form=Form.INDIVIDUAL,
            meeting_minutes=60,
        )
        kim = f.GroupMembershipFactory(engagement=engagement).participant
        day = tc.past_meeting_day()
        first = f.MeetingFactory(engagement=engagement, starts_at=tc.local(day, 13))
        second = f.MeetingFactory(
            engagement=engagement, starts_at=tc.local(day + dt.timedelta(days=7), 13)
        )
        f.MeetingFactory(engagement=engagement, starts_at=tc.local(tc.workday_after(20), 13))
        _attend(first, {kim: AttendanceStatus.PRESENT})
        _attend(second, {kim: AttendanceStatus.ABSENT})
    return engagement


def _section(body: str, engagement: Engagement) -> str:
    start = body.index(f'id="e{engagement.pk}"')
    return body[start : body.index("</section>", start)]


def _set(engagement: Engagement, visibility: str) -> None:
    with scopes_disabled():
        Engagement.objects.filter(pk=engagement.pk).update(attendance_visibility=visibility)


def test_individual_defaults_to_counts_per_term_and_groups_to_per_meeting(world):
    engagement = _individual(world)
    assert engagement.attendance_visibility == COUNTS
    assert world.engagement.attendance_visibility == EACH


def test_new_engagement_through_the_form_gets_the_default_for_its_form(client, world):
    client.force_login(world.supervisor)
    data = {
        "client": world.client.pk,
        "supervisor": world.supervisor.pk,
        "title": "Enskild handledning Lo",
        "form": "individual",
        "focus": "process",
        "meeting_minutes": "",
        "meetings_ordered": "10",
        "start_date": str(tc.today()),
        "end_date": str(tc.today() + dt.timedelta(days=180)),
        "venue": "video",
        "video_url": "https://video.example/lo",
        "submission_hours_before": "24",
        "attendance_visibility": "",
        "participants_text": "Lo Larsson, lo@example.se",
    }
    response = client.post(reverse("engagement_create", args=[P]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        made = Engagement.objects.get(title="Enskild handledning Lo")
    assert made.attendance_visibility == COUNTS


def test_the_edit_form_changes_it_and_the_engagement_page_shows_it(client, world):
    client.force_login(world.supervisor)
    url = reverse("engagement_edit", args=[P, world.engagement.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "status"}
    data.update(
        client=world.client.pk,
        supervisor=world.supervisor.pk,
        start_date=str(world.engagement.start_date),
        end_date=str(world.engagement.end_date),
        status="active",
        price_kr="4500",
        attendance_visibility=NOTHING,
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    world.engagement.refresh_from_db()
    assert world.engagement.attendance_visibility == NOTHING
    page = client.get(reverse("engagement_detail", args=[P, world.engagement.pk])).content
    assert "Uppdragsgivaren ser av närvaron</dt><dd>Ingenting" in page.decode()
    # A form that does not send it (an older page, a script) leaves what was agreed.
    del data["attendance_visibility"]
    assert client.post(url, {**data, "title": "Nytt namn"}).status_code == 302
    world.engagement.refresh_from_db()
    assert (world.engagement.title, world.engagement.attendance_visibility) == (
        "Nytt namn",
        NOTHING,
    )


@pytest.mark.parametrize(
    ("visibility", "cells", "totals"),
    [
        (NOTHING, False, False),
        (COUNTS, False, True),
        (EACH, True, True),
    ],
)
def test_client_page_shows_exactly_what_is_agreed(client, world, visibility, cells, totals):
    engagement = _individual(world)
    _set(engagement, visibility)
    client.force_login(world.contact_user)
    body = client.get(reverse("client_home", args=[P])).content.decode()
    section = _section(body, engagement)
    # The start page: the term's totals wherever attendance is seen at all (per meeting, they
    # are the sums of the schedule's cells), never a meeting's count; the next meeting.
    assert ("2 träffar genomförda, 1 närvarotillfällen av 2 möjliga" in section) is totals
    assert "Närvarande" not in section
    assert section.count('<tr><td data-label="Datum">') == 1
    schedule = reverse("client_schedule", args=[P, engagement.pk])
    assert f'href="{schedule}"' in section
    page = client.get(schedule).content.decode()
    # Per meeting: the person's 1/0 and 0/1 (present, absent) of the two held meetings.
    assert (
        '<td data-label="Närvarande">1</td><td data-label="Frånvarande">0</td>' in page
    ) is cells
    assert (
        '<td data-label="Närvarande">0</td><td data-label="Frånvarande">1</td>' in page
    ) is cells
    assert ("Närvarande</th>" in page) is cells
    # The schedule itself is the agreement's, whatever is agreed about attendance.
    assert page.count('<tr><td data-label="Datum">') == 3


def _print_to(monkeypatch: Any) -> list[str]:
    """The HTML documents the PDF views would print, instead of printing them."""
    printed: list[str] = []

    class FakeHTML:
        def __init__(self, string: str, base_url: Any = None) -> None:
            printed.append(string)

        def write_pdf(self) -> bytes:
            return b"%PDF-"

    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)
    return printed


def _report(client: Any, world: Any, engagement: Engagement, monkeypatch: Any) -> dict[str, str]:
    """The client's report over the engagement in HTML, the PDF's document and CSV."""
    with scope(practice=world.practice):
        report_share(actor=world.supervisor, engagement=engagement)
    printed = _print_to(monkeypatch)
    client.force_login(world.contact_user)
    query = f"?engagement={engagement.pk}"
    html = client.get(reverse("client_report", args=[P]) + query).content.decode()
    client.get(reverse("client_report_pdf", args=[P]) + query)
    csv = client.get(reverse("client_report_csv", args=[P]) + query).content.decode("utf-8-sig")
    return {"html": html, "pdf": printed[0], "csv": csv}


@pytest.mark.parametrize("visibility", [NOTHING, COUNTS, EACH])
def test_report_shows_the_terms_totals_or_nothing(client, world, monkeypatch, visibility):
    engagement = _individual(world)
    _set(engagement, visibility)
    got = _report(client, world, engagement, monkeypatch)
    shown = visibility != NOTHING
    for kind in ("html", "pdf"):
        assert ("50 % (1 närvarotillfällen av 2 möjliga)" in got[kind]) is shown, kind
        assert ("Närvaro</th>" in got[kind]) is shown, kind
    lines = got["csv"].splitlines()
    assert "Hållna träffar;;2;" in lines
    assert ("Närvaro;Närvarande;1;" in lines) is shown
    assert ("Närvaro;Möjliga;2;" in lines) is shown
    assert ("Närvaro;;50 %;" in lines) is shown
    assert len([line for line in lines if line.startswith("Närvaro;")]) == (3 if shown else 0)


def _api(world: Any) -> ApiClient:
    with scopes_disabled():
        token = token_create(
            user=world.contact_user, practice=world.practice, name="Rut", scope="read"
        )[1]
    return ApiClient(token)


@pytest.mark.parametrize("visibility", [NOTHING, COUNTS, EACH])
def test_api_gives_the_agreement_and_never_attendance_per_meeting(world, visibility):
    engagement = _individual(world)
    _set(engagement, visibility)
    api = _api(world)
    assert api.get(f"/engagements/{engagement.pk}").json()["attendance_visibility"] == visibility
    with scopes_disabled():
        held = engagement.meetings.order_by("starts_at").first()
    assert api.get(f"/meetings/{held.pk}/attendance").status_code == 403
    assert api.get(f"/engagements/{engagement.pk}/participants").status_code == 403
    text = api.get("/meetings/", engagement=engagement.pk).content.decode()
    assert "present" not in text and "absent" not in text


def _group_held_with_four_present_and_one_absent(world: Any) -> None:
    with scopes_disabled():
        for _n in range(3):
            f.GroupMembershipFactory(engagement=world.engagement)
        members = [m.participant for m in world.engagement.memberships.all()]
        statuses = [AttendanceStatus.PRESENT] * 4 + [AttendanceStatus.ABSENT]
        _attend(world.meeting, dict(zip(members, statuses, strict=True)))


def test_group_per_meeting_is_shown_as_before(client, world):
    _group_held_with_four_present_and_one_absent(world)
    client.force_login(world.contact_user)
    body = client.get(reverse("client_schedule", args=[P, world.engagement.pk])).content.decode()
    assert GROUP_CELLS in body


@pytest.mark.parametrize("visibility", [NOTHING, COUNTS])
def test_no_page_and_no_api_operation_gives_the_client_attendance_per_meeting(
    client, world, monkeypatch, visibility
):
    """Every page of the permission matrix the client contact may read, and every API read
    they may make, with the group's per-meeting attendance not agreed."""
    _group_held_with_four_present_and_one_absent(world)
    _set(world.engagement, visibility)
    printed = _print_to(monkeypatch)
    client.force_login(world.contact_user)
    pages = [c for c in MATRIX if c[1] == "get" and c[3]["contact"] == 200]
    assert {"client_home", "client_schedule"} <= {name for name, *_rest in pages}
    for name, _method, args, _expected in pages:
        # Each case in its own savepoint: some make the objects their URL names.
        with transaction.atomic():
            try:
                with scopes_disabled():
                    url = reverse(name, args=args(world))
            except ValidationError:
                # Its object cannot be made in this world (a certificate needs the supervisor's
                # own sign-off of held meetings); its own tests cover the page.
                transaction.set_rollback(True)
                continue
            body = client.get(url).content.decode("utf-8", "replace")
            transaction.set_rollback(True)
        # A PDF is checked in the document it prints.
        body += "".join(printed)
        printed.clear()
        assert GROUP_CELLS not in body, url
        assert "present_count" not in body, url
    api = _api(world)
    reads = [(req, exp) for req, exp in TABLE if req[0] == "get" and exp["contact"] == 200]
    assert reads
    with scopes_disabled():
        # What the API matrix's paths name besides the world (tests/api/test_matrix.py).
        extra = f.MeetingFactory(
            engagement=world.engagement, starts_at=tc.local(tc.workday_after(21), 9)
        )
        extra.course = make_course(world.practice)
        extra.registration = register(extra.course, email="anmald@example.se")
    for (_method, _spec, path, _body), _expected in reads:
        with scopes_disabled():
            concrete = path(world, extra)
        response = api.get(concrete)
        if response.status_code != 200:
            continue
        text = response.content.decode()
        assert '"present"' not in text and '"absent"' not in text, concrete
    assert api.get(f"/meetings/{world.meeting.pk}/attendance").status_code == 403


def test_migration_sets_existing_individual_engagements_to_counts_per_term(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "bollplank.engagements.migrations.0003_attendance_visibility"
    )
    engagement = _individual(world)
    _set(engagement, EACH)  # what the column's default gave every row
    with scopes_disabled():
        migration.agree_on_existing(apps, None)
        assert Engagement.objects.get(pk=engagement.pk).attendance_visibility == COUNTS
        assert Engagement.objects.get(pk=world.engagement.pk).attendance_visibility == EACH
