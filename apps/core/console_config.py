"""Installs the operator console as the admin site (``INSTALLED_APPS`` names this config).

A module of its own because ``INSTALLED_APPS`` imports it before the models are ready; the site
itself lives in ``apps/core/console.py`` and is imported by the admin's ``ready()``.
"""

from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    default_site = "apps.core.console.ConsoleAdminSite"
