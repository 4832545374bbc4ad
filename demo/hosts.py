"""Canonical base URLs written into the demo data. Simulators replace them with their own base URL when
serving, so links in messages and API objects point at whatever address the simulator runs on."""
GITLAB = "https://gitlab.kumo.example"
SLACK = "https://kumo-team.slack.example"
BACKLOG = "https://kumo.backlog.example"

GITLAB_NAMESPACE = "kumo"
GITLAB_PROJECTS = {  # short name -> (project id, path)
    "api": (11, "kumo/booking-api"),
    "web": (12, "kumo/booking-web"),
}
SLACK_TEAM = {"id": "T04KUMO0001", "name": "Kumo Team", "domain": "kumo-team"}
SLACK_CHANNELS = {  # name -> (id, purpose)
    "general": ("C04KGENERAL", "Announcements and everything else / お知らせ / Thông báo chung"),
    "dev-backend": ("C04KDEVBACK", "booking-api: design, reviews, incidents"),
    "dev-frontend": ("C04KDEVFRNT", "booking-web: React, i18n, reviews"),
    "qa-bugs": ("C04KQABUGS1", "Bug reports and QA / バグ報告 / Báo lỗi"),
    "release": ("C04KRELEASE", "Release planning and deploy notices"),
    "daily-standup": ("C04KSTANDUP", "Daily stand-up notes / 日報 / Báo cáo hằng ngày"),
    "design-ux": ("C04KDESIGNX", "Design and UX"),
    "random": ("C04KRANDOM1", "Off-topic / 雑談 / Tán gẫu"),
}
BACKLOG_PROJECTS = {  # key -> (id, name)
    "BOOK": (101, "Kumo Booking 開発"),
    "OPS": (102, "Kumo Booking 運用"),
}
