"""Plain words for the audit trail's action codes (the codes stay in the CSV download and
the filter's values, so a filter or a script that uses them keeps working)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "admin.add": _("Added in the admin site"),
    "admin.change": _("Changed in the admin site"),
    "admin.delete": _("Deleted in the admin site"),
    "analysis.run": _("Analysis started"),
    "analysis.done": _("Analysis finished"),
    "analysis.failed": _("Analysis failed"),
    "audit.export": _("Audit trail downloaded"),
    "audit.redact": _("Audit details redacted (withdrawal)"),
    "capture.cleanup": _("Housekeeping (old drafts, sessions, links removed)"),
    "contact.change": _("Contact details changed"),
    "contact.use": _("Contact details used to send a message"),
    "contact.view": _("Contact details viewed"),
    "contact_key.rotate": _("Contact details re-encrypted with a new key"),
    "due.export": _("Due list downloaded"),
    "export": _("Research data exported"),
    "ids.issue": _("Personal IDs issued"),
    "ids.print": _("Personal ID slips printed"),
    "log.create": _("Log stored"),
    "log.change": _("Log changed"),
    "log.double_entry_differs": _("Second entry differs from the first"),
    "log.view": _("Log viewed"),
    "outreach.draw": _("Prize draw"),
    "outreach.remind_now": _("Reminders sent now"),
    "participant.register": _("Participant registered"),
    "participant.leaving": _("Leaving date set"),
    "participant.link_letter": _("Personal link letter printed"),
    "participant.link_sent": _("Personal link sent"),
    "participant.other_project": _("Registered with another project than the one that gave the ID"),
    "participant.revoke_links": _("Personal links revoked"),
    "participant.service_use_view": _("Service use viewed"),
    "participant.withdraw": _("Participant withdrawn"),
    "post.letters": _("Letters for post printed"),
    "post.mailing": _("Address labels printed"),
    "project.profile": _("Project profile changed"),
    "quality.repeat_registration": _("Repeat registration resolved"),
    "quality.resolve": _("Data quality problem resolved"),
    "region.profile": _("Region profile changed"),
    "report.open": _("Report opened"),
    "settings.programme": _("Programme settings changed"),
    "settings.project": _("Project settings changed"),
    "staff.account_create": _("Staff account created"),
    "staff.backup_codes_new": _("New backup codes made"),
    "staff.enrol_totp": _("Authenticator app set up"),
    "staff.locked_out": _("Locked out after failed sign-ins"),
    "staff.password_change": _("Password changed"),
    "staff.password_disabled": _("Password sign-in turned off for an account"),
    "staff.password_reset": _("Password reset"),
    "staff.sign_in": _("Signed in"),
    "staff.sign_in_backup_code": _("Signed in with a backup code"),
    "synth.load": _("Synthetic cohort loaded"),
}


def action_label(code: str) -> str:
    """The plain words for ``code``; an unknown code is shown as it is."""
    return str(ACTION_LABELS.get(code, code))
