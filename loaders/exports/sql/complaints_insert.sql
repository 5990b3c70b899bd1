-- Staged 12315/12358 rows → record versions. The phone number arrives only to be hashed here:
-- HMAC-SHA256(key, phone) = sha256(outer pad || sha256(inner pad || phone)); the column itself is not stored.
INSERT INTO complaint_versions BY NAME
SELECT * EXCLUDE (__phone, __bad),
       CASE WHEN __phone IS NULL THEN NULL
            ELSE sha256($opad::BLOB || unhex(sha256($ipad::BLOB || encode(__phone))))
       END AS complainant_hash
FROM export_stage
WHERE NOT __bad  -- quarantined rows go to export_quarantine instead
