from django.urls import path

from stoa.discussion import feeds, views

app_name = "discussion"
urlpatterns = [
    path("post/<int:post_id>/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/report/", views.report, name="report"),
    path("claim/", views.claim, name="claim"),
    path("moderate/<str:token>/", views.moderate_link, name="moderate"),
    path("subscription/<str:token>/confirm/", views.confirm_subscription, name="confirm"),
    path("subscription/<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("feed/", feeds.LatestCommentsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestCommentsAtomFeed(), name="atom"),
    path("post/<int:post_id>/feed/", feeds.PostCommentsFeed(), name="post_feed"),
    path("post/<int:post_id>/feed/atom/", feeds.PostCommentsAtomFeed(), name="post_atom"),
]
