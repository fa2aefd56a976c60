from django.urls import path

from . import import_views, views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/<slug:slug>/", views.case_detail, name="detail"),
    path("paper/", views.paper, name="paper"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:slug>/", views.source_reader, name="source"),
    path("library/imports/", import_views.import_list, name="imports"),
    path("library/imports/row/", import_views.import_row, name="import-row"),
    path("library/imports/<int:pk>/", import_views.import_detail, name="import"),
    path("library/imports/<int:pk>/confirm/", import_views.import_confirm, name="import-confirm"),
    path("library/imports/<int:pk>/undo/", import_views.import_undo, name="import-undo"),
    path("library/imports/<int:pk>/file/", import_views.import_file, name="import-file"),
    path("library/bundles/template.<str:fmt>", import_views.bundle_template, name="template"),
    path("library/bundles/<slug:slug>.<str:fmt>", import_views.bundle_download, name="bundle"),
]
