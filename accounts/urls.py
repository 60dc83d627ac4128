from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("login/verify/passkey/", views.login_verify_passkey, name="login_verify_passkey"),
    path("login/verify/passkey/options/", views.login_passkey_options, name="login_passkey_options"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("", views.account, name="account"),
    path("language/", views.set_language, name="set_language"),
    path("two-factor/", views.two_factor_status, name="two_factor"),
    path("two-factor/enable/", views.two_factor_enable, name="two_factor_enable"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("two-factor/passkeys/", views.passkey_add, name="passkey_add"),
    path("two-factor/passkeys/options/", views.passkey_options, name="passkey_options"),
    path("two-factor/passkeys/<int:pk>/remove/", views.passkey_remove, name="passkey_remove"),
    path("two-factor/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path(
        "password/",
        views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
