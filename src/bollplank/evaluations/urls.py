"""URLs of the evaluations app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.evaluations import views

practice_patterns: list[Any] = [
    path("evaluations/questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path(
        "evaluations/questionnaires/<int:pk>/",
        views.questionnaire_detail,
        name="questionnaire_detail",
    ),
    path(
        "evaluations/questionnaires/<int:pk>/licence/",
        views.questionnaire_licence,
        name="questionnaire_licence",
    ),
    path(
        "evaluations/questionnaires/<int:pk>/copy/",
        views.questionnaire_copy,
        name="questionnaire_copy",
    ),
    path("evaluations/questions/<int:pk>/remove/", views.question_remove, name="question_remove"),
    path(
        "evaluations/engagements/<int:pk>/",
        views.engagement_evaluations,
        name="engagement_evaluations",
    ),
    path(
        "evaluations/engagements/<int:pk>/participants/<int:participant_pk>/",
        views.participant_evaluations,
        name="participant_evaluations",
    ),
    path("evaluations/engagements/<int:pk>/report/", views.report_preview, name="report_preview"),
    path("evaluations/meetings/<int:pk>/check/", views.meeting_check_send, name="meeting_check"),
    path(
        "evaluations/engagements/<int:pk>/goals/", views.engagement_goals, name="engagement_goals"
    ),
    path(
        "evaluations/engagements/<int:pk>/hours/", views.engagement_hours, name="engagement_hours"
    ),
    path(
        "evaluations/hours/<int:pk>/certificate.pdf",
        views.hours_certificate,
        name="hours_certificate",
    ),
    path("evaluations/my-goals/", views.my_goals, name="my_goals"),
    path("evaluations/answer/<int:pk>/", views.evaluation_answer, name="evaluation_answer"),
    path("evaluations/report/", views.client_report, name="client_report"),
    path(
        "evaluations/report.pdf",
        views.client_report,
        {"fmt": "pdf"},
        name="client_report_pdf",
    ),
    path(
        "evaluations/report.csv",
        views.client_report,
        {"fmt": "csv"},
        name="client_report_csv",
    ),
]
public_patterns: list[Any] = [
    path("e/<str:token>/", views.evaluation_answer_link, name="evaluation_answer_link"),
]
