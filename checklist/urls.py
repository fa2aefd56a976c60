from django.urls import path, re_path

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
    re_path(
        r"^assess/(?P<pk>\d+)/(?P<filename>scorecard\.csv|answers\.csv|scorecard\.xlsx)$",
        views.assessment_download,
        name="download",
    ),
    path("assess/<int:pk>/delete/", views.assessment_delete, name="delete"),
    path("assess/<int:pk>/reassess/", views.assessment_reassess, name="reassess"),
    path("assess/<int:pk>/compare/<int:other>/", views.assessment_compare, name="compare"),
    path("assess/<int:pk>/<str:step>/", views.assessment_step, name="step"),
    path(
        "api/assessments/<int:pk>/scorecard/",
        views.api_assessment_scorecard,
        name="api-assessment-scorecard",
    ),
]
