"""Pages of the core app. The home page belongs to the directory (core must not import it), so
``config/urls.py`` maps ``/`` to ``tamdesk.directory.views.home.home``."""

app_name = "core"
urlpatterns: list = []
