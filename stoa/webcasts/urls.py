from django.urls import URLPattern

app_name = "webcasts"
urlpatterns: list[URLPattern] = []
