"""WSGI entry point (gunicorn siop.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")
application = get_wsgi_application()

# Import every view, and what the views import, while the worker boots rather than on its
# first request: Django loads the URL configuration lazily, so each new gunicorn worker (2-3
# per host, and every restart) otherwise charged its first user about 0.5 s of imports -- the
# one 413 ms demand-review sample of a 10,000-SKU walk whose other samples took 24 ms.
get_resolver().reverse_dict  # noqa: B018 (imports the URL configuration and indexes it)
