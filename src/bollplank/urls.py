from allauth.account import views as allauth_views
from django.urls import include, path

from bollplank.accounts import identity_saml_views, identity_views
from bollplank.accounts import views as account_views
from bollplank.agreements import urls as agreement_urls
from bollplank.api import urls as api_urls
from bollplank.billing import delivery_views, reminder_views
from bollplank.billing import views as billing_views
from bollplank.booking import urls as booking_urls
from bollplank.clients import identity_views as client_identity_views
from bollplank.clients import views as client_views
from bollplank.courses import urls as course_urls
from bollplank.directory import urls as directory_urls
from bollplank.engagements import views as engagement_views
from bollplank.evaluations import urls as evaluation_urls
from bollplank.facilitation import views as facilitation_views
from bollplank.home import client_views as client_home_views
from bollplank.home import verify as home_verify
from bollplank.home import views as home_views
from bollplank.home.procurement import views as procurement_views
from bollplank.meetings import calendar_views, video_views
from bollplank.meetings import history_views as meeting_history_views
from bollplank.meetings import views as meeting_views
from bollplank.mentoring import urls as mentoring_urls
from bollplank.notifications import urls as notification_urls
from bollplank.privacy import urls as privacy_urls
from bollplank.records import views as record_views

practice_patterns = [
    path("", home_views.dashboard, name="dashboard"),
    path("me/", home_views.participant_home, name="participant_home"),
    path("client/", client_home_views.client_home, name="client_home"),
    path(
        "client/engagements/<int:pk>/schedule/",
        client_home_views.client_schedule,
        name="client_schedule",
    ),
    path("calendar/week/", calendar_views.calendar_week, name="calendar_week"),
    path("calendar/month/", calendar_views.calendar_month, name="calendar_month"),
    path("clients/", client_views.client_list, name="client_list"),
    path("clients/new/", client_views.client_create, name="client_create"),
    path("clients/<int:pk>/", client_views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", client_views.client_edit, name="client_edit"),
    path("clients/<int:pk>/contacts/new/", client_views.contact_create, name="contact_create"),
    path(
        "clients/<int:pk>/contacts/<int:contact_pk>/invite/",
        client_views.contact_invite,
        name="contact_invite",
    ),
    path("engagements/", engagement_views.engagement_list, name="engagement_list"),
    path("engagements/new/", engagement_views.engagement_create, name="engagement_create"),
    path("engagements/<int:pk>/", engagement_views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/edit/", engagement_views.engagement_edit, name="engagement_edit"),
    path(
        "engagements/<int:pk>/participants/new/",
        engagement_views.participant_join,
        name="participant_join",
    ),
    path(
        "engagements/<int:pk>/participants/<int:membership_pk>/leave/",
        engagement_views.participant_leave,
        name="participant_leave",
    ),
    path(
        "engagements/<int:pk>/participants/<int:membership_pk>/invite/",
        engagement_views.participant_invite,
        name="participant_invite",
    ),
    path(
        "engagements/<int:pk>/participants/invite/",
        engagement_views.participants_invite_all,
        name="participants_invite_all",
    ),
    path("engagements/<int:pk>/plan/", meeting_views.series_plan, name="series_plan"),
    path("engagements/<int:pk>/meetings/new/", meeting_views.meeting_create, name="meeting_create"),
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/move/", meeting_views.meeting_move, name="meeting_move"),
    path("meetings/<int:pk>/cancel/", meeting_history_views.cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/correct/", meeting_history_views.correct, name="meeting_correct"),
    path(
        "meetings/<int:pk>/attendance/",
        meeting_views.meeting_attendance,
        name="meeting_attendance",
    ),
    path("meetings/<int:pk>/focus/", meeting_views.meeting_focus, name="meeting_focus"),
    path("meetings/<int:pk>/ics/", meeting_views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/join/", video_views.meeting_join, name="meeting_join"),
    path("feed/", meeting_views.feed_settings, name="feed_settings"),
    # The protected room: notes, summaries, questions sent in, case rota, journal, audit.
    path("meetings/<int:pk>/notes/", record_views.meeting_notes, name="meeting_notes"),
    path("meetings/<int:pk>/summary/", record_views.meeting_summary, name="meeting_summary"),
    path("meetings/<int:pk>/agenda/", record_views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/questions/", record_views.meeting_submit, name="meeting_submit"),
    path("engagements/<int:pk>/notes/", record_views.engagement_notes, name="engagement_notes"),
    path("engagements/<int:pk>/rota/", record_views.engagement_rota, name="engagement_rota"),
    path("notes/", record_views.notes_search, name="notes_search"),
    path("notes/<int:pk>/", record_views.note_edit, name="note_edit"),
    path("journal/", record_views.journal, name="journal"),
    path("journal/<int:pk>/", record_views.journal_edit, name="journal_edit"),
    path("audit/", record_views.audit_log, name="audit_log"),
    path("my-access-log/", record_views.access_log, name="access_log"),
    # In the room: conversation models, the runner, takeaways, the mission's parts.
    path("models/", facilitation_views.model_list, name="model_list"),
    path("models/new/", facilitation_views.model_new, name="model_new"),
    path("models/<int:pk>/", facilitation_views.model_detail, name="model_detail"),
    path("models/<int:pk>/edit/", facilitation_views.model_edit, name="model_edit"),
    path("models/<int:pk>/copy/", facilitation_views.model_copy, name="model_copy"),
    path("meetings/<int:pk>/run/start/", facilitation_views.run_start, name="run_start"),
    path("meetings/<int:pk>/run/", facilitation_views.runner, name="runner"),
    path("meetings/<int:pk>/run/act/", facilitation_views.run_act, name="run_act"),
    path("meetings/<int:pk>/run/state/", facilitation_views.run_state, name="run_state"),
    path("meetings/<int:pk>/run/takeaway/", facilitation_views.run_takeaway, name="run_takeaway"),
    path("meetings/<int:pk>/themes/", facilitation_views.meeting_themes, name="meeting_themes"),
    path("clients/<int:pk>/mission/", facilitation_views.mission_parts, name="mission_parts"),
    path(
        "clients/<int:pk>/mission/<int:part_pk>/",
        facilitation_views.mission_part_edit,
        name="mission_part_edit",
    ),
    path(
        "engagements/<int:pk>/mission/",
        facilitation_views.engagement_mission,
        name="engagement_mission",
    ),
    path("client/mission/", facilitation_views.client_mission, name="client_mission"),
    path(
        "client/log-in/",
        client_identity_views.client_identity_providers,
        name="client_identity_providers",
    ),
    path(
        "client/log-in/new/",
        client_identity_views.client_identity_provider_edit,
        name="client_identity_provider_new",
    ),
    path(
        "client/log-in/<int:pk>/",
        client_identity_views.client_identity_provider_people,
        name="client_identity_provider_people",
    ),
    path(
        "client/log-in/<int:pk>/edit/",
        client_identity_views.client_identity_provider_edit,
        name="client_identity_provider_edit",
    ),
    # Billing: invoice runs, invoices, credit notes, e-invoices, accounting exports.
    path("billing/", billing_views.billing_overview_view, name="billing_overview"),
    path("billing/settings/", billing_views.billing_settings, name="billing_settings"),
    path("logo/", billing_views.practice_logo, name="practice_logo"),
    path("billing/run/", billing_views.invoice_run, name="invoice_run"),
    path("billing/export/", billing_views.billing_export, name="billing_export"),
    path("billing/invoices/", billing_views.invoice_list, name="invoice_list"),
    path("billing/payments/", billing_views.bgmax_import, name="bgmax_import"),
    path(
        "billing/payments/<int:pk>/assign/",
        billing_views.payment_assign,
        name="payment_assign",
    ),
    path("billing/invoices/<int:pk>/", billing_views.invoice_detail, name="invoice_detail"),
    path("billing/invoices/<int:pk>/pdf/", billing_views.invoice_pdf, name="invoice_pdf"),
    path("billing/invoices/<int:pk>/xml/", billing_views.invoice_ubl, name="invoice_ubl"),
    path("billing/invoices/<int:pk>/issue/", billing_views.invoice_issue, name="invoice_issue"),
    path(
        "billing/invoices/<int:pk>/discard/", billing_views.invoice_discard, name="invoice_discard"
    ),
    path("billing/invoices/<int:pk>/paid/", billing_views.invoice_pay, name="invoice_pay"),
    path("billing/invoices/<int:pk>/credit/", billing_views.invoice_credit, name="invoice_credit"),
    path("billing/invoices/<int:pk>/send/", billing_views.invoice_send, name="invoice_send"),
    path("billing/invoices/<int:pk>/remind/", reminder_views.reminder_send, name="reminder_send"),
    path(
        "billing/invoices/<int:pk>/reminders/<int:number>/pdf/",
        reminder_views.reminder_pdf,
        name="reminder_pdf",
    ),
    path(
        "billing/invoices/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        delivery_views.delivery_resend,
        name="delivery_resend",
    ),
    path(
        "billing/invoices/<int:pk>/references/",
        billing_views.invoice_references,
        name="invoice_references",
    ),
    path(
        "billing/invoices/<int:pk>/lines/new/",
        billing_views.invoice_line_add,
        name="invoice_line_add",
    ),
    path(
        "billing/invoices/<int:pk>/lines/<int:line_pk>/",
        billing_views.invoice_line_edit,
        name="invoice_line_edit",
    ),
    path(
        "billing/invoices/<int:pk>/lines/<int:line_pk>/remove/",
        billing_views.invoice_line_remove,
        name="invoice_line_remove",
    ),
    path("engagements/<int:pk>/price/", billing_views.engagement_price, name="engagement_price"),
    path("people/", account_views.people, name="people"),
    path("people/invite/", account_views.invite, name="invite"),
    path("settings/", home_views.settings_index, name="settings_index"),
    path("settings/practice/", home_views.practice_settings, name="practice_settings"),
    path("settings/video/", video_views.video_settings, name="video_settings"),
    path("settings/log-in/", identity_views.identity_providers, name="identity_providers"),
    path(
        "settings/log-in/new/", identity_views.identity_provider_edit, name="identity_provider_new"
    ),
    path(
        "settings/log-in/<int:pk>/",
        identity_views.identity_provider_people,
        name="identity_provider_people",
    ),
    path(
        "settings/log-in/<int:pk>/edit/",
        identity_views.identity_provider_edit,
        name="identity_provider_edit",
    ),
    path(
        "settings/log-in/new-saml/",
        identity_saml_views.saml_provider_edit,
        name="identity_saml_new",
    ),
    path(
        "settings/log-in/<int:pk>/saml/",
        identity_saml_views.saml_provider_edit,
        name="identity_saml_edit",
    ),
    path(
        "settings/agreement/",
        procurement_views.processing_agreement,
        name="processing_agreement",
    ),
    path(
        "settings/access-point/", delivery_views.access_point_settings, name="access_point_settings"
    ),
    path("people/roles/<int:pk>/end/", account_views.membership_end, name="membership_end"),
    # One list per app from here on, so that apps grow without touching this file.
    *evaluation_urls.practice_patterns,
    *course_urls.practice_patterns,
    *agreement_urls.practice_patterns,
    *directory_urls.practice_patterns,
    *mentoring_urls.practice_patterns,
    *booking_urls.practice_patterns,
    *notification_urls.practice_patterns,
    *privacy_urls.practice_patterns,
    *api_urls.practice_patterns,
]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accessibility/", home_views.accessibility, name="accessibility"),
    path("accessibility/thanks/", home_views.accessibility_thanks, name="accessibility_thanks"),
    path("verify/<str:code>/", home_verify.certificate_verify, name="certificate_verify"),
    path("bench/noop/", home_views.noop, name="bench_noop"),
    path("invitation/<str:token>/", account_views.invitation_accept, name="invitation_accept"),
    path("feed/<str:token>.ics", meeting_views.feed, name="feed"),
    path("i18n/", include("django.conf.urls.i18n")),
    # allauth's own login view, with the sign-in buttons a practice requires.
    path(
        "accounts/login/",
        identity_views.with_required_buttons(allauth_views.login),
        name="account_login",
    ),
    path(
        "accounts/organisation/",
        identity_views.sign_in_organisation,
        name="sign_in_organisation",
    ),
    path(
        "accounts/organisation/<slug:practice_slug>/",
        identity_views.sign_in_practice,
        name="sign_in_practice",
    ),
    # allauth's own start of an OpenID Connect sign-in, with a clear page when the provider
    # cannot be reached (same address and name, so it is found first).
    path(
        "accounts/oidc/<str:provider_id>/login/",
        identity_views.oidc_login_start,
        name="openid_connect_login",
    ),
    # allauth's SAML pages that need a word of ours (accounts/identity_saml_views.py).
    path(
        "accounts/saml/<str:organization_slug>/login/",
        identity_saml_views.login,
        name="saml_login",
    ),
    path(
        "accounts/saml/<str:organization_slug>/acs/finish/",
        identity_saml_views.finish_acs,
        name="saml_finish_acs",
    ),
    # allauth's page of one's linked identities is not offered: the practice's admin links.
    path("accounts/3rdparty/", identity_views.connections_gone, name="socialaccount_connections"),
    path("accounts/", include("allauth.urls")),
    path("p/<slug:practice_slug>/", include(practice_patterns)),
    *api_urls.public_patterns,
    *evaluation_urls.public_patterns,
    *course_urls.public_patterns,
    *directory_urls.public_patterns,
    *mentoring_urls.public_patterns,
    *booking_urls.public_patterns,
    *notification_urls.public_patterns,
    *privacy_urls.public_patterns,
]

handler404 = "bollplank.home.views.not_found"
handler403 = "bollplank.home.views.forbidden"
