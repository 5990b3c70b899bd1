-- Items issued by $as_of, optionally of one (unit, agency), with their steps dated by $as_of (oldest first).
SELECT i.item_id, i.title, i.description, i.origin, i.merchant_key, i.record_ids, i.origin_unit, i.origin_agency,
       i.origin_week, i.origin_note, i.unit, i.agency, i.opened_on, i.workdays, i.due_date, i.opened_by,
       list(struct_pack(action := s.action, state_after := s.state_after, level_after := s.level_after,
                        on_date := s.on_date) ORDER BY s.step_id) AS steps
FROM followup_items i
JOIN followup_steps s ON s.item_id = i.item_id AND s.on_date <= $as_of
WHERE i.opened_on <= $as_of
  AND ($unit IS NULL OR i.unit = $unit)
  AND ($agency IS NULL OR i.agency = $agency)
  AND ($item_id IS NULL OR i.item_id = $item_id)
GROUP BY ALL
ORDER BY i.item_id
