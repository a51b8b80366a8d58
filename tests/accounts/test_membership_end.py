"""A practice admin ends a member's role from the people page: access through it stops at
once (pages and API tokens), the audit log keeps the history, and the practice's last admin
cannot be ended."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from tests.api.conftest import ApiClient


def _role(user, role):
    with scopes_disabled():
        return Membership.objects.get(user=user, role=role)


def test_admin_ends_a_supervisor_s_role_and_access_stops_at_once(client, world):
    from bollplank.api.services import token_create

    with scopes_disabled():
        secret = token_create(
            user=world.supervisor, practice=world.practice, name="skript", scope="read"
        )[1]
    api = ApiClient(secret)
    assert api.get("/engagements/").status_code == 200
    supervisor = client.__class__()
    supervisor.force_login(world.supervisor)
    dashboard = reverse("dashboard", args=["ekbacken"])
    assert supervisor.get(dashboard).status_code == 200

    client.force_login(world.admin)
    people = client.get(reverse("people", args=["ekbacken"])).content.decode()
    membership = _role(world.supervisor, Role.SUPERVISOR)
    end = reverse("membership_end", args=["ekbacken", membership.pk])
    assert f'action="{end}"' in people and "Avsluta rollen" in people
    response = client.post(end, follow=True)
    assert "Siv Handledare har inte längre rollen handledare." in response.content.decode()

    with scopes_disabled():
        assert not Membership.objects.filter(user=world.supervisor, practice=world.practice)
        event = AuditEvent.objects.get(action="accounts.membership.ended")
    assert (event.actor_id, event.practice_id) == (world.admin.pk, world.practice.pk)
    assert event.data == {
        "role": "supervisor",
        "user": world.supervisor.pk,
        "since": membership.created_at.isoformat(),
    }
    # The same login session and the same token, a moment later: nothing of the practice.
    assert supervisor.get(dashboard).status_code == 404
    assert api.get("/engagements/").status_code == 401


def test_the_last_admin_cannot_be_ended(client, world):
    with scopes_disabled():
        assert Membership.objects.filter(practice=world.practice, role=Role.ADMIN).count() == 1
    membership = _role(world.admin, Role.ADMIN)
    client.force_login(world.admin)
    response = client.post(reverse("membership_end", args=["ekbacken", membership.pk]), follow=True)
    body = response.content.decode()
    assert "Verksamhetens sista byråansvariga kan inte avslutas." in body
    with scopes_disabled():
        assert Membership.objects.filter(pk=membership.pk).exists()
        assert not AuditEvent.objects.filter(action="accounts.membership.ended").exists()


def test_a_second_admin_may_end_the_first(client, world):
    from tests import factories as f

    with scopes_disabled():
        second = f.member(world.practice, Role.ADMIN, name="Bo Byrå")
    membership = _role(world.admin, Role.ADMIN)
    client.force_login(second)
    client.post(reverse("membership_end", args=["ekbacken", membership.pk]))
    with scopes_disabled():
        assert not Membership.objects.filter(pk=membership.pk).exists()
    assert (
        client.get(reverse("membership_end", args=["ekbacken", membership.pk])).status_code == 405
    )
