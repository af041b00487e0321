# Loading the Celery app with Django makes @shared_task bind to it.
from config.celery_app import app as celery_app

__all__ = ("celery_app",)
