-- Live 典型案例 with whether their 行政处罚决定书 is attached.
SELECT unit, agency, batch_id, case_name, focus_key, violation_key, decision_number, fine, joint_enforcement,
       transferred, has_decision_document, received_on
FROM v_typical_cases_live
ORDER BY received_on, batch_id
