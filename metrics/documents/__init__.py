"""Documents the office hands upward, written from the same metrics functions the pages call: the weekly
工作通报 (`bulletin`), the 总结报告 draft and the 11/15 pack (`summary_report`, `pack`). Word via python-docx
(`layout`), charts via plotly + kaleido (`charts`), PDF via LibreOffice (`pdf`). Nothing here computes a
figure of its own; everything that leaves is checked by auth.policy.require_documents and audited."""
