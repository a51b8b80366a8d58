"""Export, erasure and retention of personal data, built from the registry
(core/personal_data_registry.py)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.personal_data_registry import Category, categories, retention_categories
from bollplank.core.validators import control_characters_in
from bollplank.privacy.labels import key_label
from bollplank.privacy.models import RetentionRule


def person_export(*, actor: Any, user: Any, confidential: bool) -> dict[str, Any]:
    """Everything the registry knows about ``user``, as JSON-able data (GDPR Art. 15, 20).

    ``confidential`` decrypts the person's own encrypted texts: only when the person asks
    for their own data (the page), never for an operator (the command)."""
    if confidential and actor != user:
        raise PermissionError("Only the person themselves gets their encrypted texts.")
    data: dict[str, Any] = {
        "person": {"id": user.pk, "email": user.email},
        "exported_at": clock.now(),
        "categories": {},
    }
    with scopes_disabled():
        for cat in categories():
            if cat.export is not None:
                data["categories"][cat.key] = {
                    "label": str(cat.label),
                    "rows": cat.export(user, confidential),
                }
    audit(
        actor,
        "privacy.person.exported",
        user,
        {"confidential": confidential},
        subjects=[user.pk],
    )
    return data


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _display(value: Any) -> dict[str, Any]:
    """A value as the HTML export shows it, in the active language: keys by their names, yes/no
    for truth values, dates and numbers in the language's conventions."""
    if isinstance(value, dict):
        return {"dict": [(key_label(str(k)), _display(v)) for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return {"list": [_display(v) for v in value]} if value else {"text": "–"}
    if value is None or value == "":
        return {"text": "–"}
    if isinstance(value, bool):
        return {"text": str(_("Yes") if value else _("No"))}
    if isinstance(value, dt.datetime):
        return {"text": formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")}
    if isinstance(value, dt.date):
        return {"text": formats.date_format(value, "DATE_FORMAT")}
    if isinstance(value, float | Decimal):
        return {"text": formats.number_format(value, use_l10n=True)}
    return {"text": str(value)}


def export_html(data: dict[str, Any], language: str = "sv") -> str:
    """The same export as a page a person can read (no script, no style from outside)."""
    names = {cat.key: cat.label for cat in categories()}
    with translation.override(language):
        shown = {
            "person": data["person"],
            "exported_at": data["exported_at"],
            "categories": {
                key: {
                    "label": str(names.get(key, c["label"])),
                    "rows": [_display(row) for row in c["rows"]],
                }
                for key, c in data["categories"].items()
            },
        }
        return render_to_string(
            "privacy/export_document.html", {"data": shown, "LANGUAGE_CODE": language}
        )


@transaction.atomic
def person_erase(
    *, actor: Any, user: Any, dry_run: bool = False, practice: Practice | None = None
) -> dict[str, int]:
    """Remove or pseudonymize everything about ``user`` (GDPR Art. 17), category by category,
    the account itself last. What the law requires stays: issued invoices keep the buyer and
    the supervisor as invoiced; audit events hold only ids, so the chain still verifies.
    ``practice``: the practice whose admin erased the person from its page (for its log)."""
    touched: dict[str, int] = {}
    subject_pk = user.pk
    with scopes_disabled():
        for cat in categories():
            if cat.erase is None:
                continue
            if dry_run:
                touched[cat.key] = erasure_count(cat, user)
                continue
            touched[cat.key] = cat.erase(user)
        if not dry_run:
            audit(
                actor,
                "privacy.person.erased",
                None,
                # Admins read the log: how many private notes or journal entries the person
                # had is theirs (the protected room), so those counts are left out.
                {"user": subject_pk, "rows": _open_counts(touched)},
                practice=practice,
                subjects=[subject_pk],
            )
    return touched


def _open_counts(touched: dict[str, int]) -> dict[str, int]:
    encrypted = {c.key for c in categories() if c.encrypted}
    return {k: v for k, v in touched.items() if k not in encrypted}


def erasure_count(cat: Category, user: Any) -> int:
    """How many of the person's rows of this kind an erasure would touch (scopes disabled)."""
    if cat.count is not None:
        return cat.count(user)
    return len(cat.export(user, False)) if cat.export else 0


@dataclass(frozen=True)
class ErasureLine:
    category: Category
    # None for the protected room's encrypted texts: even how many a person wrote is theirs.
    count: int | None


def person_practice_ids(user: Any) -> set[int]:
    """Every practice where the person has rows of some kind the registry knows."""
    found: set[int] = set()
    with scopes_disabled():
        for cat in categories():
            if cat.practices is not None:
                found |= cat.practices(user)
    return found


@dataclass(frozen=True)
class RetentionLine:
    practice: Practice | None
    category: Category
    days: int | None
    count: int


def retention_days(practice: Practice, cat: Category) -> int | None:
    """The practice's rule for a kind of record, or the kind's default."""
    assert cat.retention is not None
    if cat.retention.days_of is not None:
        with scope(practice=practice):
            return cat.retention.days_of(practice)
    with scope(practice=practice):
        rule = RetentionRule.objects.filter(practice=practice, kind=cat.key).first()
    return rule.days if rule is not None else cat.retention.default_days


@transaction.atomic
def retention_rules_set(*, actor: Any, practice: Practice, days: dict[str, int | None]) -> None:
    """Save the practice's retention rule per kind (None: kept until deleted by hand)."""
    with scope(practice=practice):
        for cat in retention_categories():
            if cat.key not in days:
                continue
            assert cat.retention is not None
            if cat.retention.set_days is not None:
                cat.retention.set_days(practice, days[cat.key])
                continue
            RetentionRule.objects.update_or_create(
                practice=practice, kind=cat.key, defaults={"days": days[cat.key]}
            )
    audit(actor, "privacy.retention.updated", practice, {"kinds": sorted(days)})


def retention_apply(*, dry_run: bool, now: dt.datetime | None = None) -> list[RetentionLine]:
    """Delete (or, with ``dry_run``, count) the records past each practice's retention rules.
    Run daily by the task worker (privacy/tasks.py) or `manage.py apply_retention`."""
    now = now or clock.now()
    lines: list[RetentionLine] = []
    practices = list(Practice.objects.order_by("pk"))
    for cat in retention_categories():
        assert cat.retention is not None
        if cat.retention.prune_before is not None:
            rules = [retention_days(p, cat) for p in practices]
            if not rules or any(d is None for d in rules):
                continue  # someone keeps it all: nothing of a shared chain may go
            longest = max(d for d in rules if d is not None)
            with transaction.atomic(), scopes_disabled():
                count = cat.retention.prune_before(now - dt.timedelta(days=longest), dry_run)
            lines.append(RetentionLine(None, cat, longest, count))
            continue
        for practice in practices:
            days = retention_days(practice, cat)
            if days is None:
                continue
            with transaction.atomic(), scope(practice=practice):
                expired = cat.retention.expired(practice, now - dt.timedelta(days=days))
                if dry_run:
                    count = expired.count()
                elif cat.retention.purge is not None:
                    count = cat.retention.purge(expired)
                else:
                    count = expired.delete()[0]
                if count and not dry_run:
                    audit(
                        None,
                        "privacy.retention.applied",
                        practice,
                        {"kind": cat.key, "rows": count},
                    )
            lines.append(RetentionLine(practice, cat, days, count))
    return lines


# --- people without a login ----------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """Someone known only by an e-mail address: an inquiry's sender, a course registrant, a
    mentoring sign-up, a visitor who booked a first talk. Only the kinds that find their rows
    by address (Category.by_address) are asked about them."""

    email: str
    pk: None = None


def address_categories() -> list[Category]:
    return [c for c in categories() if c.by_address]


def address_practice_ids(email: str) -> set[int]:
    found: set[int] = set()
    with scopes_disabled():
        for cat in address_categories():
            if cat.practices is not None:
                found |= cat.practices(Address(email))
    return found


@transaction.atomic
def address_erase(
    *, actor: Any, email: str, practice: Practice | None, dry_run: bool = False
) -> dict[str, int]:
    """Erase what is kept about an address that has no login (GDPR Art. 17), the same way as
    for a person with one. The audit event holds the counts, never the address."""
    touched: dict[str, int] = {}
    with scopes_disabled():
        for cat in address_categories():
            if cat.erase is not None:
                touched[cat.key] = (
                    erasure_count(cat, Address(email)) if dry_run else cat.erase(Address(email))
                )
    if dry_run:
        return touched
    audit(actor, "privacy.address.erased", None, {"rows": touched}, practice=practice)
    return touched


# --- erasure from one practice's page --------------------------------------------------------
#
# A practice's admin erases what the person has in that practice, and nothing else: every kind
# is erased and counted inside the practice's scope, so the tenancy guard keeps each query to
# the practice's rows. Nothing the page shows or does depends on what other practices keep:
# a person with a login and an address without one get the same page, and an address known
# only elsewhere is as unknown as one known nowhere. Erasing a person everywhere is the
# operator's (manage.py erase_person).


def practice_subject(practice: Practice, email: str) -> Any | None:
    """The person (their login) or the bare address that has rows in this practice; None when
    the practice keeps nothing about the address, whatever other practices keep."""
    from bollplank.accounts.models import User  # a floor below: the login an address belongs to

    email = email.strip()
    if not email or control_characters_in(email, multiline=False):
        return None  # no address holds one (and PostgreSQL refuses a NUL in a query)
    with scopes_disabled():
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is not None:
            return user if practice.pk in person_practice_ids(user) else None
    return Address(email) if practice.pk in address_practice_ids(email) else None


def _kinds_for(subject: Any) -> list[Category]:
    kinds = categories() if subject.pk is not None else address_categories()
    return [c for c in kinds if c.erase is not None]


def _count_here(cat: Category, subject: Any, practice: Practice) -> int:
    if subject.pk is None and not cat.by_address:
        return 0
    with scope(practice=practice):
        if cat.count_in_practice is not None:
            return cat.count_in_practice(subject, practice)
        return erasure_count(cat, subject)


def practice_erasure_preview(practice: Practice, subject: Any) -> list[ErasureLine]:
    """What erasing ``subject`` from this practice would touch, per kind: every kind that can
    be erased is listed, for a login and a bare address alike, counted in this practice only."""
    return [
        ErasureLine(cat, None if cat.encrypted else _count_here(cat, subject, practice))
        for cat in categories()
        if cat.erase is not None
    ]


@transaction.atomic
def practice_erase(*, actor: Any, practice: Practice, subject: Any) -> dict[str, int]:
    """Erase what this practice keeps about ``subject`` (a login or an ``Address``): its rows
    of every kind, the person's roles and invitations here, their tokens for this practice.
    Other practices' rows are not touched. An account with nothing left in any practice is
    erased as a whole (it serves no one any more); an operator's account never is."""
    touched: dict[str, int] = {}
    for cat in _kinds_for(subject):
        with scope(practice=practice):
            if cat.erase_in_practice is not None:
                touched[cat.key] = cat.erase_in_practice(subject, practice)
            else:
                assert cat.erase is not None
                touched[cat.key] = cat.erase(subject)
    subjects = []
    if subject.pk is not None:
        subjects = [subject.pk]
        subject.refresh_from_db()
        if not person_practice_ids(subject) and not (subject.is_staff or subject.is_superuser):
            # Not in the practice's log: whether the account went too would tell its admins
            # that no other practice knows the person.
            person_erase(actor=actor, user=subject)
    shown = {c.key: touched.get(c.key, 0) for c in categories() if c.erase is not None}
    audit(
        actor,
        "privacy.practice.erased",
        None,
        # The same keys for a login and a bare address, and no count of the protected room's
        # texts: the log (read by admins) tells neither.
        {"rows": _open_counts(shown)},
        practice=practice,
        subjects=subjects,
    )
    return touched
