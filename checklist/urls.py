from django.urls import path

from . import views

app_name = "checklist"
urlpatterns = [
    path("method/", views.method, name="method"),
    path("cases/<slug:slug>/scorecard/", views.case_scorecard_page, name="case-scorecard"),
    path("api/cases/<str:slug>/scorecard/", views.api_case_scorecard, name="api-case-scorecard"),
    path("assess/", views.assessment_list, name="assessments"),
    path("assess/new/", views.assessment_new, name="new"),
    path("assess/<int:pk>/", views.assessment_scorecard, name="scorecard"),
    path("assess/<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("assess/<int:pk>/<str:step>/", views.assessment_step, name="step"),
    path(
        "api/assessments/<int:pk>/scorecard/",
        views.api_assessment_scorecard,
        name="api-assessment-scorecard",
    ),
]
