"""Fixed replies in the user's language (no model call needed to say these)."""
from __future__ import annotations

HELP = {
    "en": ("I answer questions about your team's GitLab, Slack and Backlog, with links to the sources. "
           "I can also summarize a Slack channel, review a merge request, or write a status report."),
    "ja": ("チームの GitLab・Slack・Backlog についての質問に、出典リンク付きで答えます。"
           "Slack チャンネルの要約、マージリクエストのレビュー、状況レポートの作成もできます。"),
    "vi": ("Tôi trả lời câu hỏi về GitLab, Slack và Backlog của nhóm bạn, kèm liên kết tới nguồn. "
           "Tôi cũng có thể tóm tắt một kênh Slack, review merge request hoặc viết báo cáo tình hình."),
}
JOB_STARTED = {
    "en": "Started job {job_id}; follow its progress at GET /jobs/{job_id}.",
    "ja": "ジョブ {job_id} を開始しました。進捗は GET /jobs/{job_id} で確認できます。",
    "vi": "Đã bắt đầu tác vụ {job_id}; theo dõi tiến độ tại GET /jobs/{job_id}.",
}
# Said without a model to judge the passages: they are the closest found, not known to answer (never "relevant").
MODEL_BUSY = {
    "en": "The language model is busy right now, so I could not write an answer; these passages in the team's "
          "data come closest to your question:",
    "ja": "言語モデルが混み合っているため回答を作成できませんでした。質問に最も近いチームのデータの記述です:",
    "vi": "Mô hình ngôn ngữ đang bận nên tôi chưa thể viết câu trả lời; đây là những đoạn trong dữ liệu của nhóm "
          "gần nhất với câu hỏi của bạn:",
}
# The model answered but wrote no sentence of its own (only source numbers): the evidence is the answer.
EVIDENCE_LEAD = {
    "en": "Here is what the team's data says:",
    "ja": "チームのデータには次のように書かれています:",
    "vi": "Dữ liệu của nhóm ghi như sau:",
}
NEEDS_INPUT = {
    "en": "I can start that, but need one more thing: {what}.",
    "ja": "開始するには情報が足りません: {what}",
    "vi": "Tôi cần thêm thông tin để bắt đầu: {what}.",
}
