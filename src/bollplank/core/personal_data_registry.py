"""The registry of personal data: every app says what it keeps about people, and the privacy app
builds the export (GDPR Art. 15, 20), the erasure (Art. 17), the retention run and the record of
processing activities (Art. 30) from it. It is on the ground floor so that every app can
register its data without importing the privacy app above it.

An app plugs in with a module ``personal_data.py`` beside its models that calls ``register``
(core imports every such module when Django starts, core/apps.py)::

    from bollplank.core.personal_data_registry import Category, Retention, register

    register(Category(
        key="courses.registrations",
        label=_("course registrations"),
        purpose=_("to run courses and invoice them"),
        legal_basis=_("contract (Art. 6.1 b)"),
        subjects=_("course participants"),
        recipients=_("the practice; the client organisation for its staff"),
        export=lambda user, confidential: [...],   # plain JSON-able dicts about that person
        erase=lambda user: count,                   # remove or pseudonymize; rows touched
        retention=Retention(expired=lambda practice, cutoff: queryset_older_than_cutoff),
    ))

Rules: ``export`` returns only what is about that person, across every practice (the caller
has disabled scopes), and decrypts confidential text only when ``confidential`` is true (the
person asking for their own data). ``erase`` keeps what the law requires (issued invoices) and
never edits audit events: those hold ids only, so pseudonymizing the person's row is enough.
``count`` and ``practices`` serve the erasure pages: how many rows, and in which practices.
A practice's admin erases only what the person has in that practice (``erase`` and ``count``
run inside its scope, or ``erase_in_practice``); erasing everywhere is the operator's.
``Retention.expired`` returns a queryset of the practice's rows older than the cutoff; the
retention run deletes them (or calls ``purge`` when deleting needs more care).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

Text = str | Promise


@dataclass(frozen=True)
class Retention:
    """How long a kind of record may be kept, and how to find the rows past it."""

    expired: Callable[[Any, dt.datetime], QuerySet[Any]]
    # Days kept when the practice has not decided; None keeps them until deleted by hand.
    default_days: int | None = None
    # The least the practice may choose (e.g. what bookkeeping law requires).
    minimum_days: int = 1
    # Delete the expired rows in a special way; by default ``queryset.delete()``.
    purge: Callable[[QuerySet[Any]], int] | None = None
    # For records shared by every practice in one chain (the audit log): called once with the
    # earliest cutoff of all practices, so that nothing a practice still keeps goes.
    prune_before: Callable[[dt.datetime, bool], int] | None = None
    # The most the practice may choose.
    maximum_days: int = 100 * 365
    # False: the practice must choose a number of days (the kind may not be kept forever).
    keep_allowed: bool = True
    # Where the practice's choice is kept when its app already keeps it (e.g. the directory's
    # page settings): read and write it there, so that there is one setting, not two.
    days_of: Callable[[Any], int | None] | None = None
    set_days: Callable[[Any, int | None], None] | None = None


@dataclass(frozen=True)
class Category:
    """One kind of personal data: a row in the record of processing activities."""

    key: str
    label: Text
    purpose: Text
    legal_basis: Text
    subjects: Text
    recipients: Text
    export: Callable[[Any, bool], list[dict[str, Any]]] | None = None
    erase: Callable[[Any], int] | None = None
    retention: Retention | None = None
    # Erasure runs in this order (the person's own account row last).
    order: int = 50
    encrypted: bool = False
    # What erasure does with this kind, in a sentence for the admin's preview.
    erasure: Text = ""
    # How many of the person's rows erasure would touch (default: the export's rows).
    count: Callable[[Any], int] | None = None
    # The ids of the practices where the person has rows of this kind: erasure from a
    # practice's page is refused when the person has rows elsewhere.
    practices: Callable[[Any], set[int]] | None = None
    # Rows are found by the e-mail address alone (``user.email``; nothing else of the user is
    # read): such kinds also serve people without a login (services.Address).
    by_address: bool = False
    # Erasure from one practice's page (privacy.services.practice_erase) runs ``erase`` and
    # ``count`` inside that practice's scope, so the tenancy guard keeps them to its rows. A
    # kind whose rows are not all practice-owned (the account itself, e-mail choices) says
    # here what erasing from one practice does instead: (person, practice) -> rows.
    erase_in_practice: Callable[[Any, Any], int] | None = None
    count_in_practice: Callable[[Any, Any], int] | None = None
    # What ``erase_in_practice`` does, for the preview (default: ``erasure``).
    erasure_in_practice: Text = ""
    extra: dict[str, Any] = field(default_factory=dict)


_CATEGORIES: dict[str, Category] = {}


def register(category: Category) -> Category:
    """Add a category; registering the same key twice is a mistake and raises."""
    if category.key in _CATEGORIES and _CATEGORIES[category.key] != category:
        raise ValueError(f"personal-data category {category.key!r} is registered twice")
    _CATEGORIES[category.key] = category
    return category


def categories() -> list[Category]:
    """Every registered category, in erasure order."""
    return sorted(_CATEGORIES.values(), key=lambda c: (c.order, c.key))


def retention_categories() -> list[Category]:
    return [c for c in categories() if c.retention is not None]


def category(key: str) -> Category:
    return _CATEGORIES[key]
