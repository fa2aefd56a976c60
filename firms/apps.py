from django.apps import AppConfig


class FirmsConfig(AppConfig):
    name = "firms"
    verbose_name = "Firm-level tables"
