from django.urls import path

from . import views

app_name = "checklist"
urlpatterns = [
    path("method/", views.method, name="method"),
    path("cases/<slug:slug>/scorecard/", views.case_scorecard_page, name="case-scorecard"),
    path("api/cases/<str:slug>/scorecard/", views.api_case_scorecard, name="api-case-scorecard"),
]
