-- 市町村プラットフォーム (municipal platforms): each municipality's latest survey answer on or before a date.
-- Formula: per municipality the row with the latest as_of <= $as_of (null = the latest of all); a later vintage
--          supersedes an earlier one, earlier ones stay in the table. partners_connected = number of partner
--          columns marked connected (true); a blank cell (null) counts as not connected.
-- Grain: one row per municipality that answered any survey up to $as_of.
-- Filter: $f_prefecture_code (varchar[]; null = every prefecture), $f_municipality_code (varchar[]; null = all).
with answered as (
    select *
    from platforms
    where ($as_of::date is null or as_of <= $as_of::date)
      and ($f_prefecture_code::varchar[] is null or list_contains($f_prefecture_code::varchar[], prefecture_code))
      and ($f_municipality_code::varchar[] is null
           or list_contains($f_municipality_code::varchar[], municipality_code))
    qualify row_number() over (partition by municipality_code order by as_of desc, batch_id desc, source_row) = 1
)

select
    *,
    (coalesce(partner_self_reliance, false)::integer
     + coalesce(partner_support_station, false)::integer
     + coalesce(partner_hello_work, false)::integer
     + coalesce(partner_disability_employment_center, false)::integer
     + coalesce(partner_business, false)::integer
     + coalesce(partner_hikikomori_center, false)::integer
     + coalesce(partner_family_peer_groups, false)::integer
     + coalesce(partner_social_welfare_council, false)::integer
     + coalesce(partner_welfare_commissioners, false)::integer
     + coalesce(partner_public_health, false)::integer
     + coalesce(partner_local_media, false)::integer) as partners_connected,
    11 as partners_total
from answered
order by prefecture_code, municipality_code
