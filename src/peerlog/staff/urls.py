"""URLs of the staff console (mounted at /staff/). Each view names the roles it allows."""

from django.urls import path

from peerlog.staff.views import (
    accounts,
    auth,
    contact_edit,
    due,
    home,
    ids,
    logs,
    monitoring,
    paper,
    people,
    post,
    profiles,
    quality,
    reminders,
    reports,
    research_exports,
    settings,
)

app_name = "staff"
urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/code/", auth.code_view, name="login_code"),
    path("logout/", auth.logout_view, name="logout"),
    # Personal IDs
    path("ids/", ids.batches, name="id_batches"),
    path("ids/<int:pk>/", ids.batch_ids, name="id_batch"),
    path("ids/<int:pk>/slips.pdf", ids.batch_slips, name="id_slips"),
    # Paper forms and entry
    path("paper/", paper.paper_forms, name="paper_forms"),
    path("paper/<slug:code>/<slug:language>.pdf", paper.paper_form_pdf_view,
         name="paper_form_pdf"),
    path("entry/", paper.entry_start, name="entry_start"),
    path("entry/<int:project>/<slug:code>/<slug:language>/", paper.entry, name="entry"),
    path("entry/log/<int:pk>/second/", paper.second_entry, name="second_entry"),
    path("entry/log/<int:pk>/resolve/", paper.resolve_entry, name="resolve_entry"),
    # Data quality
    path("quality/", quality.queue, name="quality"),
    path("quality/usable.csv", quality.counts_csv, name="quality_counts_csv"),
    path("quality/bulk/", quality.bulk, name="quality_bulk"),
    path("quality/log/<int:pk>/<slug:reason>/", quality.problem, name="quality_problem"),
    path("quality/registration/<int:pk>/", quality.repeat_registration,
         name="repeat_registration"),
    # Monitoring
    path("monitoring/", monitoring.monitoring_page, name="monitoring"),
    path("monitoring/<slug:name>.csv", monitoring.monitoring_csv, name="monitoring_csv"),
    # Participants, withdrawal, contact details
    path("participants/", people.participants, name="participants"),
    path("participants/<int:pk>/", people.participant, name="participant"),
    path("participants/<int:pk>/withdraw/", people.withdraw, name="withdraw"),
    path("participants/<int:pk>/links/revoke/", people.revoke_links, name="revoke_links"),
    path("participants/<int:pk>/links/send/", people.send_link, name="send_link"),
    path("participants/<int:pk>/contact/", people.contact, name="contact"),
    path("participants/<int:pk>/contact/edit/", contact_edit.contact_edit, name="contact_edit"),
    # A person's logs, and who is due one
    path("logs/<int:pk>/", logs.log_page, name="log"),
    path("due/", due.due_list, name="due"),
    # Reminders, the outbox in words, prize draws
    path("reminders/", reminders.reminders_page, name="reminders"),
    path("reminders/send/", reminders.send_now, name="reminders_send"),
    path("reminders/draw/", reminders.run_draw, name="reminders_draw"),
    # The monthly post mailing
    path("post/", post.mailing_page, name="post"),
    path("post/<int:pk>/letters.pdf", post.mailing_letters, name="post_letters"),
    path("post/<int:pk>/labels.pdf", post.mailing_labels, name="post_labels"),
    # Central researchers: audit trail and exports
    path("audit/", people.audit_trail, name="audit"),
    path("exports/", people.exports, name="exports"),
    path("exports/<slug:name>.csv", people.export_csv, name="export_csv"),
    path("exports/items/", research_exports.research_exports, name="research_exports"),
    path("exports/items/<str:name>", research_exports.research_export_file,
         name="research_export_file"),
    # Analysis reports (signed-in staff only; never under /static/)
    path("reports/", reports.report_list, name="reports"),
    path("reports/latest/<str:file>", reports.latest_file, name="latest_report_file"),
    path("reports/run/", reports.run_analysis, name="run_analysis"),
    path("reports/run/<int:pk>/", reports.analysis_job, name="analysis_job"),
    path("reports/<str:name>/<path:file>", reports.report_file, name="report_file"),
    # Project and region profiles (chapter 8)
    path("profiles/", profiles.profiles, name="profiles"),
    path("projects/<int:pk>/profile/", profiles.project_profile, name="project_profile"),
    path("regions/<int:pk>/profile/", profiles.region_profile, name="region_profile"),
    # Administrators
    path("accounts/", accounts.accounts, name="accounts"),
    path("accounts/<int:pk>/password/", accounts.account_password, name="account_password"),
    path("accounts/<int:pk>/<slug:action>/", accounts.account_action, name="account_action"),
    # Settings (programme: central researchers; projects: within scope)
    path("settings/", settings.settings_home, name="settings"),
    path("settings/programme/", settings.programme_settings, name="programme_settings"),
    path("projects/<int:pk>/settings/", settings.project_settings, name="project_settings"),
    path("participants/<int:pk>/leaving/", settings.participant_leaving,
         name="participant_leaving"),
    # Everyone: their own password
    path("password/", auth.password_change, name="password_change"),
    path("backup-codes/", auth.backup_codes_page, name="backup_codes"),
]
