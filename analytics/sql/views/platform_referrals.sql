-- 機関間の紹介 per place (referrals between agencies): consultations that referred the person to another agency.
-- Formula: referrals = count(*) of consultations with referred_to filled.
-- Grain: one row per {{dims}}(the grouping columns; municipality_code for the platforms page).
-- Unit: 件. Filters: the nine dimensions (indicators/dimension_filter), scoped like every grain file.
with filtered as (
    select *
    from consultation_dims
    where referred_to is not null
      and {{include indicators/dimension_filter}}
)

select {{dims}}count(*) as referrals
from filtered
group by all
