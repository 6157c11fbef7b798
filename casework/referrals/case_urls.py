"""A case's referrals: mounted under cases/ beside the cases app's own routes."""

from django.urls import path

from casework.referrals import views

app_name = "case-referrals"

urlpatterns = [
    path("<str:code>/referrals/new/", views.ReferralCreateView.as_view(), name="referral-add"),
    path(
        "<str:code>/referrals/<uuid:uid>/",
        views.ReferralDetailView.as_view(),
        name="referral-detail",
    ),
    path("<str:code>/referrals/<uuid:uid>/letter/", views.LetterView.as_view(), name="letter"),
    path(
        "<str:code>/referrals/<uuid:uid>/letter.pdf",
        views.LetterPdfView.as_view(),
        name="letter-pdf",
    ),
]
