from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "bollplank.engagements"
    label = "engagements"
