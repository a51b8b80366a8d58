"""Reading PostgreSQL's ``timestamptz`` values with psycopg's compiled parser.

Django registers its own loader for ``timestamptz`` on every PostgreSQL connection: a Python
subclass of psycopg's pure-Python loader, which parses each value's text with a regular
expression and then labels the result with the connection's time zone. psycopg's compiled
loader (psycopg-binary, in requirements.txt) parses the same text about ten times faster but
cannot be subclassed. Every meeting carries four date-times, and a calendar feed reads a year
of meetings: parsing them was a fifth of the feed's time on PostgreSQL.

So each new connection gets a loader that parses with the compiled loader and labels the
result exactly as Django's does (``replace(tzinfo=...)`` with Django's time zone for the
connection), and carries the ``timezone`` attribute Django compares when it makes a cursor,
so that Django keeps it instead of registering its own again. The values are the same, down
to the tzinfo object (tests/core/test_pgtime.py). Without psycopg-binary the compiled loader
is psycopg's Python one, and this changes nothing but who calls it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.db.backends.signals import connection_created
from psycopg import abc, adapters
from psycopg.adapt import Loader
from psycopg.postgres import types
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader as PythonTimestamptzLoader

# psycopg's own loader for timestamptz text: the compiled one where psycopg-binary is there.
_COMPILED: type[abc.Loader] = (
    adapters.get_loader(types["timestamptz"].oid, Format.TEXT) or PythonTimestamptzLoader
)


class TimestamptzLoader(Loader):
    # Read by Django's DatabaseWrapper.create_cursor: a loader whose timezone differs from the
    # connection's is replaced, for that cursor, by Django's own.
    timezone: dt.tzinfo | None = dt.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._parse = _COMPILED(oid, context).load

    def load(self, data: Any) -> dt.datetime:
        value: dt.datetime = self._parse(data)
        # The compiled loader labels the value with the session's zone, which Django sets to
        # its own: relabel only where the two differ, as Django's loader does every time.
        if value.tzinfo is self.timezone:
            return value
        return value.replace(tzinfo=self.timezone)


@lru_cache(maxsize=8)
def loader_for(timezone: dt.tzinfo | None) -> type[TimestamptzLoader]:
    """The loader that gives what Django's loader for ``timezone`` gives: the instant, with
    ``timezone`` as its tzinfo (None: naive)."""
    return type("TimestamptzLoader", (TimestamptzLoader,), {"timezone": timezone})


def install() -> None:
    """Give every new PostgreSQL connection the faster loader (from CoreConfig.ready)."""
    connection_created.connect(_on_connection, dispatch_uid="core.pgtime")


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        loader = loader_for(connection.timezone)
        connection.connection.adapters.register_loader("timestamptz", loader)
