from django.urls import path, re_path

from . import views

app_name = "compare"
urlpatterns = [
    path("compare/", views.compare_page, name="page"),
    re_path(r"^compare/data\.(?P<fmt>csv|xlsx)$", views.compare_download, name="download"),
]
