"""Every write in the room, by topic: conversation models (conversation_models.py), running
one in a meeting (runs.py), the case owner's takeaway (takeaways.py), and the client's mission
with the themes tied to it (mission.py). Callers use the names here
(``services.run_start(...)``)."""

from bollplank.facilitation.services.conversation_models import (
    StepData,
    check_steps,
    model_copy,
    model_delete,
    model_save,
)
from bollplank.facilitation.services.mission import (
    mission_part_add,
    mission_part_retire,
    mission_part_revise,
    mission_share_set,
    mission_split,
    themes_set,
)
from bollplank.facilitation.services.runs import (
    RunConflict,
    absent_ids,
    can_drive,
    run_act,
    run_start,
    run_state,
)
from bollplank.facilitation.services.takeaways import takeaway_save, takeaway_writer

__all__ = [
    "RunConflict",
    "StepData",
    "absent_ids",
    "can_drive",
    "check_steps",
    "mission_part_add",
    "mission_part_retire",
    "mission_part_revise",
    "mission_share_set",
    "mission_split",
    "model_copy",
    "model_delete",
    "model_save",
    "run_act",
    "run_start",
    "run_state",
    "takeaway_save",
    "takeaway_writer",
    "themes_set",
]
