"""Control characters (a NUL byte above all: PostgreSQL refuses it with a server error) are
refused at every way in by one check (core.validators): 422 naming the field at the API's
edge, 400 with the form re-rendered and a Swedish error beside the field in forms. Nothing is
stored. Run on PostgreSQL too, where the server error showed."""

from __future__ import annotations

import pytest
from django import forms
from django_scopes import scopes_disabled

from bollplank.core.validators import control_characters_in
from bollplank.courses.models import Registration
from bollplank.directory.models import Inquiry
from bollplank.engagements.models import Participant
from tests.api.conftest import ApiClient
from tests.courses.conftest import form_data, make_course
from tests.directory.helpers import publish
from tests.directory.test_inquiries import URL as INQUIRY_URL
from tests.directory.test_inquiries import _post as inquiry_data

pytestmark = pytest.mark.django_db

NUL_NAME = "Ann\u0000a"
SWEDISH_ONE_LINE = "Texten innehåller styrtecken"


def _token(world, user):
    from bollplank.api.services import token_create

    with scopes_disabled():
        return token_create(user=user, practice=world.practice, name="s", scope="write")[1]


def _fields(response):
    return {tuple(e["loc"])[-1]: e["msg"] for e in response.json()["detail"]}


def test_api_refuses_a_nul_in_a_participant_name_with_422_naming_the_field(world):
    api = ApiClient(_token(world, world.supervisor))
    response = api.post(
        f"/engagements/{world.engagement.pk}/participants",
        {"name": NUL_NAME, "email": "ann@kommun.se"},
    )
    assert response.status_code == 422
    assert "name" in _fields(response) and "name:" in _fields(response)["name"]
    with scopes_disabled():
        assert not Participant.objects.filter(email="ann@kommun.se").exists()


@pytest.mark.parametrize(
    "field,value",
    [("name", NUL_NAME), ("email", "ann\u0000@kommun.se"), ("organization", "Kommun\u001b[31m")],
)
def test_api_refuses_control_characters_in_a_course_registration(world, field, value):
    course = make_course(world.practice)
    api = ApiClient(_token(world, world.admin))
    body = {"name": "Ann Andersson", "email": "ann@kommun.se", field: value}
    response = api.post(f"/courses/{course.pk}/registrations", body)
    assert response.status_code == 422
    assert list(_fields(response)) == [field]
    with scopes_disabled():
        assert Registration.objects.filter(course=course).count() == 0


def test_the_course_registration_form_refuses_a_nul_with_400_and_keeps_the_input(client, world):
    from django.urls import reverse

    course = make_course(world.practice)
    url = reverse("course_public", args=[world.practice.slug, course.pk])
    response = client.post(url, form_data(name=NUL_NAME, organization="Kommun\u0001"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Null-tecken är inte tillåtna." in html  # Django's own check on the NUL
    assert SWEDISH_ONE_LINE in html  # ours, on the organization
    assert 'value="Box 1"' in html  # nothing typed is lost
    with scopes_disabled():
        assert Registration.objects.filter(course=course).count() == 0


def test_the_inquiry_form_refuses_control_characters_but_keeps_line_breaks(client, world):
    publish(world.practice)
    bell = client.post(INQUIRY_URL, inquiry_data(message="Hej\u0007 där", name="Rut\u0000"))
    assert bell.status_code == 400
    assert "Texten innehåller styrtecken (till exempel en nollbyte)" in bell.content.decode()
    with scopes_disabled():
        assert Inquiry.objects.count() == 0
    ok = client.post(INQUIRY_URL, inquiry_data(message="Rad ett\r\nRad två\tmed tabb"))
    assert ok.status_code == 302
    with scopes_disabled():
        assert Inquiry.objects.get().message == "Rad ett\r\nRad två\tmed tabb"


def test_one_line_fields_refuse_line_breaks_multi_line_fields_keep_them():
    class F(forms.Form):
        name = forms.CharField()
        text = forms.CharField(widget=forms.Textarea)

    form = F({"name": "Ann\nAndersson", "text": "Rad ett\nRad\x0b två"})
    assert not form.is_valid()
    assert set(form.errors) == {"name", "text"}
    assert F({"name": "Ann Andersson", "text": "Rad ett\r\nRad två\t"}).is_valid()
    assert control_characters_in("a\x7fb", multiline=True)
    assert not control_characters_in("a\tb\nc", multiline=True)


def test_the_api_spec_says_what_text_it_accepts():
    """The spec does not allow what the API refuses: every text input states its pattern
    (no control characters), and an e-mail input says it is one."""
    import re

    from bollplank.api.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    for name in ("JoinIn", "RegistrationIn"):
        props = schemas[name]["properties"]
        texts = {k: p for k, p in props.items() if p.get("type") == "string"}
        for key, prop in texts.items():
            if prop.get("format") in ("date", "date-time"):
                continue
            assert re.match(prop["pattern"], NUL_NAME) is None, (name, key)
            assert re.match(prop["pattern"], "Ann Andersson") is not None, (name, key)
        assert props["email"]["format"] == "email"


@pytest.mark.parametrize(
    "url",
    [
        "/kurser/anmalan/ab%00cd/",
        "/mentoring/signup/ab%00cd/",
        "/p/ekbacken/privacy/erase/address/?email=pia%00@solbacka.se",
        "/p/ekbacken/?x%01=1",
    ],
)
def test_an_address_with_control_characters_is_a_bad_request(client, world, url):
    client.force_login(world.admin)
    response = client.get(url)
    assert response.status_code == 400
