"""Log-in, password, switching organisation, and the organisation and staff pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, ListView, UpdateView

from casework.accounts.forms import (
    LoginForm,
    MembershipForm,
    OrganisationForm,
    ProjectForm,
    SiteForm,
    StaffCreateForm,
)
from casework.accounts.models import Membership, Organisation, Project, Site
from casework.accounts.services import (
    change_membership,
    create_staff_member,
    switch_membership,
)
from casework.audit.mixins import AuditedReadMixin
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.access import principal_of
from casework.core.http import user_of
from casework.core.roles import Capability
from casework.core.views import AccessMixin, OrgScopedCreateMixin


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(AccessMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(Action.PASSWORD_CHANGED, obj=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class SwitchMembershipView(AccessMixin, View):
    """Work as another of one's memberships (another organisation, or the network)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        membership = next(
            (
                m
                for m in principal_of(request.user).memberships
                if str(m.pk) == request.POST.get("membership", "")
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

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("user", "organisation")


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
        return HttpResponseRedirect(reverse("accounts:member-detail", args=[membership.pk]))


class MemberUpdateView(AccessMixin, UpdateView):
    """Change a member's role, or deactivate them (their history stays)."""

    capabilities = (Capability.MEMBERS_MANAGE,)
    model = Membership
    form_class = MembershipForm
    template_name = "accounts/member_form.html"

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
        return HttpResponseRedirect(reverse("accounts:member-detail", args=[self.object.pk]))


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
