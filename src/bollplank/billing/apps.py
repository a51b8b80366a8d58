from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "bollplank.billing"
    label = "billing"

    def ready(self) -> None:
        from bollplank.billing.branding import mail_branding
        from bollplank.billing.services.corrections import on_held_meeting_corrected
        from bollplank.billing.services.delivery import ensure_delivery_sweep
        from bollplank.billing.services.payments import ensure_bgmax_chain
        from bollplank.billing.services.pricing import late_share_of
        from bollplank.billing.services.reminders import ensure_reminder_chain
        from bollplank.billing.services.settings import price_of
        from bollplank.core.mail import branding_register
        from bollplank.core.periodic import keep_going
        from bollplank.meetings.signals import held_meeting_corrected
        from bollplank.meetings.terms import late_share_register

        # The cancellation step names what a late cancellation costs under these terms.
        late_share_register(lambda engagement: late_share_of(price_of(engagement)))
        # A held meeting corrected after it was invoiced: credit the old line.
        held_meeting_corrected.connect(on_held_meeting_corrected, dispatch_uid="billing_correct")
        # The outbox (below billing) shows the practice's invoice logo in every mail.
        branding_register(mail_branding)
        # The watched BgMax folder is read by the worker alone; restarted if lost.
        keep_going("BgMax folder", ensure_bgmax_chain)
        # Deliveries a lost worker left behind are picked up again; restarted if lost.
        keep_going("invoice deliveries", ensure_delivery_sweep)
        # Overdue invoices are reminded once a day by the worker; restarted if lost.
        keep_going("payment reminders", ensure_reminder_chain)
