-- 開始コホートの次元 (start-cohort dimensions): a person belongs to the period, region, group, agency, gender and
-- age band of their first consultation. The one mapping from person_facts' first_* columns to the nine filter
-- and grouping dimensions; included in the select list of the cohort files (cohorts, cohort_curve,
-- views/support_path) with an "include indicators/cohort_dimensions" marker (see db.sql_text).
first_fiscal_year as fiscal_year,
first_fiscal_quarter as fiscal_quarter,
first_month as month,
first_prefecture_code as prefecture_code,
first_municipality_code as municipality_code,
first_target_group as target_group,
first_agency_type as agency_type,
first_gender as gender,
first_age_band as age_band
