"""Log-in, password, switching organisation, and the organisation and staff pages."""

from __future__ import annotations

import uuid
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from casework.accounts.demo import demo_without_two_factor
from casework.accounts.forms import (
    ApiTokenForm,
    EnrolmentForm,
    LoginForm,
    MembershipForm,
    OrganisationForm,
    ProjectForm,
    SecondFactorForm,
    SiteForm,
    StaffCreateForm,
)
from casework.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    Project,
    Site,
    has_second_factor,
)
from casework.accounts.services import (
    SecondFactorRefused,
    change_membership,
    change_password_everywhere,
    confirm_totp_enrolment,
    create_staff_member,
    issue_api_token,
    reset_two_factor,
    revoke_api_token,
    sign_in_paused,
    start_totp_enrolment,
    switch_membership,
    unlock_sign_in,
    verify_second_factor,
)
from casework.audit.mixins import AuditedReadMixin
from casework.core.access import get_visible_or_404, principal_of
from casework.core.http import user_of
from casework.core.roles import Capability
from casework.core.views import AccessMixin, OrgScopedCreateMixin


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_without_two_factor"] = demo_without_two_factor()
        return context


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers while an account or an address is locked out: the login page
    with a message that says neither whether the account exists nor which of the two is
    locked (AXES_LOCKOUT_CALLABLE)."""
    minutes = settings.CASEWORK_LOCKOUT_MINUTES
    if minutes:
        message = _(
            "Signing in is paused after too many failed attempts. Try again in %(n)d "
            "minutes, or ask your organisation's admin to unlock it."
        ) % {"n": minutes}
    else:
        message = _(
            "Signing in is paused after too many failed attempts. Ask your organisation's "
            "admin to unlock it."
        )
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    context = {
        "form": LoginForm(request),
        "locked_out_message": message,
        "demo_without_two_factor": demo_without_two_factor(),
        "next": "",
    }
    return render(request, "accounts/login.html", context, status=429)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return resolve_url("core:home")
    return target


@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(LoginRequiredMixin, View):
    """Guided enrolment: scan the code (or type the secret), confirm a code, keep the recovery
    codes, which are shown this once."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = user_of(request)
        if has_second_factor(user):
            return redirect(f"{reverse('accounts:two-factor-verify')}?{_next_query(request)}")
        return self._page(request, start_totp_enrolment(user), EnrolmentForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user = user_of(request)
        if has_second_factor(user):
            return redirect(f"{reverse('accounts:two-factor-verify')}?{_next_query(request)}")
        device = start_totp_enrolment(user)
        form = EnrolmentForm(request.POST)
        if form.is_valid():
            try:
                codes = confirm_totp_enrolment(user, device, form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                otp_login(request, device)
                context = {"codes": codes, "next": _next_url(request)}
                return render(request, "accounts/two_factor_codes.html", context)
        return self._page(request, device, form)

    def _page(self, request: HttpRequest, device: TOTPDevice, form: EnrolmentForm) -> HttpResponse:
        secret = b32encode(device.bin_key).decode()
        context = {
            "form": form,
            "qr_svg": qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request),
        }
        return render(request, "accounts/two_factor_setup.html", context)


@method_decorator(never_cache, name="dispatch")
class TwoFactorVerifyView(LoginRequiredMixin, FormView):
    """The second step of signing in: a code from the app, or a recovery code."""

    form_class = SecondFactorForm
    template_name = "accounts/two_factor_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not has_second_factor(request.user):
            return redirect(f"{reverse('accounts:two-factor-setup')}?{_next_query(request)}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(next=_next_url(self.request), **kwargs)

    def form_valid(self, form: SecondFactorForm) -> HttpResponse:
        request = self.request
        try:
            device = verify_second_factor(user_of(request), form.cleaned_data["code"])
        except SecondFactorRefused as refused:
            if refused.locked:
                logout(request)
                messages.error(request, refused.message)
                messages.error(
                    request,
                    _(
                        "Too many wrong codes: you have been signed out. Ask your "
                        "organisation's admin to reset your two-factor sign-in if you have "
                        "lost your phone and your recovery codes."
                    ),
                )
                return redirect("accounts:login")
            form.add_error("code", refused.message)
            return self.form_invalid(form)
        otp_login(request, device)
        if isinstance(device, StaticDevice):
            left = device.token_set.count()
            messages.warning(
                request,
                ngettext(
                    "You used a recovery code; %(n)d is left.",
                    "You used a recovery code; %(n)d are left.",
                    left,
                )
                % {"n": left},
            )
        return HttpResponseRedirect(_next_url(request))


def _next_query(request: HttpRequest) -> str:
    return urlencode({"next": _next_url(request)})


def qr_svg(data: str) -> SafeString:
    """A QR code as inline SVG (no image request, no script), for the enrolment page."""
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg.split("?>", 1)[-1].strip()  # without the XML declaration
    return mark_safe(svg)  # noqa: S308  # generated here from our own data


class PasswordChangeView(AccessMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session (update_session_auth_hash)
        change_password_everywhere(
            user_of(self.request), keep_session=self.request.session.session_key
        )
        messages.success(
            self.request,
            _(
                "Your password has been changed; you are signed out everywhere else and your "
                "API tokens have been revoked."
            ),
        )
        return response


@method_decorator(never_cache, name="dispatch")
class ApiTokenListView(AccessMixin, View):
    """One's own API tokens: the list, a new one (its secret shown on this answer only)."""

    template_name = "accounts/api_tokens.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, ApiTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = issue_api_token(
                    user_of(request), name=form.cleaned_data["name"], days=form.cleaned_data["days"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self._page(request, ApiTokenForm(), issued=token, secret=secret)
        return self._page(request, form)

    def _page(self, request: HttpRequest, form: ApiTokenForm, **extra: Any) -> HttpResponse:
        tokens = ApiToken.objects.owned_by(request.user)
        context = {"form": form, "tokens": tokens, **extra}
        return render(request, self.template_name, context)


class ApiTokenRevokeView(AccessMixin, View):
    """Revoke one of one's own tokens, after confirming (another user's token is a 404)."""

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        token = get_object_or_404(ApiToken.objects.owned_by(request.user), pk=pk)
        context = {"token": token, "back": reverse("accounts:tokens")}
        return render(request, "accounts/api_token_revoke.html", context)

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        token = get_object_or_404(ApiToken.objects.owned_by(request.user), pk=pk)
        revoke_api_token(token, by=user_of(request))
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("accounts:tokens")


class SwitchMembershipView(AccessMixin, View):
    """Work as another of one's memberships (another organisation, or the network)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        membership = next(
            (
                m
                for m in principal_of(request.user).memberships
                if str(m.uid) == request.POST.get("membership", "")
            ),
            None,
        )
        if membership is None:
            messages.error(request, _("You have no such membership."))
        else:
            switch_membership(user_of(request), membership)
            messages.success(request, _("You are now working as %(m)s.") % {"m": membership})
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = resolve_url("core:home")
        return HttpResponseRedirect(target)


class OrganisationListView(AccessMixin, ListView):
    capabilities = (Capability.ORG_VIEW,)
    model = Organisation
    template_name = "accounts/organisation_list.html"

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .annotate(
                project_count=Count("project_set", distinct=True),
                site_count=Count("site_set", distinct=True),
            )
        )


class OrganisationDetailView(AccessMixin, DetailView):
    capabilities = (Capability.ORG_VIEW,)
    model = Organisation
    template_name = "accounts/organisation_detail.html"

    def get_queryset(self) -> QuerySet:
        user = self.request.user
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "project_set",
                    queryset=Project.objects.visible_to(user).prefetch_related("sites"),
                    to_attr="visible_projects",
                ),
                Prefetch(
                    "site_set", queryset=Site.objects.visible_to(user), to_attr="visible_sites"
                ),
            )
        )


class MemberListView(AccessMixin, ListView):
    """The staff of the organisation one works in (or the network's own staff)."""

    capabilities = (Capability.MEMBERS_VIEW,)
    model = Membership
    template_name = "accounts/member_list.html"
    paginate_by = 100

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset().select_related("user", "organisation")
        query = self.request.GET.get("q", "").strip()
        if query:
            qs = qs.filter(
                Q(user__username__icontains=query)
                | Q(user__first_name__icontains=query)
                | Q(user__last_name__icontains=query)
            )
        return qs.order_by("user__last_name", "user__first_name", "user__username")


class MemberDetailView(AccessMixin, AuditedReadMixin, DetailView):
    """One member of staff: their contact details are personal data, so reads are audited."""

    capabilities = (Capability.MEMBERS_VIEW,)
    model = Membership
    template_name = "accounts/member_detail.html"
    slug_field = slug_url_kwarg = "uid"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("user", "organisation")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["has_second_factor"] = has_second_factor(self.object.user)
        context["sign_in_paused"] = sign_in_paused(self.object.user)
        if self.principal.can(Capability.MEMBERS_MANAGE):
            context["tokens"] = ApiToken.objects.owned_by(self.object.user)
        return context


class MemberCreateView(AccessMixin, FormView):
    """An organisation admin adds a member of staff with a first password to hand over."""

    capabilities = (Capability.MEMBERS_MANAGE,)
    form_class = StaffCreateForm
    template_name = "accounts/member_form.html"

    def form_valid(self, form: StaffCreateForm) -> HttpResponse:
        data = form.cleaned_data
        organisation = Organisation.objects.get(pk=self.principal.org_id)
        try:
            membership = create_staff_member(
                organisation,
                username=data["username"],
                password=data["password1"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s can now log in.") % {"name": membership.user})
        return HttpResponseRedirect(reverse("accounts:member-detail", args=[membership.uid]))


class MemberUpdateView(AccessMixin, UpdateView):
    """Change a member's role, or deactivate them (their history stays)."""

    capabilities = (Capability.MEMBERS_MANAGE,)
    model = Membership
    form_class = MembershipForm
    template_name = "accounts/member_form.html"
    slug_field = slug_url_kwarg = "uid"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("user")

    def form_valid(self, form: MembershipForm) -> HttpResponse:
        try:
            change_membership(
                self.get_object(),
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The membership has been changed."))
        return HttpResponseRedirect(reverse("accounts:member-detail", args=[self.object.uid]))


def _organisation_member(request: HttpRequest, uid: uuid.UUID) -> Membership:
    """A membership of the admin's organisation, for the admin's actions on it: another
    organisation's is a 404, a network membership is not theirs to change."""
    membership = get_visible_or_404(
        Membership.objects.select_related("user"), request.user, uid=uid
    )
    if membership.organisation_id is None:
        raise PermissionDenied
    return membership


class MemberTwoFactorResetView(AccessMixin, View):
    """An admin removes a member's second factor (a lost phone); it is set up again at the
    member's next sign-in."""

    capabilities = (Capability.MEMBERS_MANAGE,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        membership = _organisation_member(request, uid)
        reset_two_factor(membership)
        message = _("Two-factor sign-in of %(name)s was removed.") % {"name": membership.user}
        messages.success(request, f"{message} {_('They set it up again at their next sign-in.')}")
        return HttpResponseRedirect(reverse("accounts:member-detail", args=[membership.uid]))


class MemberUnlockView(AccessMixin, View):
    """An admin unlocks a member whom failed logins have locked out, before the lock-out
    ends by itself (CASEWORK_LOCKOUT_MINUTES; never, where that is 0)."""

    capabilities = (Capability.MEMBERS_MANAGE,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
        membership = _organisation_member(request, uid)
        unlock_sign_in(membership)
        messages.success(request, _("%(name)s can sign in again.") % {"name": membership.user})
        return HttpResponseRedirect(reverse("accounts:member-detail", args=[membership.uid]))


class MemberTokenRevokeView(AccessMixin, View):
    """An admin revokes an API token of a member of their organisation, after confirming."""

    capabilities = (Capability.MEMBERS_MANAGE,)

    def get(self, request: HttpRequest, uid: uuid.UUID, token: Any) -> HttpResponse:
        membership, api_token = self._token(request, uid, token)
        back = reverse("accounts:member-detail", args=[membership.uid])
        context = {"token": api_token, "member": membership.user, "back": back}
        return render(request, "accounts/api_token_revoke.html", context)

    def post(self, request: HttpRequest, uid: uuid.UUID, token: Any) -> HttpResponse:
        membership, api_token = self._token(request, uid, token)
        revoke_api_token(api_token, by=user_of(request))
        message = _("The token “%(name)s” of %(member)s was revoked.") % {
            "name": api_token.name,
            "member": membership.user,
        }
        messages.success(request, message)
        return HttpResponseRedirect(reverse("accounts:member-detail", args=[membership.uid]))

    @staticmethod
    def _token(request: HttpRequest, uid: uuid.UUID, token: Any) -> tuple[Membership, ApiToken]:
        membership = _organisation_member(request, uid)
        return membership, get_object_or_404(ApiToken.objects.owned_by(membership.user), pk=token)


class ManageMixin(AccessMixin):
    """The organisation admin's editing screens: one capability, one form template."""

    capabilities = (Capability.ORG_MANAGE,)
    template_name: str | None = "accounts/object_form.html"


class OrganisationUpdateView(ManageMixin, UpdateView):
    model = Organisation
    form_class = OrganisationForm

    def get_queryset(self) -> QuerySet:
        # Network roles may see every organisation but manage none of them.
        return super().get_queryset().filter(pk=self.principal.organisation_id)


class SiteCreateView(ManageMixin, OrgScopedCreateMixin, CreateView):
    model = Site
    form_class = SiteForm
    extra_context = {"kind": gettext_lazy("site")}


class SiteUpdateView(ManageMixin, UpdateView):
    model = Site
    form_class = SiteForm


class ProjectCreateView(ManageMixin, OrgScopedCreateMixin, CreateView):
    model = Project
    form_class = ProjectForm
    extra_context = {"kind": gettext_lazy("project")}


class ProjectUpdateView(ManageMixin, UpdateView):
    model = Project
    form_class = ProjectForm
