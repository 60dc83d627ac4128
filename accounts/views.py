from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_htmx.middleware import HtmxDetails

from .context_processors import _existing_entries
from .forms import AccountForm, SignupForm
from .models import User, account_created


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Send the user to the first task in the navigation."""
    entries = _existing_entries()
    return redirect(entries[0]["url"] if entries else "accounts:account")


def signup(request: HttpRequest) -> HttpResponse:
    if not settings.SIGNUP_ENABLED:
        return render(request, "accounts/signup_closed.html", status=403)
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            user = form.save(commit=False)
            user.language = translation.get_language() or settings.LANGUAGE_CODE
            user.save()
            account_created.send(sender=User, user=user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Jinmyaku. Your account is ready."))
            return redirect("home")
    else:
        form = SignupForm()
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = AccountForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your account was saved."))
            return redirect("accounts:account")
    else:
        form = AccountForm(instance=request.user)
    return render(request, "accounts/account.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language and remember it on the account."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=code)
    return response
