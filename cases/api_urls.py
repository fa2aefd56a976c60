from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("cases/", views.api_case_list, name="case-list"),
    path("cases/<str:slug>/", views.api_case_detail, name="case-detail"),
]
