"""How a service enqueues its app's tasks: by reference, the task's dotted path.

A task module imports its app's services, which hold the work it runs; the services only name
the tasks they enqueue. The import then goes one way (``<app>.tasks`` → ``<app>.services``) and
neither module needs the other while it is being imported."""

from __future__ import annotations

from typing import Any, cast

from django.utils.module_loading import import_string
from django_tasks.base import Task


def task_at(path: str) -> Task[..., Any]:
    """The task at ``path`` (``"bollplank.<app>.tasks.<name>"``), looked up when it is enqueued
    (so a test that replaces the task in its module is heard)."""
    return cast("Task[..., Any]", import_string(path))
