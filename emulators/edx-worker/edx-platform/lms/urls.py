from django.urls import path

from lms.djangoapps.static_template_view import views as static_template_view_views
from openedx.core.djangoapps.oauth_dispatch.views import AccessTokenView

urlpatterns = [path("oauth2/access_token", AccessTokenView.as_view())]

handler403 = static_template_view_views.render_403
