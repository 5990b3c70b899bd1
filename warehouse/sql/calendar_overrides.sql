-- Effective calendar overrides: an admin's row for a day beats the campaign file's row.
SELECT day, arg_max(workday, CASE source WHEN 'admin' THEN 1 ELSE 0 END) AS workday
FROM calendar_overrides
GROUP BY day
