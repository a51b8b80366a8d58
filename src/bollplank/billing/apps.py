from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "bollplank.billing"
    label = "billing"

    def ready(self) -> None:
        from bollplank.billing.branding import mail_branding
        from bollplank.core.mail import branding_register

        # The outbox (below billing) shows the practice's invoice logo in every mail.
        branding_register(mail_branding)
