from openiop.messaging.urls_team import urlpatterns as team_urls
from openiop.messaging.urls_threads import urlpatterns as thread_urls

app_name = "messaging"

urlpatterns = [*thread_urls, *team_urls]
