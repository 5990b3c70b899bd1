-- Every step of one item with who did it, its note, what it cites and its files (newest last).
SELECT s.step_id, s.action, s.state_after, s.level_after, s.on_date, s.username, u.display_name, s.recorded_at,
       s.note, s.cited_case, c.case_name AS cited_case_name, c.decision_number AS cited_decision_number,
       s.cited_week, s.cited_violation,
       list(struct_pack(file_id := f.file_id, file_name := f.file_name, sha256 := f.sha256,
                        size_bytes := f.size_bytes) ORDER BY f.file_id) FILTER (WHERE f.file_id IS NOT NULL) AS files
FROM followup_steps s
LEFT JOIN users u ON u.username = s.username
LEFT JOIN typical_cases c ON c.batch_id = s.cited_case
LEFT JOIN followup_files f ON f.step_id = s.step_id
WHERE s.item_id = $item_id
GROUP BY ALL
ORDER BY s.step_id
