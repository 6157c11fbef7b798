from django.contrib.auth import views as auth_views
from django.urls import path

from casework.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("two-factor/setup/", views.TwoFactorSetupView.as_view(), name="two-factor-setup"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("tokens/", views.ApiTokenListView.as_view(), name="tokens"),
    path("tokens/<uuid:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token-revoke"),
    path("switch/", views.SwitchMembershipView.as_view(), name="switch"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path(
        "organisations/<slug:slug>/edit/",
        views.OrganisationUpdateView.as_view(),
        name="organisation-update",
    ),
    path("sites/add/", views.SiteCreateView.as_view(), name="site-create"),
    path("sites/<int:pk>/edit/", views.SiteUpdateView.as_view(), name="site-update"),
    path("projects/add/", views.ProjectCreateView.as_view(), name="project-create"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project-update"),
    path("staff/", views.MemberListView.as_view(), name="member-list"),
    path("staff/add/", views.MemberCreateView.as_view(), name="member-create"),
    path("staff/<uuid:uid>/", views.MemberDetailView.as_view(), name="member-detail"),
    path("staff/<uuid:uid>/edit/", views.MemberUpdateView.as_view(), name="member-update"),
    path(
        "staff/<uuid:uid>/two-factor/reset/",
        views.MemberTwoFactorResetView.as_view(),
        name="member-two-factor-reset",
    ),
    path("staff/<uuid:uid>/unlock/", views.MemberUnlockView.as_view(), name="member-unlock"),
    path(
        "staff/<uuid:uid>/tokens/<uuid:token>/revoke/",
        views.MemberTokenRevokeView.as_view(),
        name="member-token-revoke",
    ),
]
