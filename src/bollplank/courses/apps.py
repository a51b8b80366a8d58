from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "bollplank.courses"
    label = "courses"
    verbose_name = _("courses")

    def ready(self) -> None:
        from bollplank.billing.sources import InvoiceSource, invoice_source_register
        from bollplank.courses.invoicing import (
            course_drafts,
            courses_not_invoiced,
            unmatched_registrations,
        )

        # Course registrations are invoiced by the practice's invoice run.
        invoice_source_register(
            "courses",
            InvoiceSource(
                drafts=course_drafts,
                not_invoiced=courses_not_invoiced,
                unmatched=unmatched_registrations,
                decide_url="registration_client",
            ),
        )
