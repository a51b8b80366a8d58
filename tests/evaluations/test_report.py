"""Item 4: the client's report — cells of at least 5 answers, complementary suppression,
PDF and CSV, and the supervisor's preview being exactly what the client sees."""

from __future__ import annotations

import itertools

from django.urls import reverse
from django_scopes import scope, scopes_disabled
from hypothesis import given, settings
from hypothesis import strategies as st

from bollplank.evaluations import report, selectors, services
from bollplank.evaluations.enums import MIN_GROUP, Phase
from bollplank.evaluations.models import Question
from tests.evaluations.helpers import after_meeting, answer_all, close, evaluation_round, group

P = "ekbacken"
PHASES = [p.value for p in Phase]

units = st.lists(
    st.builds(
        report.Unit,
        engagement_id=st.integers(1, 4),
        round_id=st.integers(1, 30),
        phase=st.sampled_from(PHASES),
        question_id=st.integers(1, 3),
        n=st.integers(0, 12),
        total=st.integers(0, 120),
    ),
    max_size=40,
    unique_by=lambda u: (u.round_id, u.question_id),
)


def _filters():
    """Every combination a client can choose: all or one engagement, all or one phase."""
    engagements = [None] + [frozenset({e}) for e in range(1, 5)] + [frozenset({1, 2, 3, 4})]
    phases = [None] + [frozenset({p}) for p in PHASES]
    return list(itertools.product(engagements, phases))


def _covers(outer, inner, universe):
    o = universe if outer is None else outer
    i = universe if inner is None else inner
    return i <= o


@settings(max_examples=300, deadline=None)
@given(units)
def test_no_shown_cell_has_fewer_than_five_answers_even_by_differencing(data):
    reports = {f: report.build(data, engagements=f[0], phases=f[1]) for f in _filters()}
    for rep in reports.values():
        for cell in rep.cells.values():
            assert cell.n == 0 or cell.n >= MIN_GROUP
            assert cell.shown == (cell.n >= MIN_GROUP)
    # Subtracting a narrower report from a wider one never reveals a group under five.
    all_e, all_p = frozenset(range(1, 5)), frozenset(PHASES)
    for (fa, a), (fb, b) in itertools.permutations(reports.items(), 2):
        if not (_covers(fa[0], fb[0], all_e) and _covers(fa[1], fb[1], all_p)):
            continue
        for key, cell in a.cells.items():
            other = b.cells.get(key)
            diff = cell.n - (other.n if other else 0)
            assert diff == 0 or diff >= MIN_GROUP, (fa, fb, key, diff)


def test_small_round_is_left_out_of_every_total():
    data = [
        report.Unit(1, 1, "midpoint", 1, n=7, total=56),
        report.Unit(2, 2, "midpoint", 1, n=3, total=30),  # too few: never counted
    ]
    everything = report.build(data)
    only_first = report.build(data, engagements=frozenset({1}))
    only_second = report.build(data, engagements=frozenset({2}))
    assert everything.cells[("midpoint", 1)].n == only_first.cells[("midpoint", 1)].n == 7
    assert not only_second.cells[("midpoint", 1)].shown
    assert only_second.cells[("midpoint", 1)].mean is None
    assert everything.withheld == 1


def _shared_report_world(world, django_capture_on_commit_callbacks, big=6, small=3):
    """A group of ``big`` and one of ``small``, with closed mid-point evaluations, shared."""
    large, _m = group(world, big, "Stora gruppen")
    little, _m2 = group(world, small, "Lilla gruppen")
    rounds = []
    for engagement, value in ((large, 4), (little, 1)):
        rnd = evaluation_round(world, engagement)
        answer_all(rnd, value=value)
        close(rnd)
        rounds.append(rnd)
        with scope(practice=world.practice):
            services.report_share(actor=world.supervisor, engagement=engagement)
    return large, little, rounds


def test_client_sees_large_group_and_never_the_small_one(
    client, world, django_capture_on_commit_callbacks
):
    large, little, _rounds = _shared_report_world(world, django_capture_on_commit_callbacks)
    client.force_login(world.contact_user)
    url = reverse("client_report", args=[P])
    whole = client.get(url).content.decode()
    assert "Stora gruppen" in whole and "Lilla gruppen" in whole  # in the filter
    with scopes_disabled():
        first = Question.objects.filter(questionnaire__key="engagement-evaluation").order_by(
            "position"
        )[0]
    with scope(practice=world.practice):
        rep_all = selectors.client_report(
            [large, little], "", selectors.shared_engagements([large, little])[1]
        )
        rep_small = selectors.client_report([little], "", selectors.shared_engagements([little])[1])
    cell = rep_all.report.cells[("midpoint", first.pk)]
    assert (cell.n, cell.mean) == (6, 4.0)  # the small group's 1s are nowhere in the total
    assert not rep_small.report.cells[("midpoint", first.pk)].shown
    small_page = client.get(url, {"engagement": little.pk}).content.decode()
    assert "visas inte: färre än 5 svar" in small_page
    assert "1,0" not in small_page


def test_report_pdf_and_csv(client, world, django_capture_on_commit_callbacks):
    _shared_report_world(world, django_capture_on_commit_callbacks)
    client.force_login(world.contact_user)
    pdf = client.get(reverse("client_report_pdf", args=[P]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    csv = client.get(reverse("client_report_csv", args=[P])).content.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0] == "När;Fråga;Svar;Medelvärde"
    assert any(line.endswith(";6;4,0") for line in lines)


def test_csv_cells_that_look_like_formulas_are_made_harmless(
    client, world, django_capture_on_commit_callbacks
):
    large, _little, _rounds = _shared_report_world(world, django_capture_on_commit_callbacks)
    # A practice's own question text starting with "=" reaches the CSV as text.
    from bollplank.evaluations.views import _report_csv

    with scope(practice=world.practice):
        rep = selectors.client_report([large])
        phase, question, cell = rep.rows[0]
        question.text_sv = '=HYPERLINK("http://x")'
        body = _report_csv(rep).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    assert "\n=HYPERLINK" not in body and ";=HYPERLINK" not in body


def test_report_shows_nothing_until_shared_and_preview_matches_client(
    client, world, django_capture_on_commit_callbacks
):
    large, _m = group(world, 6, "Stora gruppen")
    rnd = evaluation_round(world, large)
    answer_all(rnd, value=4)
    close(rnd)
    client.force_login(world.contact_user)
    url = reverse("client_report", args=[P])
    assert "Stora gruppen" not in client.get(url).content.decode()
    client.force_login(world.supervisor)
    preview_url = reverse("report_preview", args=[P, large.pk])
    preview = client.get(preview_url).content.decode()
    assert client.post(preview_url).status_code == 302
    client.force_login(world.contact_user)
    seen = client.get(url, {"engagement": large.pk}).content.decode()

    def table(page):
        return page[page.index('<table class="responsive report">') : page.rindex("</table>")]

    assert table(seen) == table(preview)
    assert "4,0" in table(seen)


def test_open_rounds_are_not_reported(world):
    large, _m = group(world, 6)
    rnd = evaluation_round(world, large)
    answer_all(rnd, value=4)
    with scope(practice=world.practice):
        rep = selectors.client_report([large])
    assert rep.rows == []


def test_after_meeting_rounds_of_small_meetings_stay_out(world):
    """Three meetings' checks with 2 answers each: 6 answers in all, but never shown, so that
    the next meeting's few answers cannot be read off the change in the total."""
    rounds = []
    for _ in range(3):
        with scopes_disabled():
            from tests import factories as f

            meeting = f.MeetingFactory(engagement=world.engagement)
        rnd = after_meeting(world, meeting=meeting)
        answer_all(rnd)
        close(rnd)
        rounds.append(rnd)
    with scope(practice=world.practice):
        rep = selectors.client_report([world.engagement])
    assert all(not cell.shown for _p, _q, cell in rep.rows)
    assert rep.report.withheld == 12


def test_csv_holds_what_the_pdf_holds_attendance_and_goals(db):
    """The PDF's sections (meetings, attendance, goals) are in the CSV with the same figures."""
    import datetime as dt

    from django.template.loader import render_to_string
    from django.utils import translation

    from bollplank.evaluations.views import _report_csv

    rep = selectors.ClientReport(
        engagements=[],
        report=report.Report(),
        rows=[],
        meetings_held=4,
        attended=6,
        expected=8,
        generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        goals=selectors.GoalCounts(
            group_total=3, group_reached=2, personal_people=2, personal_total=4, personal_reached=1
        ),
    )
    with translation.override("sv"):
        html = render_to_string(
            "evaluations/report_document.html",
            {"report": rep, "min_group": MIN_GROUP, "phases": Phase.choices},
        )
        lines = _report_csv(rep).content.decode("utf-8-sig").splitlines()
    for label, value in [
        ("Hållna träffar", "4"),
        ("Närvaro", "75 %"),
        ("Gruppernas mål", "2 av 3"),
        ("Deltagarnas egna mål", "visas inte: färre än 5 personer"),
    ]:
        assert label in html and value in html
        assert f"{label};;{value};" in lines


def test_report_csv_in_english_uses_commas_and_decimal_points(
    client, world, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from bollplank.evaluations.exports import client_report_csv

    large, _little, _rounds = _shared_report_world(world, django_capture_on_commit_callbacks)
    with scope(practice=world.practice), translation.override("en"):
        body = client_report_csv(selectors.client_report([large])).decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0] == "When,Question,Answers,Mean"
    assert any(line.endswith(",6,4.0") for line in lines)
