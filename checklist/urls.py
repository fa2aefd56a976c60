from django.urls import path, re_path

from clusterdx.api import api

from . import views

# The scorecards' JSON is answered by the API (clusterdx/api.py) at the URLs it always had;
# these names, which pages and tests reverse, still lead there (the same view, not a copy).
_api_view = {pattern.name: pattern.callback for pattern in api.urls[0]}

app_name = "checklist"
urlpatterns = [
    path("method/", views.method, name="method"),
    path("cases/<slug:slug>/scorecard/", views.case_scorecard_page, name="case-scorecard"),
    path(
        "api/cases/<str:slug>/scorecard/",
        _api_view["case-scorecard"],
        name="api-case-scorecard",
    ),
    path("assess/", views.assessment_list, name="assessments"),
    path("assess/new/", views.assessment_new, name="new"),
    path("assess/new/upload/", views.assessment_upload, name="new-upload"),
    path("assess/template.xlsx", views.workbook_template, name="template"),
    path("assess/<int:pk>/upload/", views.assessment_upload, name="upload"),
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
        _api_view["assessment-scorecard"],
        name="api-assessment-scorecard",
    ),
]
