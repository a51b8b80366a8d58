"""The JSON API's plumbing: token authentication, the practice scope, errors, paging.

Every operation runs inside the scope of the token's practice, in its time zone, acting as the
token's person with their roles there — the same selectors and services as the screens, so
the API can never see or do more than the person could on a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope
from ninja import Query, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from bollplank.api.models import ApiToken
from bollplank.api.services import token_authenticate
from bollplank.core.models import Practice
from bollplank.core.roles import STAFF_ROLES
from bollplank.core.tenancy import roles_in, second_factor_missing
from bollplank.core.validators import validate_no_control_characters

# Database ids are 32-bit on every backend we run; larger ones cannot exist (and would overflow).
MAX_ID = 2**31 - 1
MAX_PAGE = 100
MAX_OFFSET = 1_000_000


# What a one-line text may hold, as the spec says it (JSON Schema, ECMA regex): no control
# characters. The check itself is core.validators' (Strict below), with a clear message.
ONE_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$"
MULTI_LINE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"


def _multiline(field: Any) -> bool:
    extra = field.json_schema_extra if field is not None else None
    return isinstance(extra, dict) and bool(extra.get("x-multiline"))


def _spec_says_what_is_accepted(schema: dict[str, Any], model: type[Any]) -> None:
    """Every text property of an input schema states the characters it accepts, so that the
    spec does not allow what the API then refuses; an e-mail property says it is one."""
    for name, prop in schema.get("properties", {}).items():
        field = model.model_fields.get(name)
        pattern = MULTI_LINE_PATTERN if _multiline(field) else ONE_LINE_PATTERN
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("type") == "string" and "format" not in option:
                option.setdefault("pattern", pattern)
                if name == "email":
                    option["format"] = "email"


class Strict(Schema):
    """Input: unknown fields are refused, not silently dropped (a typo must not pass), and
    text holding control characters is refused at the edge with 422 naming the field (the
    same check as every form's, core.validators). Every text the API takes is one line; a
    field that may hold line breaks says so with ``json_schema_extra={"x-multiline": True}``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_spec_says_what_is_accepted)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            field = cls.model_fields[info.field_name] if info.field_name else None
            try:
                validate_no_control_characters(value, multiline=_multiline(field))
            except DjangoValidationError as exc:
                raise ValueError(f"{info.field_name}: {exc.messages[0]}") from None
        return value


class ErrorOut(Schema):
    detail: Any


# What a write can answer besides its success: refused (400), no or a wrong token (401), a
# read-only token (403), not found or not theirs (404), input that breaks the schema (422).
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


class Paging(Schema):
    limit: int = Field(20, ge=1, le=MAX_PAGE, description="Rows per page, 1–100.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")


PagingQuery = Annotated[Paging, Query()]


@dataclass
class Acting:
    user: Any
    practice: Practice
    roles: frozenset[str]
    token: ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer bp_…``. The token was looked up by ``in_practice`` (which had to
    know the practice before the operation ran); here we only accept or refuse it."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return getattr(request, "api_token", None)


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    kind, _sep, secret = header.partition(" ")
    return secret.strip() if kind.lower() == "bearer" else ""


def in_practice(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an operation (authentication, parsing, handler and serialisation) in the token's
    practice: its scope, its time zone, and the person's language."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        token = token_authenticate(_bearer(request)) if _bearer(request) else None
        roles = roles_in(token.user, token.practice) if token else frozenset()
        # A person who has left the practice keeps no access through an old token.
        request.api_token = token if roles else None  # type: ignore[attr-defined]
        if request.api_token is None:  # type: ignore[attr-defined]
            return run(request, *args, **kwargs)
        assert token is not None
        if second_factor_missing(token.user, [(token.practice, roles)]):
            # A token made before the practice required two-factor login must not outlive the
            # rule: the same rule as the practice's pages, answered in the API's own terms.
            detail = _(
                "Your practice requires two-factor login. Set it up in Bollplank; until then "
                "your API tokens are refused for this practice."
            )
            return JsonResponse({"detail": detail}, status=403)
        request.api_acting = Acting(token.user, token.practice, roles, token)  # type: ignore[attr-defined]
        language = getattr(token.user, "language", "") or translation.get_language()
        with (
            scope(practice=token.practice),
            timezone.override(token.practice.timezone),
            translation.override(language),
        ):
            return run(request, *args, **kwargs)

    return wrapped


def acting(request: HttpRequest, *, write: bool = False, staff: bool = False) -> Acting:
    """Who acts. ``write``: the token must allow writing. ``staff`` (or ``write``): act in the
    capacity of practice admin or supervisor only, like the screens that change things."""
    found: Acting = request.api_acting  # type: ignore[attr-defined]
    if write and not found.token.can_write:
        raise HttpError(403, _("This token may only read."))
    if write or staff:
        roles = found.roles & STAFF_ROLES
        if not roles:
            raise HttpError(403, _("Only practice admins and supervisors may do this."))
        return Acting(found.user, found.practice, frozenset(roles), found.token)
    return found


class Refused(Exception):
    """A service said no: answered 400 with its messages per field (see api.api)."""

    def __init__(self, detail: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.detail = detail


def checked(call: Callable[[], Any]) -> Any:
    """Run a service; its ValidationError becomes a 400 with the messages per field."""
    try:
        return call()
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise Refused(detail) from exc


def page(qs: Any, paging: Paging) -> dict[str, Any]:
    """One page of a query: ``count`` of all rows and the ``items`` of this page."""
    return {
        "count": qs.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": list(qs[paging.offset : paging.offset + paging.limit]),
    }
