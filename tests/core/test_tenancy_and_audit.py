"""The tenancy guard and the audit chain."""

from __future__ import annotations

import pytest
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from bollplank.core.audit import audit
from bollplank.core.audit_verify import verify_chain
from bollplank.core.models import AuditEvent
from bollplank.engagements.models import Engagement


def test_query_without_scope_fails_loudly(world):
    with pytest.raises(ScopeError):
        list(Engagement.objects.all())


def test_scope_only_shows_the_practice_rows(world):
    with scope(practice=world.practice):
        titles = set(Engagement.objects.values_list("title", flat=True))
    assert titles == {"Lärarlaget åk 4–6", "Elevhälsoteamet"}


def test_audit_chain_verifies_and_shows_tampering(world):
    first = audit(world.admin, "test.one", world.practice)
    audit(world.admin, "test.two", world.practice)
    assert verify_chain().ok
    AuditEvent.objects.filter(pk=first.pk).update(action="test.changed")
    assert verify_chain().broken_at == first.pk


def test_audit_events_cannot_be_edited_or_deleted(world):
    event = audit(world.admin, "test.one", world.practice)
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
