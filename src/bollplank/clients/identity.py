"""A client organisation's own log-in, kept by its contact people: the OpenID Connect provider
their staff sign in through. The rules of who it signs in are accounts.identity's; these say
which providers a contact may see and change (their own client's, never another client's or
the practice's own)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bollplank.accounts.enums import IdentityProviderKind
from bollplank.accounts.identity import identity_provider_remove, identity_provider_save
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.clients.models import Client
from bollplank.core.models import Practice


def clients_of_contact(user: Any, practice: Practice) -> QuerySet[Client]:
    """The client organisations ``user`` is a contact person of, in this practice."""
    return Client.objects.filter(practice=practice, contacts__user=user).distinct().order_by("name")


def client_providers_visible_to(user: Any, practice: Practice) -> QuerySet[IdentityProvider]:
    """The log-ins of the client organisations ``user`` is a contact of: whoever added them
    (the contact or the practice's admin)."""
    return (
        IdentityProvider.objects.filter(
            practice=practice, client__in=clients_of_contact(user, practice)
        )
        .select_related("app", "client")
        .order_by("name")
    )


def _check_reach(actor: Any, practice: Practice, provider: IdentityProvider | None) -> None:
    if (
        provider is not None
        and not client_providers_visible_to(actor, practice).filter(pk=provider.pk).exists()
    ):
        raise ValidationError(_("That log-in is not one of your organisation's."))


@transaction.atomic
def client_identity_provider_save(
    *,
    actor: Any,
    practice: Practice,
    provider: IdentityProvider | None = None,
    client: Client,
    **settings: Any,
) -> IdentityProvider:
    """A client contact adds or changes their organisation's OpenID Connect log-in: only for a
    client they are a contact of, and only for its staff (accounts.identity refuses other
    roles). Audited as the admin's changes are, with the contact as the actor."""
    _check_reach(actor, practice, provider)
    if not clients_of_contact(actor, practice).filter(pk=client.pk).exists():
        raise ValidationError({"client": _("Choose one of your own organisations.")})
    if provider is not None and provider.kind != IdentityProviderKind.OIDC:
        raise ValidationError(_("Only an OpenID Connect log-in can be changed here."))
    return identity_provider_save(
        actor=actor,
        practice=practice,
        provider=provider,
        client=client,
        kind=IdentityProviderKind.OIDC,
        **settings,
    )


@transaction.atomic
def client_identity_provider_remove(
    *, actor: Any, practice: Practice, provider: IdentityProvider
) -> None:
    """A client contact removes their organisation's log-in; its people use a password again."""
    _check_reach(actor, practice, provider)
    identity_provider_remove(actor=actor, provider=provider)
