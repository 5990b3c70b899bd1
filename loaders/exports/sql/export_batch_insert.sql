-- The export-specific facts of a batch (its row in `batches` is written just before, in the same transaction).
INSERT INTO export_batches (batch_id, source, file_format, encoding, sheet, header_row, exported_at,
                            exported_at_basis, columns_mapped, columns_personal, columns_ignored, rows_skipped,
                            hmac_key_id)
VALUES ($batch_id, $source, $file_format, $encoding, $sheet, $header_row, $exported_at, $basis, $mapped,
        $personal::VARCHAR[], $ignored::VARCHAR[], $skipped, $key_id)
