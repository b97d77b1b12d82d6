from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "apps.creators"
    label = "creators"
    verbose_name = "Creators"
