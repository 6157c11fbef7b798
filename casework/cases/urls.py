from django.urls import path

from casework.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("new/", views.RegisterView.as_view(), name="register"),
    path("reassign/", views.ReassignView.as_view(), name="reassign"),
    path("merge/", views.MergeView.as_view(), name="merge"),
    path("<str:code>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("<str:code>/edit/", views.CaseUpdateView.as_view(), name="case-update"),
    path("<str:code>/stage/", views.TransitionView.as_view(), name="transition"),
    path("<str:code>/reopen/", views.ReopenView.as_view(), name="reopen"),
    path("<str:code>/engagement/", views.EngagementView.as_view(), name="engagement"),
    path("<str:code>/contacts/", views.ContactView.as_view(), name="contact-add"),
    path("<str:code>/goals/", views.GoalView.as_view(), name="goal-add"),
    path("<str:code>/goals/<uuid:uid>/", views.GoalStatusView.as_view(), name="goal-status"),
    path("<str:code>/tasks/", views.TaskView.as_view(), name="task-add"),
    path("<str:code>/tasks/<uuid:uid>/done/", views.TaskDoneView.as_view(), name="task-done"),
    path("<str:code>/approvals/<uuid:uid>/", views.ApprovalView.as_view(), name="approval"),
    path("<str:code>/documents/", views.DocumentUploadView.as_view(), name="document-add"),
    path("<str:code>/consent/", views.ConsentView.as_view(), name="consent-add"),
    path(
        "<str:code>/consent/<int:pk>/withdraw/",
        views.WithdrawConsentView.as_view(),
        name="consent-withdraw",
    ),
    path(
        "<str:code>/documents/<uuid:uid>/",
        views.DocumentDownloadView.as_view(),
        name="document-download",
    ),
]
