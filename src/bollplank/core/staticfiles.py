"""collectstatic leaves out what no page loads from the front-end packages (STATICFILES_DIRS):
their unminified and module-format copies, type definitions, axe-core's translations and
release history. Every deployment (and every bench run) would otherwise copy, hash and
compress them."""

from typing import Any

from django.contrib.staticfiles.finders import FileSystemFinder

# Matched against each file's and folder's own name (a package mapped under a prefix, as
# vendor/axe is, is walked from its own folder).
NEVER_SERVED = [
    "*.d.ts",
    "*.amd.js",
    "*.cjs.js",
    "*.esm.js",
    "*.js.gz",
    "htmx.js",
    "ext",
    "axe.js",
    "gather-internals.js",
    "locales",
    "sri-history.json",
    "package.json",
    "README.md",
]


class PackagesFinder(FileSystemFinder):
    """Django's finder of STATICFILES_DIRS, listing without what no page loads. Finding one file
    by name (the development server) is unchanged."""

    def list(self, ignore_patterns: Any) -> Any:
        return super().list([*(ignore_patterns or []), *NEVER_SERVED])
