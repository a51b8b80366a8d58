"""Programmes end to end through the views: sign-up, matching, locks and bans, publishing, and
a pair's own page. The coordinator sees counts, never what a pair writes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.accounts.models import hash_token
from bollplank.core import clock
from bollplank.mentoring import services
from bollplank.mentoring.models import MatchRun, Pair, PairRule, Programme, Response, SignUp
from tests.mentoring import helpers as h

P = "ekbacken"


def _url(name, *args):
    return reverse(name, args=[P, *args])


def _signup_post(**extra):
    data = {
        "side": "mentee",
        "name": "Nils Ny",
        "email": "nils@x.se",
        "unit": "Skolan",
        "years": "2",
        "topics": "ledarskap, budget",
        "goals": "nätverk",
        "languages": "svenska",
        "location": "Umeå",
        "availability": ["mon-am", "tue-pm"],
        "capacity": "1",
        "prefer": "",
        "avoid": "",
        "free_text": "Hej",
    }
    data.update(extra)
    return data


@pytest.mark.django_db(transaction=True)
def test_signup_creates_a_signup_and_shows_the_personal_link(client, world, settings):
    settings.SITE_URL = "https://handledning.example.se"
    p = h.programme(world)
    response = client.post(reverse("mentoring_signup", args=[p.signup_token]), _signup_post())
    assert response.status_code == 200
    link = re.search(
        r'href="(https://handledning.example.se/mentoring/me/[^"]+)"', response.content.decode()
    )
    assert link
    token = link.group(1).rstrip("/").rsplit("/", 1)[1]
    with scopes_disabled():
        s = SignUp.objects.get(programme=p)
    assert (s.name, s.email, s.side, s.availability) == (
        "Nils Ny",
        "nils@x.se",
        "mentee",
        ["mon-am", "tue-pm"],
    )
    assert s.token_hash == hash_token(token)
    (sent,) = mail.outbox
    assert sent.to == ["nils@x.se"]
    assert link.group(1) in sent.body
    assert client.get(reverse("mentoring_me", args=[token])).status_code == 200


def test_signup_refuses_a_duplicate_email_and_keeps_what_was_typed(client, world):
    p = h.programme(world)
    h.sign_up(p, "mentor", "Maja Mentor", email="nils@x.se")
    response = client.post(
        reverse("mentoring_signup", args=[p.signup_token]),
        _signup_post(email="NILS@x.se", free_text="<script>alert(1)</script>"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Den här e-postadressen är redan anmäld." in body
    assert 'value="Nils Ny"' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    with scopes_disabled():
        assert SignUp.objects.filter(programme=p).count() == 1


def test_signup_after_closing_is_refused(client, world):
    p = h.programme(world, signup_closes_on=clock.today() - dt.timedelta(days=1))
    url = reverse("mentoring_signup", args=[p.signup_token])
    assert "Anmälan till programmet har stängt." in client.get(url).content.decode()
    client.post(url, _signup_post())
    with scopes_disabled():
        assert not SignUp.objects.filter(programme=p).exists()
        with pytest.raises(ValidationError, match="stängde"):
            services.signup_create(programme=p, **_signup_post())


def test_signup_many_with_duplicate_emails_keeps_one_each(world):
    p = h.programme(world)
    refused = 0
    with scope(practice=world.practice):
        for i in range(60):
            try:
                services.signup_create(
                    programme=p, side="mentee", name=f"P{i}", email=f"p{i % 40}@x.se"
                )
            except ValidationError as exc:
                assert exc.message_dict == {"email": ["Den här e-postadressen är redan anmäld."]}
                refused += 1
        assert refused == 20
        assert SignUp.objects.filter(programme=p).count() == 40


def test_mentor_capacity_above_the_programme_limit_is_refused(world):
    p = h.programme(world, max_mentees=2)
    with pytest.raises(ValidationError) as err:
        h.sign_up(p, "mentor", "Stor Mentor", capacity=3)
    assert "capacity" in err.value.message_dict


def test_coordinator_matches_reads_why_locks_forbids_reruns_and_publishes(client, world):
    p = h.demo(world, mentors=4, mentees=6)
    client.force_login(world.supervisor)
    response = client.post(_url("mentoring_match", p.pk))
    assert response.status_code == 302
    with scopes_disabled():
        first = MatchRun.objects.get(programme=p)
    assert first.matched + first.unmatched == 6
    page = client.get(_url("mentoring_programme", p.pk)).content.decode()
    assert "Varför just det här paret" in page
    assert "Erfarenhet: mentor" in page
    pairs = first.result["pairs"]
    (e1, r1, *_), (e2, r2, *_) = pairs[0], pairs[1]
    client.post(_url("mentoring_pair_rule", p.pk), {"mentee": e1, "mentor": r1, "kind": "lock"})
    client.post(_url("mentoring_pair_rule", p.pk), {"mentee": e2, "mentor": r2, "kind": "forbid"})
    client.post(_url("mentoring_match", p.pk))
    with scopes_disabled():
        second = MatchRun.objects.filter(programme=p).latest()
    made = {(e, r): locked for e, r, _s, _p, locked in second.result["pairs"]}
    assert made[(e1, r1)] is True
    assert (e2, r2) not in made
    client.post(_url("mentoring_publish", p.pk))
    with scopes_disabled():
        assert Pair.objects.filter(programme=p).count() == second.matched
        assert Programme.objects.get(pk=p.pk).published_at is not None
    # After publishing the matching is final.
    response = client.post(_url("mentoring_match", p.pk), follow=True)
    assert "Paren är publicerade" in response.content.decode()
    with scopes_disabled():
        assert MatchRun.objects.filter(programme=p).count() == 2


def test_a_lock_that_breaks_a_hard_rule_is_refused_with_names(client, world):
    p = h.programme(world, rule_shared_language=True)
    mentor, _t = h.sign_up(p, "mentor", "Maja Mentor", languages="svenska", years=20)
    mentee, _t = h.sign_up(p, "mentee", "Eero Adept", languages="finska")
    with scope(practice=world.practice):
        PairRule.objects.create(
            practice=world.practice, programme=p, mentee=mentee, mentor=mentor, kind="lock"
        )
    client.force_login(world.admin)
    response = client.post(_url("mentoring_match", p.pk), follow=True)
    body = response.content.decode()
    assert (
        "Det låsta paret Eero Adept – Maja Mentor bryter mot en regel: inget gemensamt språk."
        in body
    )
    with scopes_disabled():
        assert not MatchRun.objects.filter(programme=p).exists()


def test_an_empty_programme_says_so(client, world):
    p = h.programme(world)
    client.force_login(world.admin)
    response = client.post(_url("mentoring_match", p.pk), follow=True)
    assert "Ingen har anmält sig som adept än." in response.content.decode()


def test_unmatched_mentees_are_listed_with_the_rule_that_stopped_them(client, world):
    p = h.programme(world, rule_shared_language=True)
    h.sign_up(p, "mentor", "Maja Mentor", languages="svenska", years=20)
    h.sign_up(p, "mentee", "Eero Adept", languages="finska")
    h.sign_up(p, "mentee", "Sara Adept", languages="svenska")
    h.sign_up(p, "mentee", "Olle Adept", languages="svenska")
    client.force_login(world.admin)
    client.post(_url("mentoring_match", p.pk))
    body = client.get(_url("mentoring_programme", p.pk)).content.decode()
    assert "Eero Adept: ingen mentor talar samma språk" in body
    assert "alla möjliga mentorer är fulla (1 möjlig mentor)" in body


def test_pair_signs_checks_in_ends_and_evaluates_coordinator_sees_counts_only(client, world):
    p = h.programme(world)
    _r, mentor_token = h.sign_up(p, "mentor", "Maja Mentor", years=20)
    _e, mentee_token = h.sign_up(p, "mentee", "Nils Ny")
    with scope(practice=world.practice):
        run = services.matching_run(actor=world.admin, programme=p)
        services.programme_publish(actor=world.admin, programme=p, run=run)
        pair = Pair.objects.get(programme=p)
    mentee_url = reverse("mentoring_me", args=[mentee_token])
    mentor_url = reverse("mentoring_me", args=[mentor_token])
    assert "Ditt par: Maja Mentor" in client.get(mentee_url).content.decode()
    # Signing without goals: a clear message on the field, nothing saved.
    response = client.post(mentee_url, {"pair": pair.pk, "action": "sign", f"a{pair.pk}-goals": ""})
    assert response.status_code == 400
    client.post(mentee_url, {"pair": pair.pk, "action": "sign", f"a{pair.pk}-goals": "Hemligt mål"})
    client.post(mentor_url, {"pair": pair.pk, "action": "sign", f"a{pair.pk}-goals": "Hemligt mål"})
    with scopes_disabled():
        pair.refresh_from_db()
    assert pair.signed and pair.agreement_goals == "Hemligt mål"
    assert "Undertecknat av båda." in client.get(mentor_url).content.decode()
    first_due = (p.starts_on + dt.timedelta(weeks=p.checkin_every_weeks)).isoformat()
    assert f"Nästa avstämning är {first_due}." in client.get(mentee_url).content.decode()
    client.post(
        mentee_url,
        {
            "pair": pair.pk,
            "action": "checkin",
            f"c{pair.pk}-progress": "4",
            f"c{pair.pk}-comment": "Hemlig kommentar",
        },
    )
    client.post(mentee_url, {"pair": pair.pk, "action": "end", f"x{pair.pk}-reason": "Flyttar"})
    client.post(
        mentor_url,
        {"pair": pair.pk, "action": "evaluation", f"v{pair.pk}-progress": "5"},
    )
    with scopes_disabled():
        pair.refresh_from_db()
        assert pair.status == "early" and pair.end_reason == "Flyttar"
        assert Response.objects.filter(pair=pair).count() == 2
    client.force_login(world.supervisor)
    body = client.get(_url("mentoring_programme", p.pk)).content.decode()
    progress = re.search(r'<dl class="facts" id="progress">(.*?)</dl>', body, re.S).group(1)
    assert re.sub(r"\s+", " ", progress).count("<dd>1</dd>") == 5
    for secret in ("Hemligt mål", "Hemlig kommentar", "Flyttar"):
        assert secret not in body


def test_personal_page_of_another_pair_is_refused(client, world):
    p = h.programme(world)
    h.sign_up(p, "mentor", "Maja Mentor", years=20)
    h.sign_up(p, "mentee", "Nils Ny")
    _x, stranger = h.sign_up(p, "mentee", "Sten Främling", email="sten@x.se")
    with scope(practice=world.practice):
        run = services.matching_run(actor=world.admin, programme=p)
        services.programme_publish(actor=world.admin, programme=p, run=run)
        pair = Pair.objects.get(programme=p)
    response = client.post(
        reverse("mentoring_me", args=[stranger]),
        {"pair": pair.pk, "action": "sign", f"a{pair.pk}-goals": "x"},
    )
    assert response.status_code == 404
    assert client.get(reverse("mentoring_me", args=["nope"])).status_code == 404


def test_programme_form_refuses_end_before_start_and_keeps_input(client, world):
    client.force_login(world.admin)
    response = client.post(
        _url("mentoring_programme_new"),
        {
            "name": "Fel datum",
            "starts_on": "2027-05-01",
            "ends_on": "2027-01-01",
            "signup_closes_on": "2027-04-01",
            "max_mentees": "2",
            "checkin_every_weeks": "4",
            "weight_expertise": "5",
            "weight_goals": "3",
            "weight_location": "1",
            "weight_availability": "2",
            "weight_preferences": "11",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Fel datum"' in body
    assert "Programmet kan inte sluta innan det börjar." in body
    with scopes_disabled():
        assert not Programme.objects.exists()


def test_mentoring_demo_command_signs_up_40_mentors_and_60_mentees(world, capsys):
    call_command("mentoring_demo", "--practice", "ekbacken")
    with scopes_disabled():
        p = Programme.objects.get(practice=world.practice)
        assert SignUp.objects.filter(programme=p, side="mentor").count() == 40
        assert SignUp.objects.filter(programme=p, side="mentee").count() == 60
    assert "40 mentors and 60 mentees" in capsys.readouterr().out
    with scope(practice=world.practice):
        run = services.matching_run(actor=world.admin, programme=p)
    assert run.matched > 40


def test_demo_firm_has_a_mentoring_programme_open_for_sign_up(db):
    from bollplank.demo.firm import demo_load

    practice, _created = demo_load()
    with scopes_disabled():
        p = Programme.objects.get(practice=practice, client=None)
        assert SignUp.objects.filter(programme=p, side="mentor").count() == 40
        assert SignUp.objects.filter(programme=p, side="mentee").count() == 60
        assert p.signup_closes_on > clock.today()
        # And one run for a client, whose contact coordinates it.
        theirs = Programme.objects.get(practice=practice, client__isnull=False)
        assert theirs.client.contacts.get().user.email == "anders.holm@ekby-soc.example"
        assert SignUp.objects.filter(programme=theirs).count() == 20
