"""The coordinator's CSV import of sign-ups: all or nothing, every problem by row number, the
duplicates named, 10,000 rows in a few seconds with a bounded number of queries."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.mentoring import signup_import
from bollplank.mentoring.links import personal_url
from bollplank.mentoring.models import SignUp
from tests.mentoring import helpers as h

P = "ekbacken"
HEADER = "som;namn;e-post;enhet;års erfarenhet;områden;språk;ort;tider;antal adepter"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _rows(n: int, *, start: int = 0, domain: str = "x.se") -> list[str]:
    """n valid rows: every fifth a mentor."""
    out = []
    for i in range(start, start + n):
        side = "mentor" if i % 5 == 0 else "adept"
        years = 15 if side == "mentor" else 2
        out.append(
            f"{side};Person {i};person{i}@{domain};Enhet {i % 7};{years};ledarskap, budget;"
            f"svenska;Umeå;måndag förmiddag, tue-pm;{1 if side == 'mentee' else 2}"
        )
    return out


def _import(world, p, data, **kw):
    with scope(practice=world.practice):
        return signup_import.signups_import(actor=world.admin, programme=p, data=data, **kw)


def test_a_clean_file_is_imported_whole(world, django_capture_on_commit_callbacks):
    p = h.programme(world)
    data = _csv(
        "mentor;Maja Mentor;MAJA@x.se;HR;20;ledarskap;svenska, engelska;Umeå;Måndag förmiddag;2",
        "adept;Nils Ny;nils@x.se;Skolan;1;budget;svenska;Luleå;mon-am, Tisdag eftermiddag;",
        "",  # the empty last line a spreadsheet leaves
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = _import(world, p, data)
    assert (result.ok, result.created, result.rows) == (True, 2, 2)
    with scopes_disabled():
        maja, nils = SignUp.objects.filter(programme=p).order_by("name")
    assert (maja.side, maja.email, maja.years, maja.capacity, maja.availability) == (
        "mentor",
        "maja@x.se",
        20,
        2,
        ["mon-am"],
    )
    assert (nils.side, nils.capacity, nils.availability, nils.languages) == (
        "mentee",
        1,
        ["mon-am", "tue-pm"],
        "svenska",
    )
    # Each person gets their own link by e-mail, and it opens their page.
    assert sorted(m.to[0] for m in mail.outbox) == ["maja@x.se", "nils@x.se"]
    (to_nils,) = [m for m in mail.outbox if m.to == ["nils@x.se"]]
    with scopes_disabled():
        link = personal_url(nils)
    assert link in to_nils.body
    page = Client().get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Nils Ny" in page.content.decode()


def test_duplicates_are_reported_by_row_and_nothing_is_imported(world):
    p = h.programme(world)
    h.sign_up(p, "mentee", "Redan Anmäld", email="redan@x.se")
    data = _csv(
        "adept;Anna A;anna@x.se;A;1;;svenska;;;",
        "adept;Bo B;bo@x.se;A;1;;svenska;;;",
        "adept;Anna igen;ANNA@x.se;A;1;;svenska;;;",
        "adept;Redan;redan@x.se;A;1;;svenska;;;",
        "adept;Anna tredje;anna@x.se;A;1;;svenska;;;",
    )
    result = _import(world, p, data)
    assert result.created == 0
    assert result.errors == [
        "Rad 4: anna@x.se finns redan på rad 2.",
        "Rad 5: redan@x.se är redan anmäld till programmet.",
        "Rad 6: anna@x.se finns redan på rad 2.",
    ]
    with scopes_disabled():
        assert list(SignUp.objects.filter(programme=p).values_list("email", flat=True)) == [
            "redan@x.se"
        ]
    # Fixed and uploaded again, the file goes in whole.
    fixed = _csv(
        "adept;Anna A;anna@x.se;A;1;;svenska;;;",
        "adept;Bo B;bo@x.se;A;1;;svenska;;;",
        "adept;Anna igen;anna.igen@x.se;A;1;;svenska;;;",
    )
    assert _import(world, p, fixed, send_links=False).created == 3


def test_bad_values_are_reported_field_by_field(world):
    p = h.programme(world, max_mentees=2)
    data = _csv(
        "chef;Ulla;ulla@x.se;A;1;;svenska;;;",
        "mentor;;inte-en-adress;A;sju;;;;lördag;5",
        "mentor;Mats;mats@x.se;A;80;;svenska;;;0",
    )
    result = _import(world, p, data)
    assert result.errors == [
        "Rad 2: som mentor eller adept: skriv mentor eller adept.",
        "Rad 3: namn: saknas.",
        "Rad 3: e-post: inte en giltig e-postadress.",
        "Rad 3: språk: saknas.",
        "Rad 3: års erfarenhet: ett heltal från 0 till 70.",
        "Rad 3: antal adepter: ett heltal från 1 till 2.",
        "Rad 3: tillgänglighet: okänd tid ”lördag”.",
        "Rad 4: års erfarenhet: ett heltal från 0 till 70.",
        "Rad 4: antal adepter: ett heltal från 1 till 2.",
    ]
    assert result.error_count == 9
    with scopes_disabled():
        assert not SignUp.objects.filter(programme=p).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen är tom."),
        (_csv(header="namn;e-post"), "Kolumner saknas på rad 1: som, språk."),
        (
            _csv("adept;A;a@x.se;svenska;x", header="som;namn;e-post;språk;skostorlek"),
            "Okänd kolumn ”skostorlek” (rad 1, kolumn 5).",
        ),
        (
            _csv(header="som;namn;e-post;språk;Namn"),
            "Kolumnen ”Namn” finns två gånger (rad 1).",
        ),
        (_csv(), "Filen har en rubrikrad men inga rader att importera."),
        (
            b"\xff\xfe\x00s\x00o\x00m",
            "Filen kunde inte läsas. Spara den som CSV (UTF-8) och försök igen.",
        ),
    ],
)
def test_a_file_that_cannot_be_used_says_why(world, data, message):
    p = h.programme(world)
    with pytest.raises(ValidationError) as err:
        _import(world, p, data)
    assert message in err.value.messages


def test_windows_excel_file_with_commas_is_read(world):
    p = h.programme(world)
    data = "som,namn,e-post,språk\r\nadept,Örjan Åberg,orjan@x.se,svenska\r\n".encode("cp1252")
    assert _import(world, p, data, send_links=False).created == 1
    with scopes_disabled():
        assert SignUp.objects.get(programme=p).name == "Örjan Åberg"


def test_huge_files_are_refused_before_reading(world, monkeypatch):
    p = h.programme(world)
    with pytest.raises(ValidationError) as err:
        signup_import.check_size(signup_import.MAX_BYTES + 1)
    assert err.value.messages == [
        "Filen är större än 5 MB. Dela upp den i mindre filer och importera var för sig."
    ]
    monkeypatch.setattr(signup_import, "MAX_ROWS", 3)
    with pytest.raises(ValidationError) as err:
        _import(world, p, _csv(*_rows(4)))
    assert err.value.messages == ["Filen har 4 rader; högst 3 kan importeras åt gången."]


def test_a_published_programme_takes_no_import(world):
    p = h.programme(world)
    with scope(practice=world.practice):
        p.published_at = clock.now()
        p.save()
    with pytest.raises(ValidationError, match="publicerade"):
        _import(world, p, _csv(*_rows(1)))


def test_import_page_by_a_client_contact(client, world):
    p = h.programme(world, client=world.client)
    url = reverse("mentoring_signups_import", args=[P, p.pk])
    client.force_login(world.contact_user)
    page = client.get(url).content.decode()
    assert "som;namn;e-post;enhet;befattning;chefens e-post" in page
    bad = SimpleUploadedFile("a.csv", _csv(*_rows(2), _rows(1)[0]), content_type="text/csv")
    response = client.post(url, {"file": bad, "send_links": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Filen har 1 fel; ingenting är importerat." in body
    assert "Rad 4: person0@x.se finns redan på rad 2." in body
    good = SimpleUploadedFile("a.csv", _csv(*_rows(3)), content_type="text/csv")
    response = client.post(url, {"file": good, "send_links": ""}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mentoring_signups", args=[P, p.pk])
    assert "3 anmälningar är importerade." in response.content.decode()
    with scopes_disabled():
        assert SignUp.objects.filter(programme=p).count() == 3


def test_ten_thousand_rows_with_duplicates_in_bounded_queries(world):
    # Bounded queries, not timed: wall-clock limits in unit tests fail on a busy CI machine
    # (speed is measured in make bench).
    p = h.programme(world, max_mentees=3)
    h.sign_up(p, "mentee", "Redan", email="person42@x.se")
    rows = _rows(10_000)
    rows[5000] = rows[17].replace("Person 17", "Person 17 igen")  # row 5002 repeats row 19
    with CaptureQueriesContext(connection) as ctx:
        result = _import(world, p, _csv(*rows))
    assert result.created == 0
    assert result.errors == [
        "Rad 44: person42@x.se är redan anmäld till programmet.",
        "Rad 5002: person17@x.se finns redan på rad 19.",
    ]
    assert len(ctx.captured_queries) <= 3  # the programme's e-mails (nothing is written)

    rows[5000] = _rows(1, start=10_000)[0]
    rows[42] = _rows(1, start=10_001)[0]
    with CaptureQueriesContext(connection) as ctx:
        result = _import(world, p, _csv(*rows), send_links=False)
    assert (result.ok, result.created) == (True, 10_000)
    with scopes_disabled():
        assert SignUp.objects.filter(programme=p).count() == 10_001
        assert SignUp.objects.filter(programme=p, side="mentor").count() == 2_000
    # The e-mails already signed up, the audit event (its insert) and
    # savepoints, and the inserts in batches: SQLite takes fewer rows per statement.
    fields = [f for f in SignUp._meta.concrete_fields if not f.primary_key]
    per_batch = min(signup_import.BATCH, connection.ops.bulk_batch_size(fields, [None] * 10_000))
    assert len(ctx.captured_queries) <= 10 + -(-10_000 // per_batch)
