from django.urls import path

from casework.network import views

app_name = "network"
urlpatterns = [
    path("", views.StakeholderListView.as_view(), name="stakeholders"),
    path("stakeholders/new/", views.StakeholderCreateView.as_view(), name="stakeholder-create"),
    path("stakeholders/<uuid:uid>/", views.StakeholderDetailView.as_view(), name="stakeholder"),
    path(
        "stakeholders/<uuid:uid>/edit/",
        views.StakeholderUpdateView.as_view(),
        name="stakeholder-update",
    ),
    path(
        "stakeholders/<uuid:uid>/notes/",
        views.StakeholderNoteView.as_view(),
        name="stakeholder-note",
    ),
    path(
        "stakeholders/<uuid:uid>/contacts/",
        views.ContactCreateView.as_view(),
        name="contact-create",
    ),
    path("map/", views.StakeholderMapView.as_view(), name="map"),
    path("map.svg", views.StakeholderMapView.as_view(), {"svg": True}, name="map-svg"),
    path("contacts/<uuid:uid>/remove/", views.ContactRemoveView.as_view(), name="contact-remove"),
    path("activities/", views.ActivityListView.as_view(), name="activities"),
    path("activities/new/", views.ActivityFormView.as_view(), name="activity-create"),
    path("activities/<uuid:uid>/edit/", views.ActivityFormView.as_view(), name="activity-update"),
    path("expansion/", views.ExpansionListView.as_view(), name="expansion"),
    path("expansion/new/", views.ExpansionFormView.as_view(), name="expansion-create"),
    path("expansion/<uuid:uid>/", views.ExpansionDetailView.as_view(), name="expansion-detail"),
    path("expansion/<uuid:uid>/edit/", views.ExpansionFormView.as_view(), name="expansion-update"),
    path("expansion/<uuid:uid>/stage/", views.ExpansionMoveView.as_view(), name="expansion-move"),
    path("risks/", views.RiskListView.as_view(), name="risks"),
    path("risks/new/", views.RiskFormView.as_view(), name="risk-create"),
    path("risks/<uuid:uid>/", views.RiskFormView.as_view(), name="risk-update"),
    path("glossary/", views.GlossaryView.as_view(), name="glossary"),
    path("glossary/new/", views.TermFormView.as_view(), name="term-create"),
    path("glossary/<slug:slug>/edit/", views.TermFormView.as_view(), name="term-update"),
    path("involvement/", views.InvolvementView.as_view(), name="involvement"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback"),
    path("feedback/answer/", views.FeedbackAnswerView.as_view(), name="feedback-answer"),
]
