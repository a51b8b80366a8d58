from django.db import models
from django.utils.translation import gettext_lazy as _


class Speaker(models.TextChoices):
    """Who speaks in a step."""

    CASE_OWNER = "case_owner", _("the case owner")
    GROUP = "group", _("the group")
    LEADER = "leader", _("the conversation leader")
    ROUND = "round", _("everyone in turn")
    SILENT = "silent", _("nobody: silent thinking")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")


class RunAction(models.TextChoices):
    """What the leader can do to a running run; each is one POST with the version it saw."""

    PAUSE = "pause", _("pause")
    RESUME = "resume", _("resume")
    EXTEND = "extend", _("extend")
    NEXT = "next", _("next step")
    BACK = "back", _("previous step")
    TURN = "turn", _("next speaker")
    PASS = "pass", _("passes")
    FINISH = "finish", _("finish")


# Limits: a step of a second (tests, a quick check) up to a whole meeting of four hours.
MIN_STEP_SECONDS = 1
MAX_STEP_SECONDS = 4 * 60 * 60
MAX_STEPS = 30
EXTEND_SECONDS = 60
