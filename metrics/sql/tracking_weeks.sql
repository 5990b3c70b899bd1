-- The report weeks with their due dates (working-day calendar, computed at start-up).
SELECT week_start, week_end, due_date FROM ref_report_weeks ORDER BY week_start
