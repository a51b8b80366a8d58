"""The clients tests' real OpenID Connect provider (the accounts tests' one)."""

from tests.accounts.conftest import oidc

__all__ = ["oidc"]
