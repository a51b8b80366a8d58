"""The client's report as CSV: the same sections as its page and PDF (evaluations/
_report_table.html), read from the same ClientReport, so the two never tell different things."""

from __future__ import annotations

import csv
import io

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bollplank.core.spreadsheet import csv_safe
from bollplank.evaluations.enums import MIN_GROUP, Phase
from bollplank.evaluations.selectors import ClientReport


def _fraction(reached: int, total: int) -> str:
    return _("%(r)s of %(t)s") % {"r": reached, "t": total}


def client_report_csv(report: ClientReport) -> bytes:
    """In the active language's conventions, with a byte-order mark: semicolon-separated with
    decimal commas in Swedish (as Swedish spreadsheets open it), commas and points in English."""
    comma = get_format("DECIMAL_SEPARATOR") == ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if comma else ",")
    writer.writerow([_("When"), _("Question"), _("Answers"), _("Mean")])
    phase_names = dict(Phase.choices)
    for phase, question, cell in report.rows:
        writer.writerow(
            [
                csv_safe(str(phase_names.get(phase, phase))),
                csv_safe(question.text),
                csv_safe(cell.n)
                if cell.shown
                else csv_safe(_("fewer than %(n)s") % {"n": MIN_GROUP}),
                number_format(cell.mean, 1) if cell.mean is not None else "",
            ]
        )
    withheld = report.report.withheld
    if withheld:
        note = ngettext(
            "%(n)s questionnaire round is left out because fewer than %(min_group)s answered it.",
            "%(n)s questionnaire rounds are left out because fewer than %(min_group)s answered "
            "them.",
            withheld,
        ) % {"n": withheld, "min_group": MIN_GROUP}
        writer.writerow([note, "", "", ""])
    writer.writerow([_("Meetings held"), "", csv_safe(report.meetings_held), ""])
    if report.attendance_shown:
        # The term's totals, as the PDF gives them; never per meeting.
        pct = report.attendance_pct
        writer.writerow([_("Attendance"), "", f"{pct} %" if pct is not None else "–", ""])
        writer.writerow([_("Attendance"), _("Present"), csv_safe(report.attended), ""])
        writer.writerow([_("Attendance"), _("Possible"), csv_safe(report.expected), ""])
    goals = report.goals
    if goals is not None:
        writer.writerow(
            [_("The groups' goals"), "", _fraction(goals.group_reached, goals.group_total), ""]
        )
        personal = (
            _fraction(goals.personal_reached, goals.personal_total)
            if goals.personal_shown
            else _("not shown: fewer than %(min_group)s people") % {"min_group": MIN_GROUP}
        )
        writer.writerow([_("Participants' own goals"), "", personal, ""])
    return ("\ufeff" + out.getvalue()).encode()
