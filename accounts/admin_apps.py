from django.contrib.admin.apps import AdminConfig


class JinmyakuAdminConfig(AdminConfig):
    """Django's admin, with the site that signs in through the app's login page (accounts/admin_site.py)."""

    default_site = "accounts.admin_site.AdminSite"
