"""Factories without surprises: every object belongs to the practice you pass (or a new one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership, User
from bollplank.clients.enums import Sector
from bollplank.clients.models import Client, ClientContact
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.enums import Focus, Form, Venue
from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.meetings.models import Meeting
from tests import timecontrol as tc

PASSWORD = "ett-bra-lösenord-2026"


class ScopedFactory(factory.django.DjangoModelFactory):
    """Tenant models refuse queries outside a scope; factories are test set-up, not requests."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Handledarbyrå {n}")
    slug = factory.Sequence(lambda n: f"byra-{n}")
    travel_buffer_minutes = 30


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.se")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.SUPERVISOR


def member(practice: Practice, role: str, **user_kwargs: Any) -> User:
    """A new person holding ``role`` in ``practice``."""
    user = UserFactory(**user_kwargs)
    MembershipFactory(practice=practice, user=user, role=role)
    return user


class ClientFactory(ScopedFactory):
    class Meta:
        model = Client

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Kommun {n}")
    org_number = "212000-0142"
    sector = Sector.SCHOOL
    city = "Uppsala"


class ClientContactFactory(ScopedFactory):
    class Meta:
        model = ClientContact

    practice = factory.SelfAttribute("client.practice")
    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Kontakt {n}")
    email = factory.Sequence(lambda n: f"kontakt{n}@kommun.example.se")


class ParticipantFactory(ScopedFactory):
    class Meta:
        model = Participant

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Deltagare {n}")
    email = factory.Sequence(lambda n: f"deltagare{n}@example.se")


class EngagementFactory(ScopedFactory):
    class Meta:
        model = Engagement

    practice = factory.SubFactory(PracticeFactory)
    client = factory.SubFactory(ClientFactory, practice=factory.SelfAttribute("..practice"))
    supervisor = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Grupphandledning {n}")
    form = Form.GROUP
    focus = Focus.PROCESS
    meeting_minutes = 120
    meetings_ordered = 10
    start_date = factory.LazyFunction(tc.engagement_start)
    end_date = factory.LazyFunction(tc.engagement_end)
    venue = Venue.CLIENT_PREMISES
    venue_address = "Storgatan 1, Uppsala"
    price_per_meeting_ore = 450000


class GroupMembershipFactory(ScopedFactory):
    class Meta:
        model = GroupMembership

    practice = factory.SelfAttribute("engagement.practice")
    engagement = factory.SubFactory(EngagementFactory)
    participant = factory.SubFactory(
        ParticipantFactory, practice=factory.SelfAttribute("..engagement.practice")
    )
    joined_on = factory.LazyAttribute(lambda o: o.engagement.start_date)


class MeetingFactory(ScopedFactory):
    class Meta:
        model = Meeting

    practice = factory.SelfAttribute("engagement.practice")
    engagement = factory.SubFactory(EngagementFactory)
    supervisor = factory.SelfAttribute("engagement.supervisor")
    starts_at = factory.LazyFunction(lambda: tc.local(tc.past_meeting_day(), 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
