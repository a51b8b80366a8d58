"""PostgreSQL date-times are read with psycopg's compiled parser (core/pgtime.py) and come
out exactly as Django's own loader gives them: the same instants, the same tzinfo object."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.postgres import types
from psycopg.pq import Format

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loader"),
    pytest.mark.django_db,
]

TIMESTAMPTZ = types["timestamptz"].oid

# Written as PostgreSQL text: Stockholm's daylight-saving changes, fractions of a second,
# the first and last days Python can hold in every zone, a leap day, before 1970.
VALUES = [
    "2027-03-28 00:59:59.999999+00",
    "2027-03-28 01:00:00+00",
    "2027-10-31 00:30:00+00",
    "2027-10-31 01:30:00.5+00",
    "2028-02-29 23:59:59+01",
    "1969-12-31 23:59:59.000001+00",
    "0001-01-02 00:00:00+00",
    "9999-12-30 23:59:59.999999+00",
    "2026-12-07 10:00:00+05:30",
]
SELECT = " UNION ALL ".join(f"SELECT '{value}'::timestamptz" for value in VALUES)


def _read(raw: psycopg.Connection, loader_timezone: dt.tzinfo | None = None) -> list:
    cursor = raw.cursor()
    if loader_timezone is not None:
        # Django's own loader, as Django registers it on a cursor.
        register_tzloader(loader_timezone, cursor)
    return [row[0] for row in cursor.execute(SELECT).fetchall()]


def test_connections_read_date_times_with_the_compiled_parser():
    from bollplank.core.pgtime import TimestamptzLoader

    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert issubclass(loader, TimestamptzLoader)
    # Django keeps it: its cursors replace a loader whose zone differs from the connection's.
    assert loader.timezone is connection.timezone
    with connection.cursor() as cursor:
        cursor.execute("SELECT '2027-03-28 01:00:00.25+00'::timestamptz")
        (value,) = cursor.fetchone()
    assert value == dt.datetime(2027, 3, 28, 1, 0, 0, 250000, tzinfo=dt.UTC)
    assert value.tzinfo is dt.UTC


@pytest.mark.parametrize("session_zone", ["UTC", "Europe/Stockholm", "America/St_Johns"])
@pytest.mark.parametrize("django_zone", [dt.UTC, None])
def test_the_values_are_what_djangos_loader_gives(session_zone, django_zone):
    from bollplank.core.pgtime import loader_for

    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute(f"SET TIME ZONE '{session_zone}'")
    try:
        djangos = _read(raw, loader_timezone=django_zone or dt.UTC)
        if django_zone is None:
            djangos = [value.replace(tzinfo=None) for value in djangos]
        cursor = raw.cursor()
        cursor.adapters.register_loader("timestamptz", loader_for(django_zone))
        ours = [row[0] for row in cursor.execute(SELECT).fetchall()]
    finally:
        with raw.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert ours == djangos
    assert [value.tzinfo for value in ours] == [value.tzinfo for value in djangos]
    assert all(value.tzinfo is django_zone for value in ours)
