-- The library page's search used the GIN indexes only by chance: with a query, the planner scanned every article and
-- detoasted its tsvectors (a note found among 10,000 articles: ~600 ms under load, ~4–60 ms through the indexes).
-- library_browse as in 20261207122600, planned per call, the search's matches found through the indexes first.
create or replace function library_browse(p jsonb)
returns jsonb
language plpgsql
stable
set search_path = public
set plan_cache_mode = force_custom_plan
set enable_seqscan = on
as $$
declare
  q tsquery := case when coalesce(trim(p ->> 'q'), '') = '' then null else websearch_to_tsquery('simple', p ->> 'q') end;
  v_kind text := nullif(p ->> 'kind', '');
  v_tag text := nullif(p ->> 'tag', '');
  v_site text := nullif(p ->> 'site', '');
  v_from timestamptz := nullif(p ->> 'from', '')::date;
  v_to timestamptz := nullif(p ->> 'to', '')::date + 1;
  v_state text := nullif(p ->> 'state', '');
  v_favorite boolean := (p ->> 'favorite')::boolean;
  v_read boolean := (p ->> 'read')::boolean;
  v_relevance boolean := p ->> 'sort' = 'relevance' and q is not null;
  v_limit integer := least(greatest(coalesce((p ->> 'limit')::integer, 20), 1), 100);
  v_offset integer := least(greatest(coalesce((p ->> 'offset')::integer, 0), 0), 100000);
  v_ids uuid[];
  result jsonb;
begin
  -- A search's matches come from the GIN indexes first: the planner costs detoasting every row's tsvector as cheap
  -- and would scan them all (or walk another index and detoast its rows). The rest of the query then starts from
  -- those ids. Plans are made per call (force_custom_plan) so each sees its own setting; the function's SET restores
  -- it on exit.
  if q is not null then
    perform set_config('enable_seqscan', 'off', true);
    select coalesce(array_agg(s.id), '{}') into v_ids from (
      select a.id from articles a where a.search @@ q
      union
      select a.id from articles a where a.notes_search @@ q
    ) s;
    perform set_config('enable_seqscan', 'on', true);
  end if;
  with matched as (
    select a.id, a.url, a.title, a.site_name, a.summary, a.published_time, a.created_at, a.text, a.transcript,
           a.state, a.read, a.favorite, a.annotations,
           case when q is null then 0 else ts_rank(a.search, q) + ts_rank(a.notes_search, q) end as score,
           case
             when a.media @> '[{"kind": "youtube"}]' then 'video'
             when a.transcript is not null and (a.media @> '[{"kind": "audio"}]' or a.media @> '[{"kind": "feed"}]')
               then 'podcast'
             when a.transcript is not null and a.media @> '[{"kind": "video"}]' then 'video'
             when a.provenance ->> 'extractor' ilike '%pdf%' then 'pdf'
             else 'article'
           end as kind
    from articles a
    where (q is null or a.id = any(v_ids))
      and (v_from is null or a.created_at >= v_from)
      and (v_to is null or a.created_at < v_to)
      and (v_state is null or a.state = v_state)
      and (v_favorite is null or a.favorite = v_favorite)
      and (v_read is null or a.read = v_read)
  ),
  filtered as (
    select * from matched m
    where (v_kind is null or m.kind = v_kind)
      and (v_tag is null or m.summary -> 'tags' ? v_tag)
      and (v_site is null or coalesce(m.site_name, '') = v_site)
  ),
  page as (
    select * from filtered f
    order by case when v_relevance then f.score end desc nulls last, f.created_at desc, f.id desc
    limit v_limit offset v_offset
  )
  select jsonb_build_object(
    'total', (select count(*) from filtered),
    'items', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', pg.id, 'url', pg.url, 'title', pg.title, 'siteName', pg.site_name,
               'tldr', coalesce(pg.summary ->> 'tldr', ''), 'tags', coalesce(pg.summary -> 'tags', '[]'::jsonb),
               'kind', pg.kind, 'publishedTime', pg.published_time, 'createdAt', pg.created_at,
               'state', pg.state, 'read', pg.read, 'favorite', pg.favorite,
               'snippet', case when q is null then null else
                 ts_headline('simple', left(pg.annotations, 5000) || ' ' || left(pg.text, 15000) || ' '
                             || left(coalesce(pg.transcript ->> 'text', ''), 15000), q,
                             'MaxFragments=2, MaxWords=25, MinWords=8, StartSel=<b>, StopSel=</b>') end)
             order by case when v_relevance then pg.score end desc nulls last, pg.created_at desc, pg.id desc)
      from page pg), '[]'::jsonb),
    'facets', jsonb_build_object(
      'kind', coalesce((
        select jsonb_object_agg(k.kind, k.n) from (
          select m.kind, count(*) as n from matched m
          where (v_tag is null or m.summary -> 'tags' ? v_tag) and (v_site is null or coalesce(m.site_name, '') = v_site)
          group by m.kind) k), '{}'::jsonb),
      'tag', coalesce((
        select jsonb_agg(jsonb_build_array(t.tag, t.n) order by t.n desc, t.tag) from (
          select tag.value as tag, count(*) as n
          from matched m cross join lateral jsonb_array_elements_text(coalesce(m.summary -> 'tags', '[]'::jsonb)) tag
          where (v_kind is null or m.kind = v_kind) and (v_site is null or coalesce(m.site_name, '') = v_site)
          group by tag.value order by count(*) desc, tag.value limit 30) t), '[]'::jsonb),
      'site', coalesce((
        select jsonb_agg(jsonb_build_array(s.site, s.n) order by s.n desc, s.site) from (
          select coalesce(m.site_name, '') as site, count(*) as n from matched m
          where (v_kind is null or m.kind = v_kind) and (v_tag is null or m.summary -> 'tags' ? v_tag)
          group by coalesce(m.site_name, '') order by count(*) desc, coalesce(m.site_name, '') limit 30) s), '[]'::jsonb)
    )
  ) into result;
  return result;
end;
$$;

revoke execute on function library_browse(jsonb) from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    execute 'grant execute on function library_browse(jsonb) to service_role';
  end if;
end;
$$;
