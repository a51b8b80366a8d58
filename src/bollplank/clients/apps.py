from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "bollplank.clients"
    label = "clients"
