"""Client register: list, detail, create, edit, contacts. Thin: forms validate, services write."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bollplank.accounts.selectors import contact_invitations, invitation_state
from bollplank.accounts.services import invitation_create
from bollplank.clients import services
from bollplank.clients.forms import ClientForm, ContactForm
from bollplank.clients.models import ClientContact
from bollplank.clients.selectors import clients_visible_to
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.engagements.selectors import clients_for_list
from bollplank.meetings.selectors import engagements_for_list

STAFF = (Role.ADMIN, Role.SUPERVISOR)


@practice_view(*STAFF)
def client_list(request: PracticeRequest) -> HttpResponse:
    """The practice's clients with their number of active engagements."""
    user, practice, roles = who(request)
    clients = clients_for_list(user, practice, roles)
    return render(request, "clients/list.html", {"clients": clients})


@practice_view(*STAFF)
def client_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    client = get_object_or_404(clients_visible_to(user, practice, roles), pk=pk)
    engagements = engagements_for_list(user, practice, roles).filter(client=client)
    contacts: list[Any] = list(client.contacts.all())
    # Where each contact stands with logging in (one query for them all).
    latest = contact_invitations(practice, [c.pk for c in contacts])
    now = clock.now()
    for contact in contacts:
        contact.invitation = invitation_state(
            latest.get(contact.pk), has_login=contact.user_id is not None, now=now
        )
    return render(
        request,
        "clients/detail.html",
        {"client": client, "engagements": engagements, "contacts": contacts},
    )


@practice_view(*STAFF)
def client_create(request: PracticeRequest) -> HttpResponse:
    user, practice, _roles = who(request)
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(actor=user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The client %(name)s is saved.") % {"name": client.name})
            return redirect("client_detail", practice.slug, client.pk)
    return render(request, "clients/form.html", {"form": form, "client": None})


@practice_view(*STAFF)
def client_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    client = get_object_or_404(clients_visible_to(user, practice, roles), pk=pk)
    # The form fills its instance as it validates: give it a copy, so that the service sees
    # the stored values and knows what changed (for the audit and the Peppol address).
    form = ClientForm(request.POST or None, instance=copy.copy(client))
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(actor=user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("client_detail", practice.slug, client.pk)
    return render(request, "clients/form.html", {"form": form, "client": client})


@practice_view(*STAFF)
def contact_create(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    client = get_object_or_404(clients_visible_to(user, practice, roles), pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(actor=user, client=client, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The contact is added."))
            return redirect("client_detail", practice.slug, client.pk)
    return render(request, "clients/contact_form.html", {"form": form, "client": client})


@require_POST
@practice_view(*STAFF)
def contact_invite(request: PracticeRequest, pk: int, contact_pk: int) -> HttpResponse:
    """Invite a client contact to log in and see their client's page, or invite them again
    (the new link replaces the old)."""
    user, practice, roles = who(request)
    client = get_object_or_404(clients_visible_to(user, practice, roles), pk=pk)
    contact: ClientContact = get_object_or_404(
        ClientContact.objects.filter(client=client), pk=contact_pk
    )
    if contact.user_id is not None:
        messages.error(request, _("%(name)s already logs in.") % {"name": contact.name})
        return redirect("client_detail", practice.slug, client.pk)
    invitation_create(
        actor=user,
        practice=practice,
        email=contact.email,
        name=contact.name,
        role=Role.CLIENT_CONTACT,
        client_contact=contact,
        language=client.language,
    )
    messages.success(request, _("An invitation is sent to %(email)s.") % {"email": contact.email})
    return redirect("client_detail", practice.slug, client.pk)
