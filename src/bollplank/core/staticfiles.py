"""collectstatic leaves out what no page loads: the front-end packages' unminified and
module-format copies, type definitions, axe-core's translations and release history. Every
deployment (and every bench run) would otherwise copy, hash and compress them."""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig

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


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, *NEVER_SERVED]
