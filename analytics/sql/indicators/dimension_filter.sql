-- 次元フィルタ (dimension filter): the one definition of how the nine filter dimensions restrict rows.
-- Included by the grain and view files with an "include indicators/dimension_filter" marker (see db.sql_text).
-- One bound list parameter per dimension (f_fiscal_year, ...): a row passes when its value is in the
-- list; a null list means no filter on that dimension. The including query must expose the nine columns.
($f_fiscal_year::integer[] is null or list_contains($f_fiscal_year::integer[], fiscal_year))
  and ($f_fiscal_quarter::varchar[] is null or list_contains($f_fiscal_quarter::varchar[], fiscal_quarter))
  and ($f_month::varchar[] is null or list_contains($f_month::varchar[], month))
  and ($f_prefecture_code::varchar[] is null or list_contains($f_prefecture_code::varchar[], prefecture_code))
  and ($f_municipality_code::varchar[] is null or list_contains($f_municipality_code::varchar[], municipality_code))
  and ($f_target_group::varchar[] is null or list_contains($f_target_group::varchar[], target_group))
  and ($f_agency_type::varchar[] is null or list_contains($f_agency_type::varchar[], agency_type))
  and ($f_gender::varchar[] is null or list_contains($f_gender::varchar[], gender))
  and ($f_age_band::varchar[] is null or list_contains($f_age_band::varchar[], age_band))
