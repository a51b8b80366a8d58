from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top floor's pages: each role's start page, the practice settings and the pages
    every site needs (errors, accessibility)."""

    name = "bollplank.home"
    label = "home"
