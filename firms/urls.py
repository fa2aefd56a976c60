from django.urls import path

from . import views

app_name = "firms"
urlpatterns = [
    path("cases/<slug:slug>/firm-tables/new/", views.upload_for_case, name="upload-case"),
    path("assess/<int:pk>/firm-tables/new/", views.upload_for_assessment, name="upload-assessment"),
    path("firm-tables/<int:pk>/", views.detail, name="detail"),
    path("firm-tables/<int:pk>/status/", views.status, name="status"),
    path("firm-tables/<int:pk>/replace/", views.replace, name="replace"),
]
