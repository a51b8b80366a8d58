"""Every write of the evaluations app, by topic: questionnaires (questionnaires.py), rounds and
their invitations (rounds.py), answers (answering.py), and goals, hours and the client's report
(outcomes.py). Callers use the names here (``services.round_create(...)``)."""

from bollplank.evaluations.services.answering import (
    check_answerable,
    clean_answers,
    response_submit,
)
from bollplank.evaluations.services.outcomes import (
    goal_create,
    goal_set_reached,
    hours_sign_off,
    progress_add,
    report_share,
    revisits_set,
)
from bollplank.evaluations.services.questionnaires import (
    check_sendable,
    question_add,
    question_remove,
    questionnaire_copy,
    questionnaire_create,
    questionnaire_licence_update,
    section_add,
)
from bollplank.evaluations.services.rounds import (
    after_meeting_send,
    answer_link,
    invitation_token,
    round_create,
    round_remind,
    round_send,
)

__all__ = [
    "after_meeting_send",
    "answer_link",
    "check_answerable",
    "check_sendable",
    "clean_answers",
    "goal_create",
    "goal_set_reached",
    "hours_sign_off",
    "invitation_token",
    "progress_add",
    "question_add",
    "question_remove",
    "questionnaire_copy",
    "questionnaire_create",
    "questionnaire_licence_update",
    "report_share",
    "response_submit",
    "revisits_set",
    "round_create",
    "round_remind",
    "round_send",
    "section_add",
]
