from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "bollplank.billing"
    label = "billing"
