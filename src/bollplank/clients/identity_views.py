"""A client contact's pages of their organisation's own log-in: its providers, adding and
changing one (the secret is never shown back), and the staff linked to it with the level of
assurance of their latest sign-in. Another client's log-ins and the practice's own answer 404."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.debug import sensitive_post_parameters

from bollplank.accounts.enums import IdentityProviderKind
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.identity_views import (
    provider_form_page,
    provider_initial,
    provider_people_page,
)
from bollplank.clients.identity import (
    client_identity_provider_remove,
    client_identity_provider_save,
    client_providers_visible_to,
    clients_of_contact,
)
from bollplank.clients.identity_forms import ClientIdentityProviderForm
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who


@practice_view(Role.CLIENT_CONTACT)
def client_identity_providers(request: PracticeRequest) -> HttpResponse:
    """The log-ins of the contact's organisations."""
    user, practice, _roles = who(request)
    return render(
        request,
        "clients/identity_providers.html",
        {"identity_providers": list(client_providers_visible_to(user, practice))},
    )


# The client secret must not reach an error report.
@sensitive_post_parameters("secret")
@practice_view(Role.CLIENT_CONTACT)
def client_identity_provider_edit(request: PracticeRequest, pk: int | None = None) -> HttpResponse:
    """Add or change the organisation's OpenID Connect log-in, or remove it."""
    user, practice, _roles = who(request)
    provider: IdentityProvider | None = None
    if pk is not None:
        provider = get_object_or_404(
            client_providers_visible_to(user, practice).filter(kind=IdentityProviderKind.OIDC),
            pk=pk,
        )
    form = ClientIdentityProviderForm(
        request.POST or None,
        initial=provider_initial(provider),
        has_secret=provider is not None,
        clients=clients_of_contact(user, practice),
    )
    return provider_form_page(
        request,
        provider,
        form,
        save=client_identity_provider_save,
        remove=lambda gone: client_identity_provider_remove(
            actor=user, practice=practice, provider=gone
        ),
        list_name="client_identity_providers",
        saved_name="client_identity_provider_people",
        template="clients/identity_provider_edit.html",
    )


@practice_view(Role.CLIENT_CONTACT)
def client_identity_provider_people(request: PracticeRequest, pk: int) -> HttpResponse:
    """The organisation's staff linked to its log-in, with the level of assurance of their
    latest sign-in; link one to the identity the provider knows them by, or remove a link."""
    user, practice, _roles = who(request)
    provider = get_object_or_404(client_providers_visible_to(user, practice), pk=pk)
    return provider_people_page(
        request,
        provider,
        here="client_identity_provider_people",
        template="clients/identity_provider_people.html",
    )
