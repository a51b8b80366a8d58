from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "bollplank.meetings"
    label = "meetings"

    def ready(self) -> None:
        from bollplank.engagements.signals import engagement_updated
        from bollplank.meetings.services import on_engagement_updated

        engagement_updated.connect(on_engagement_updated, dispatch_uid="meetings_follow")
