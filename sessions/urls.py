from django.urls import path

from sessions import views

app_name = "agenda"

urlpatterns = [
    path("agenda/", views.agenda, name="agenda"),
    path("forums/", views.forums, name="forums"),
    path("agenda/forum-colours.css", views.forum_colours, name="forum-colours"),
]
