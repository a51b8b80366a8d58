"""Mentoring (core/personal_data_registry.py). People sign up by e-mail address, without a login, so
their rows are found by the address of the person asking. A pair belongs to two people: when
one of them is erased the pair stays for the other, with the erased side's sign-up emptied."""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bollplank.core.personal_data_registry import Category, register
from bollplank.mentoring.models import (
    MentorException,
    MentorHours,
    Pair,
    PairMeeting,
    Response,
    SignUp,
)


def _signups(user: Any) -> QuerySet[SignUp]:
    return SignUp.objects.filter(email__iexact=user.email)


def _own_responses(signup: SignUp) -> QuerySet[Response]:
    """The check-ins and end evaluations the person wrote: their side of their pairs."""
    return Response.objects.filter(
        Q(pair__mentee=signup, side="mentee") | Q(pair__mentor=signup, side="mentor")
    )


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    rows = []
    for s in _signups(user).select_related("practice", "programme"):
        pairs = Pair.objects.filter(Q(mentee=s) | Q(mentor=s))
        rows.append(
            {
                "practice": s.practice.name,
                "programme": s.programme.name,
                "side": s.get_side_display(),
                "name": s.name,
                "email": s.email,
                "unit": s.unit,
                "role": s.role_title,
                "manager_email": s.manager_email,
                "years": s.years,
                "topics": s.topics,
                "goals": s.goals,
                "languages": s.languages,
                "location": s.location,
                "availability": s.availability_labels(),
                "anything_else": s.free_text,
                "people_i_would_like": s.prefer,
                "people_i_would_rather_not": s.avoid,
                "capacity": s.capacity,
                "signed_up": s.created_at,
                # The pair's shared agreement; never the other person's details or answers.
                "pairs": [
                    {
                        "status": p.get_status_display(),
                        "agreed_goals": p.agreement_goals,
                        "i_signed": p.mentee_signed_at
                        if p.mentee_id == s.pk
                        else p.mentor_signed_at,
                        "ended": p.ended_at,
                        "meetings": [
                            {
                                "starts": m.starts_at,
                                "ends": m.ends_at,
                                "status": m.get_status_display(),
                            }
                            for m in PairMeeting.objects.filter(pair=p)
                        ],
                    }
                    for p in pairs
                ],
                "my_check_ins": [
                    {
                        "kind": r.get_kind_display(),
                        "progress": r.progress,
                        "comment": r.comment,
                        "at": r.created_at,
                    }
                    for r in _own_responses(s)
                ],
                "my_open_hours": [
                    {"weekday": h.weekday, "from": h.start, "to": h.end}
                    for h in MentorHours.objects.filter(mentor=s)
                ],
            }
        )
    return rows


def _erase(user: Any) -> int:
    """The sign-up is emptied and its link stops working; the pair stays for the other side
    (and the coordinator's counts), the person's own check-in comments go (their ratings stay
    as counts), and their open hours and exceptions go."""
    count = 0
    for s in _signups(user):
        _own_responses(s).exclude(comment="").update(comment="")
        MentorHours.objects.filter(mentor=s).delete()
        MentorException.objects.filter(mentor=s).delete()
        s.name = _("Erased person")
        s.email = f"erased-signup-{s.pk}@invalid.invalid"
        s.unit = s.role_title = s.manager_email = ""
        s.topics = s.goals = s.languages = s.location = ""
        s.free_text = s.prefer = s.avoid = ""
        s.availability = []
        s.token_hash = secrets.token_hex(32)
        s.save()
        count += 1
    return count


register(
    Category(
        key="mentoring.signups",
        label=gettext_lazy("mentoring sign-ups, pairs and check-ins"),
        purpose=gettext_lazy("to match mentors and mentees and follow the programme"),
        legal_basis=gettext_lazy("the client organisation's contract; consent on the form"),
        subjects=gettext_lazy("mentors and mentees"),
        recipients=gettext_lazy(
            "the coordinator; a pair's words only to the pair, counts to the coordinator"
        ),
        export=_export,
        erase=_erase,
        by_address=True,
        practices=lambda user: set(_signups(user).values_list("practice_id", flat=True)),
        erasure=gettext_lazy(
            "The sign-up is emptied of name, address and answers; the pair stays for the "
            "other person, without the erased person's comments."
        ),
    )
)
