from django.urls import path
from oauth2_provider.views import TokenView

urlpatterns = [path("oauth2/access_token", TokenView.as_view())]
