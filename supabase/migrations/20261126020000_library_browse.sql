-- The library page: filters (kind, tag, site, saved-date range) that combine with full-text search, newest or most
-- relevant first, offset pages, and counts per filter value. One call returns one JSON document so every adapter
-- (postgres.js, PGlite, PostgREST rpc) reads it the same way. Facet counts apply the other filters, not their own.
create or replace function library_browse(p jsonb)
returns jsonb
language plpgsql
stable
set search_path = public
as $$
declare
  q tsquery := case when coalesce(trim(p ->> 'q'), '') = '' then null else websearch_to_tsquery('simple', p ->> 'q') end;
  v_kind text := nullif(p ->> 'kind', '');
  v_tag text := nullif(p ->> 'tag', '');
  v_site text := nullif(p ->> 'site', '');
  v_from timestamptz := nullif(p ->> 'from', '')::date;
  v_to timestamptz := nullif(p ->> 'to', '')::date + 1;
  v_relevance boolean := p ->> 'sort' = 'relevance' and q is not null;
  v_limit integer := least(greatest(coalesce((p ->> 'limit')::integer, 20), 1), 100);
  v_offset integer := least(greatest(coalesce((p ->> 'offset')::integer, 0), 0), 100000);
  result jsonb;
begin
  with matched as (
    select a.id, a.url, a.title, a.site_name, a.summary, a.published_time, a.created_at, a.text, a.transcript,
           case when q is null then 0 else ts_rank(a.search, q) end as score,
           case
             when a.media @> '[{"kind": "youtube"}]' then 'video'
             when a.transcript is not null and (a.media @> '[{"kind": "audio"}]' or a.media @> '[{"kind": "feed"}]')
               then 'podcast'
             when a.transcript is not null and a.media @> '[{"kind": "video"}]' then 'video'
             when a.provenance ->> 'extractor' ilike '%pdf%' then 'pdf'
             else 'article'
           end as kind
    from articles a
    where (q is null or a.search @@ q)
      and (v_from is null or a.created_at >= v_from)
      and (v_to is null or a.created_at < v_to)
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
               'snippet', case when q is null then null else
                 ts_headline('simple', left(pg.text, 15000) || ' ' || left(coalesce(pg.transcript ->> 'text', ''), 15000), q,
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
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = role_name) then
      execute format('revoke execute on function library_browse(jsonb) from %I', role_name);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    execute 'grant execute on function library_browse(jsonb) to service_role';
  end if;
end;
$$;
