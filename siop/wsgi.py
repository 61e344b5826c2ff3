"""WSGI entry point (gunicorn siop.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "siop.settings")
application = get_wsgi_application()
