"""Many practices in one bench database: copies of a generated bench practice.

Generating a practice row by row in Python costs about as much per copy as the first one did;
a national installation of a hundred practices would take most of an hour. A copy made in SQL
(``INSERT … SELECT`` per table) takes a second or two: every row of the source practice is
written again with a new primary key, the practice replaced by the copy, and every reference
to another copied row moved along to that row's copy. So the copies are practices of their own,
sharing no row with the source, and as large as it is.

Only the tables the bench generator fills are copied (people, memberships, clients, contacts,
participants, engagements, group memberships, meetings, attendance); the copier refuses a
source whose rows refer to anything else it would have to copy, and any column that must be
unique gets a fresh value (e-mail addresses, calendar UIDs, video rooms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max, Min
from django_scopes import scopes_disabled

from bollplank.accounts.models import Membership, User
from bollplank.clients.models import ClientContact
from bollplank.core.models import Practice
from bollplank.demo.bench import REST_SLUG, TABLES, reset_sequences
from bollplank.engagements.models import Participant
from bollplank.meetings.models import Meeting

# What the generator fills, in the order the rows refer to each other (a row's references are
# copied before it).
COPIED = TABLES
# Columns that must be unique across the whole table, and how a copy gets its own value. The
# e-mail address gets the copy's slug after the "@" (so it stays readable and unique); the
# calendar UID and the video room are hashes of the source's value and the copy's slug on
# PostgreSQL (the same data every time) and random on SQLite, which has no hash function.
EMAIL = "email"
FRESH: dict[tuple[type[models.Model], str], dict[str, str]] = {
    (User, "email"): {"any": EMAIL},
    (ClientContact, "email"): {"any": EMAIL},
    (Participant, "email"): {"any": EMAIL},
    (Meeting, "uid"): {
        "postgresql": "md5(uid::text || %s)::uuid",
        "sqlite": "lower(hex(randomblob(16)))",
    },
    (Meeting, "video_room"): {
        "postgresql": "md5(video_room || %s)",
        "sqlite": "lower(hex(randomblob(16)))",
    },
}
COPY_PREFIX = "bench-copy-"


@dataclass(frozen=True)
class Copied:
    """How a practice was copied: the new practice and the rows per table."""

    practice: Practice
    rows: dict[str, int]


def copy_slug(number: int) -> str:
    """The slug of the copy with this number (1, 2, …)."""
    return f"{COPY_PREFIX}{number:03d}"


def _source_rows(model: type[models.Model], source: Practice) -> models.QuerySet[models.Model]:
    manager = model._default_manager
    if model is User:
        return manager.filter(memberships__practice=source).distinct()
    return manager.filter(practice=source)


def _check_columns(model: type[models.Model], source: Practice) -> None:
    """Refuse what the copier cannot copy faithfully: a unique column without a fresh value,
    or a reference (other than to the practice) to a table that is not copied."""
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.unique and (model, field.name) not in FRESH:
            raise ValueError(f"{model._meta.label}.{field.name} is unique; no fresh value known.")
        target = field.related_model
        if not field.is_relation or target is Practice or target in COPIED:
            continue
        filled = _source_rows(model, source).filter(**{f"{field.name}__isnull": False})
        if filled.exists():
            raise ValueError(
                f"{model._meta.label}.{field.name} refers to {target._meta.label}, "  # type: ignore[union-attr]
                "which is not copied."
            )


def _offsets(source: Practice) -> dict[type[models.Model], int]:
    """Per table, what a copied row's id adds: the copies land above every id in the table,
    so no copied id can meet an existing one, and a reference moves by its table's offset."""
    offsets = {}
    for model in COPIED:
        top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
        low = _source_rows(model, source).aggregate(low=Min("pk"))["low"] or 0
        offsets[model] = top + 1 - low
    return offsets


def _select_list(
    model: type[models.Model],
    practice: Practice,
    offsets: dict[type[models.Model], int],
) -> tuple[list[str], list[str], list[Any]]:
    """The columns of ``model``, the expressions that make the copy of each, and their
    parameters."""
    quote = connection.ops.quote_name
    vendor = connection.vendor
    columns: list[str] = []
    expressions: list[str] = []
    params: list[Any] = []
    for field in model._meta.concrete_fields:
        column = quote(field.column)
        columns.append(column)
        fresh = FRESH.get((model, field.name))
        if field.primary_key:
            expressions.append(f"{column} + %s")
            params.append(offsets[model])
        elif fresh is not None:
            sql = fresh.get(vendor, fresh.get("any", ""))
            if sql == EMAIL:
                expressions.append(f"REPLACE({column}, '@', %s)")
                params.append(f"@{practice.slug}.")
            else:
                expressions.append(sql)
                params += [practice.slug] * sql.count("%s")
        elif field.is_relation and field.related_model is Practice:
            expressions.append("%s")
            params.append(practice.pk)
        elif field.is_relation:
            # NULL stays NULL; a reference moves to the copy of the row it referred to.
            expressions.append(f"{column} + %s")
            params.append(offsets[field.related_model])  # type: ignore[index]
        else:
            expressions.append(column)
    return columns, expressions, params


def copy_practice(*, source: Practice, slug: str, name: str) -> Copied:
    """A new practice ``slug`` holding a copy of every bench row of ``source``, in one
    transaction. The copy's people get their own accounts (the source's e-mail addresses with
    the copy's slug after the "@") and the same published bench password."""
    rows: dict[str, int] = {}
    with scopes_disabled(), transaction.atomic():
        for model in COPIED:
            _check_columns(model, source)
        settings_fields = {
            f.attname: getattr(source, f.attname)
            for f in Practice._meta.concrete_fields
            if not f.primary_key and f.name not in ("slug", "name", "created_at")
        }
        practice = Practice.objects.create(slug=slug, name=name, **settings_fields)
        offsets = _offsets(source)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in COPIED:
                table = quote(model._meta.db_table)
                columns, expressions, params = _select_list(model, practice, offsets)
                if model is User:
                    # A person belongs to the practice through a membership.
                    memberships = quote(Membership._meta.db_table)
                    where = f"id IN (SELECT user_id FROM {memberships} WHERE practice_id = %s)"  # noqa: S608  (a table name from the model)  # nosec B608
                else:
                    where = "practice_id = %s"
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608  (names from the models; values as parameters)  # nosec B608
                    f"SELECT {', '.join(expressions)} FROM {table} WHERE {where}",
                    [*params, source.pk],
                )
                rows[model._meta.label] = cursor.rowcount
        reset_sequences()
    return Copied(practice=practice, rows=rows)


def fill_practices(
    *,
    total: int,
    source_slug: str = REST_SLUG,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Copy ``source_slug`` until the database holds ``total`` practices (the bench's two and
    ``total - 2`` copies). Copies there already are kept, so an interrupted fill goes on where
    it stopped; each copy is a transaction of its own. Returns the copies made."""
    say = progress or (lambda _msg: None)
    made = 0
    with scopes_disabled():
        source = Practice.objects.get(slug=source_slug)
        existing = set(Practice.objects.values_list("slug", flat=True))
    others = len(existing) - sum(1 for s in existing if s.startswith(COPY_PREFIX))
    for number in range(1, total - others + 1):
        slug = copy_slug(number)
        if slug in existing:
            continue
        copied = copy_practice(source=source, slug=slug, name=f"Bench kopia {number}")
        made += 1
        say(f"{slug}: {sum(copied.rows.values())} rows")
    # Fresh table statistics, as a maintained database has them (the generator does the same).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made
