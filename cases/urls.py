from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/<slug:slug>/", views.case_detail, name="detail"),
    path("paper/", views.paper, name="paper"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:slug>/", views.source_reader, name="source"),
]
