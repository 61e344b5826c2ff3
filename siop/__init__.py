"""SIOP project package: settings, URL routing and the Celery application."""

from siop.celery import app as celery_app

__all__ = ["celery_app"]
