import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bollplank.settings")
application = get_wsgi_application()

# A wrong or missing key for the confidential texts stops the server here, with a clear
# message, instead of serving pages that cannot be read.
from bollplank.records.crypto import verify_keys  # noqa: E402

verify_keys()
