"""django.contrib.admin with the product's admin site (config/admin_site.py) as ``admin.site``.

Kept apart from the site itself: an app configuration is imported while the app
registry loads, before any model may be, and the site imports the audit log's models.
"""

from django.contrib.admin.apps import AdminConfig


class YiyangAdminConfig(AdminConfig):
    default_site = "config.admin_site.YiyangAdminSite"
