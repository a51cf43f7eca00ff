from django.urls import path

from stoa.wordpress import views

app_name = "wordpress"
urlpatterns = [
    path("comment/<int:wp_id>/", views.comment, name="comment"),
]
