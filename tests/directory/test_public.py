"""The public practice page, profiles, comparison and photos: no login, only what is filled in,
only for a practice that publishes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.core import clock
from bollplank.directory.models import SupervisorProfile
from tests.directory.helpers import png, profile, public_world, publish

pytestmark = pytest.mark.django_db


def test_practice_page_unpublished_is_not_found(client, world):
    profile(world.practice, world.supervisor)
    assert client.get(reverse("directory_practice", args=["ekbacken"])).status_code == 404
    publish(world.practice, published=False)
    assert client.get(reverse("directory_practice", args=["ekbacken"])).status_code == 404
    assert client.get(reverse("directory_practice", args=["no-such"])).status_code == 404


def test_practice_page_published_tells_the_offer_and_the_supervisors(client, world):
    public_world(world)
    html = client.get(reverse("directory_practice", args=["ekbacken"])).content.decode()
    assert '<html lang="sv">' in html
    assert "<title>Ekbacken handledning" in html
    assert '<meta name="description" content="Vi handleder skolor och vård.">' in html
    assert "Siv Handledare" in html and "Olle Annan" in html
    # The plain-language explanations of the differences.
    for words in ("Handledning", "Rådgivning", "Coachning", "Process eller ärende?"):
        assert words in html
    assert "Enskild handledning" in html and "Grupphandledning" in html


def test_practice_page_in_english(client, world):
    public_world(world)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("directory_practice", args=["ekbacken"])).content.decode()
    assert '<html lang="en">' in html
    assert "Which kind of support fits?" in html
    assert "Advice" in html and "Coaching" in html


def test_unpublished_profile_and_non_supervisor_are_not_shown(client, world):
    public_world(world)
    hidden = profile(world.practice, world.other_supervisor, published=False)
    html = client.get(reverse("directory_practice", args=["ekbacken"])).content.decode()
    assert "Olle Annan" not in html
    url = reverse("directory_supervisor", args=["ekbacken", hidden.pk])
    assert client.get(url).status_code == 404


def test_profile_shows_only_filled_in_fields(client, world):
    publish(world.practice)
    bare = profile(
        world.practice,
        world.supervisor,
        profession="",
        training="",
        sectors=[],
        forms=["group"],
        focuses=[],
        languages=[],
        premises_address="",
        premises_city="",
        accessible_entrance=None,
        travels=False,
        travel_km=None,
    )
    html = client.get(reverse("directory_supervisor", args=["ekbacken", bare.pk])).content.decode()
    assert "<dt>Former</dt><dd>Grupp</dd>" in html
    for label in ("Yrke", "Handledarutbildning", "Branscher", "Språk", "Lokal", "Tillgänglig"):
        assert f"<dt>{label}" not in html


def test_compare_two_supervisors_side_by_side(client, world):
    rows = public_world(world)
    url = reverse("directory_compare", args=["ekbacken"])
    html = client.get(url, {"a": rows["a"].pk, "b": rows["b"].pk}).content.decode()
    assert html.count('<th scope="col">') == 2
    assert "Skola, hälso- och sjukvård" in html or "Skola" in html
    assert "Socialtjänst" in html
    # Nonsense in the query string is not an error.
    assert client.get(url, {"a": "x' OR 1=1", "b": "9" * 30}).status_code == 200


def test_photo_is_served_with_its_type(client, world):
    rows = public_world(world)
    response = client.get(reverse("directory_photo", args=["ekbacken", rows["a"].pk]))
    assert response["Content-Type"] == "image/png"
    assert response.content == png()
    assert (
        client.get(reverse("directory_photo", args=["ekbacken", rows["b"].pk])).status_code == 404
    )


def _profile_post(**extra):
    data = {
        "published": "on",
        "profession": "Socionom",
        "training": "Tre terminer",
        "sectors": ["social_services", "school"],
        "forms": ["individual"],
        "focuses": ["case"],
        "languages": ["sv", "ar"],
        "premises_address": "Storgatan 2",
        "premises_city": "Uppsala",
        "accessible_entrance": "yes",
        "travels": "on",
        "travel_km": "40",
        "weekly_hours": "8",
    }
    data.update(extra)
    return data


def test_supervisor_edits_own_profile_with_a_photo(client, world):
    client.force_login(world.supervisor)
    url = reverse("profile_edit", args=["ekbacken"])
    photo = SimpleUploadedFile("me.png", png((40, 40)), content_type="image/png")
    response = client.post(url, _profile_post(photo=photo))
    assert response.status_code == 302
    with scopes_disabled():
        saved = SupervisorProfile.objects.get(user=world.supervisor)
    assert (saved.profession, saved.sectors, saved.languages) == (
        "Socionom",
        ["social_services", "school"],
        ["sv", "ar"],
    )
    assert (saved.accessible_entrance, saved.travel_km, saved.photo_type) == (
        True,
        40,
        "image/png",
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1), "större än 2 MB"),
        ("evil.png", b"<svg onload=alert(1)></svg>", "inte en bild"),
        ("doc.gif", b"GIF89a" + b"\x00" * 20, "inte en bild"),
    ],
)
def test_profile_photo_bad_files_are_refused_and_nothing_is_lost(
    client, world, name, content, message
):
    client.force_login(world.supervisor)
    url = reverse("profile_edit", args=["ekbacken"])
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(url, _profile_post(photo=upload))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="Socionom"' in html
    with scopes_disabled():
        assert not SupervisorProfile.objects.filter(user=world.supervisor).exists()


def test_practice_page_lists_the_public_courses_ahead(client, world):
    import datetime as dt

    from bollplank.courses.models import Course, CourseDay

    public_world(world)
    start = clock.now() + dt.timedelta(days=30)
    with scopes_disabled():
        for title, published in (("Kollegial grupphandledning", True), ("Utkast", False)):
            course = Course.objects.create(
                practice=world.practice,
                title=title,
                description="Två dagar.",
                place="Ekby",
                capacity=12,
                last_registration_day=start.date(),
                published=published,
            )
            CourseDay.objects.create(
                practice=world.practice,
                course=course,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=6),
            )
    html = client.get(reverse("directory_practice", args=["ekbacken"])).content.decode()
    assert "Kommande kurser" in html
    assert "Kollegial grupphandledning" in html
    assert "Utkast" not in html
