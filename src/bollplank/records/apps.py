from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "bollplank.records"
    label = "records"
