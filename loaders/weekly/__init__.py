"""The weekly reports of the units: the 情况统计表 (统计表1 + 统计表2) and the deliverables.

- ``labels``: labels normalised and matched against the campaign's synonyms.
- ``values``: value cells (counts, amounts) as units type them.
- ``locate``: where 统计表1 and 统计表2 are, on any sheet.
- ``parse``: a filled-in workbook read by its labels, never by positions (pure: no warehouse).
- ``identity``: 填报单位 and 统计周期 → (unit, agency, week), checked against the upload form.
- ``checks``: the warnings a table is stored with.
- ``district_stats``: the loader (KIND, sniff, load, undo_batch): one table, one version, one transaction.
- ``template``: the .xlsx template a unit fills in.
- ``deliverables``: 实施方案, 总结报告, 典型案例 and 联合执法材料, stored with their metadata.
"""
