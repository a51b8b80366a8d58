import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bollplank.settings")
application = get_wsgi_application()

# A wrong or missing key for the confidential texts stops the server here, with a clear
# message, instead of serving pages that cannot be read.
from django.db import connections  # noqa: E402

from bollplank.records.keys import verify_keys  # noqa: E402

verify_keys()
# Kept connections (CONN_MAX_AGE) must not outlive this check: with `gunicorn --preload` every
# worker would inherit this one, and an SQLite connection must not cross a fork.
connections.close_all()
