from django.urls import path

from stoa.desk import views

app_name = "desk"
urlpatterns = [
    # A signed token (django.core.signing: letters, digits, - _ : .).
    path("<str:token>/", views.review, name="review"),
]
