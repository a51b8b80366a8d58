from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "bollplank.meetings"
    label = "meetings"
