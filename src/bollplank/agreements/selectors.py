"""Every read of agreements, scoped to the parties: the practice's side (the engagement's
supervisor, the practice's admins) and the client's contacts. Participants are not parties to
the agreement and see none of it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from bollplank.agreements.enums import AgreementStatus
from bollplank.agreements.models import Agreement
from bollplank.agreements.terms import terms_of
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.models import Engagement
from bollplank.engagements.selectors import engagements_visible_to

PARTIES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CLIENT_CONTACT})


def party_engagements(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Engagement]:
    """The engagements whose agreements the person may read, in the roles that are parties."""
    return engagements_visible_to(user, practice, roles & PARTIES)


def agreements_visible_to(
    user: Any, practice: Practice, roles: frozenset[str]
) -> QuerySet[Agreement]:
    """Versions with their acceptance (one join), without the PDF's bytes."""
    return (
        Agreement.objects.filter(
            practice=practice,
            engagement__in=party_engagements(user, practice, roles).values("pk"),
        )
        .select_related("acceptance", "created_by")
        .defer("document")
    )


def agreement_for(user: Any, practice: Practice, roles: frozenset[str], pk: int) -> Agreement:
    """One version the person may read (404 otherwise), with its engagement."""
    return get_object_or_404(
        agreements_visible_to(user, practice, roles).select_related(
            "engagement", "engagement__client", "engagement__supervisor"
        ),
        pk=pk,
    )


def with_status(agreements: list[Agreement], current_terms: dict[Any, dict[str, Any]]) -> None:
    """Set ``status`` on each version (newest first per engagement): accepted, awaiting,
    outdated (the newest, whose terms no longer hold) or replaced. ``current_terms`` maps an
    engagement's id to its terms now."""
    newest: dict[int, int] = {}
    for a in agreements:
        newest[a.engagement_id] = max(newest.get(a.engagement_id, 0), a.version)
    for a in agreements:
        accepted = getattr(a, "acceptance", None) is not None
        is_newest = newest[a.engagement_id] == a.version
        if is_newest and current_terms.get(a.engagement_id) != a.terms:
            a.status = AgreementStatus.OUTDATED
        elif accepted:
            a.status = AgreementStatus.ACCEPTED
        elif is_newest:
            a.status = AgreementStatus.AWAITING
        else:
            a.status = AgreementStatus.REPLACED
        a.accepted = accepted
        a.is_newest = is_newest
        a.status_label = str(AgreementStatus(a.status).label)


def versions_of(engagement: Engagement) -> list[Agreement]:
    """Every version of the engagement's agreement, newest first, with its status."""
    versions = list(
        Agreement.objects.filter(engagement=engagement)
        .select_related("acceptance", "created_by")
        .defer("document")
        .order_by("-version")
    )
    if versions:
        with_status(versions, {engagement.pk: terms_of(engagement)})
    return versions


def client_agreements(user: Any, practice: Practice) -> list[tuple[Engagement, list[Agreement]]]:
    """The client contact's engagements that have an agreement, each with its versions."""
    engagements = list(
        party_engagements(user, practice, frozenset({Role.CLIENT_CONTACT}))
        .filter(agreements__isnull=False)
        .select_related("client", "supervisor", "practice", "price")
        .distinct()
        .order_by("title")
    )
    by_engagement: dict[int, list[Agreement]] = {e.pk: [] for e in engagements}
    for a in (
        Agreement.objects.filter(engagement__in=[e.pk for e in engagements])
        .select_related("acceptance")
        .defer("document")
        .order_by("engagement", "-version")
    ):
        by_engagement[a.engagement_id].append(a)
    with_status(
        [a for e in engagements for a in by_engagement[e.pk]],
        {e.pk: terms_of(e) for e in engagements},
    )
    return [(e, by_engagement[e.pk]) for e in engagements]
