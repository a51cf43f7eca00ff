from django.urls import path

from stoa.members import views

app_name = "members"
urlpatterns = [
    path("", views.account, name="account"),
    path("people/<int:pk>/", views.profile, name="profile"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete_account, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
]
