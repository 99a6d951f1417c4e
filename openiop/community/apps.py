from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "openiop.community"
    label = "community"
    verbose_name = "Community: moderated peer spaces for groups and alumni"
