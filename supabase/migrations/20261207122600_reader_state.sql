-- The reader's workflow (issue 26): triage state, read, favourite, reading position and a note per article;
-- highlights with optional notes; both searchable. Re-runnable, like the migrations before it.

alter table articles add column if not exists state text not null default 'inbox';
alter table articles drop constraint if exists articles_state_check;
alter table articles add constraint articles_state_check check (state in ('inbox', 'archived'));
alter table articles add column if not exists read boolean not null default false;
alter table articles add column if not exists favorite boolean not null default false;
alter table articles add column if not exists note text not null default '';
alter table articles drop constraint if exists articles_note_size;
alter table articles add constraint articles_note_size check (char_length(note) <= 20000);
-- Where the reader stopped: a fraction of the page for text, seconds for media (either may be unknown).
alter table articles add column if not exists read_fraction double precision;
alter table articles add column if not exists media_seconds double precision;
-- The note and every highlight (quote and note) as one text, kept by the functions below, indexed for search
-- beside the article's own search column (a generated column cannot read another table).
alter table articles add column if not exists annotations text not null default '';
alter table articles add column if not exists notes_search tsvector
  generated always as (to_tsvector('simple', left(annotations, 100000))) stored;
create index if not exists articles_notes_search_idx on articles using gin (notes_search);
-- The library opens on the inbox, newest first.
create index if not exists articles_state_created_idx on articles (state, created_at desc, id desc);

create table if not exists highlights (
  id uuid primary key default gen_random_uuid(),
  article_id uuid not null references articles (id) on delete cascade,
  quote text not null check (char_length(quote) between 1 and 5000),
  note text check (char_length(note) <= 10000),
  -- Where the quote was found: the article's text or its transcript; quote_offset: characters into that source.
  source text not null check (source in ('text', 'transcript')),
  quote_offset integer not null default 0,
  -- Transcript highlights keep the time of the segment they start in (seconds on the episode's timeline).
  start_sec double precision,
  created_at timestamptz not null default now()
);
create index if not exists highlights_article_idx on highlights (article_id, created_at);
alter table highlights enable row level security;

-- The article's annotations text: its note, then each highlight's quote and note, oldest first.
create or replace function article_annotations(p_article_id uuid)
returns text
language sql
stable
set search_path = public
as $$
  select concat_ws(E'\n', (select note from articles where id = p_article_id),
    (select string_agg(h.quote || coalesce(E'\n' || h.note, ''), E'\n' order by h.created_at, h.id)
     from highlights h where h.article_id = p_article_id));
$$;

-- Applies a reader's patch (camelCase keys; an absent key keeps the value): state, read, favorite, title, tags (into
-- the current summary and its version), note, readFraction, mediaSeconds. Returns the article, or null when absent.
create or replace function update_article(p_id uuid, p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  saved articles;
begin
  update articles set
    state = case when p ? 'state' then p ->> 'state' else state end,
    read = case when p ? 'read' then (p ->> 'read')::boolean else read end,
    favorite = case when p ? 'favorite' then (p ->> 'favorite')::boolean else favorite end,
    title = case when p ? 'title' then p ->> 'title' else title end,
    summary = case when p ? 'tags' then jsonb_set(summary, '{tags}', p -> 'tags') else summary end,
    note = case when p ? 'note' then coalesce(p ->> 'note', '') else note end,
    read_fraction = case when p ? 'readFraction' then (p ->> 'readFraction')::double precision else read_fraction end,
    media_seconds = case when p ? 'mediaSeconds' then (p ->> 'mediaSeconds')::double precision else media_seconds end,
    updated_at = now()
  where id = p_id
  returning * into saved;
  if saved.id is null then
    return null;
  end if;
  if p ? 'tags' and saved.summary_id is not null then
    update summaries set content = jsonb_set(content, '{tags}', p -> 'tags') where id = saved.summary_id;
  end if;
  if p ? 'note' then
    update articles set annotations = article_annotations(p_id) where id = p_id returning * into saved;
  end if;
  return to_jsonb(saved) - 'search' - 'notes_search' - 'annotations';
end;
$$;

-- Deletes the article with its summary versions, transcripts and highlights (cascades), its finished jobs (so the
-- URL is new again) and the transcription cache of its media. Jobs still running keep going, unlinked. Returns
-- { jobIds } (their progress logs are removed by the caller), or null when there is no such article.
create or replace function delete_article(p_id uuid)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  gone articles;
  job_ids jsonb;
begin
  delete from articles where id = p_id returning * into gone;
  if gone.id is null then
    return null;
  end if;
  with deleted as (
    delete from jobs
    where (article_id = p_id or (article_id is null and canonical_url in (gone.canonical_url, gone.url)))
      and status not in ('queued', 'running')
    returning id
  )
  select coalesce(jsonb_agg(id), '[]'::jsonb) into job_ids from deleted;
  delete from transcript_chunks
  where media_url in (select m ->> 'url' from jsonb_array_elements(gone.media) m where m ? 'url');
  return jsonb_build_object('jobIds', job_ids);
end;
$$;

-- A highlight of an existing article (the quote was checked against its text by the caller). Null when the article
-- is gone.
create or replace function add_highlight(p_article_id uuid, p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  saved highlights;
begin
  perform 1 from articles where id = p_article_id for update;
  if not found then
    return null;
  end if;
  insert into highlights (article_id, quote, note, source, quote_offset, start_sec)
  values (p_article_id, p ->> 'quote', nullif(p ->> 'note', ''), p ->> 'source', coalesce((p ->> 'offset')::integer, 0),
          (p ->> 'startSec')::double precision)
  returning * into saved;
  update articles set annotations = article_annotations(p_article_id) where id = p_article_id;
  return to_jsonb(saved);
end;
$$;

create or replace function delete_highlight(p_article_id uuid, p_id uuid)
returns boolean
language plpgsql
set search_path = public
as $$
begin
  delete from highlights where id = p_id and article_id = p_article_id;
  if not found then
    return false;
  end if;
  update articles set annotations = article_annotations(p_article_id) where id = p_article_id;
  return true;
end;
$$;

-- Search also finds notes and highlights; otherwise as in 20261125010000 (planned per branch, index only).
create or replace function search_articles(p_q text, p_limit integer, p_after_rank real, p_after_created timestamptz,
                                           p_after_id uuid)
returns table (id uuid, url text, title text, site_name text, tldr text, tags jsonb, snippet text, rank real,
               created_at timestamptz)
language plpgsql
stable
set search_path = public
set enable_seqscan = off
as $$
#variable_conflict use_column
declare
  q tsquery;
begin
  if coalesce(trim(p_q), '') = '' then
    return query
      select a.id, a.url, a.title, a.site_name, a.summary ->> 'tldr', coalesce(a.summary -> 'tags', '[]'::jsonb),
             null::text, 0::real, a.created_at
      from articles a
      where p_after_id is null or p_after_created is null or (a.created_at, a.id) < (p_after_created, p_after_id)
      order by a.created_at desc, a.id desc
      limit p_limit;
    return;
  end if;
  q := websearch_to_tsquery('simple', p_q);
  return query
    with page as (
      select a.id as article_id, ts_rank(a.search, q) + ts_rank(a.notes_search, q) as score
      from articles a
      where (a.search @@ q or a.notes_search @@ q)
        and (p_after_id is null or p_after_rank is null
             or (ts_rank(a.search, q) + ts_rank(a.notes_search, q), a.id) < (p_after_rank, p_after_id))
      order by score desc, a.id desc
      limit p_limit
    )
    select a.id, a.url, a.title, a.site_name, a.summary ->> 'tldr', coalesce(a.summary -> 'tags', '[]'::jsonb),
           ts_headline('simple', left(a.annotations, 5000) || ' ' || left(a.text, 15000) || ' '
                       || left(coalesce(a.transcript ->> 'text', ''), 15000), q,
                       'MaxFragments=2, MaxWords=25, MinWords=8, StartSel=<b>, StopSel=</b>'),
           page.score, a.created_at
    from page join articles a on a.id = page.article_id
    order by page.score desc, a.id desc;
end;
$$;

-- The library page learns the reader's filters (state, favorite, read), each combined with the others, and
-- finds notes and highlights; its items carry the reader's state. Otherwise as in 20261126020000.
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
  v_state text := nullif(p ->> 'state', '');
  v_favorite boolean := (p ->> 'favorite')::boolean;
  v_read boolean := (p ->> 'read')::boolean;
  v_relevance boolean := p ->> 'sort' = 'relevance' and q is not null;
  v_limit integer := least(greatest(coalesce((p ->> 'limit')::integer, 20), 1), 100);
  v_offset integer := least(greatest(coalesce((p ->> 'offset')::integer, 0), 0), 100000);
  result jsonb;
begin
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
    where (q is null or a.search @@ q or a.notes_search @@ q)
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

-- As for the other functions: only the server may call them (anon/authenticated exist on Supabase only).
revoke execute on function article_annotations(uuid) from public;
revoke execute on function update_article(uuid, jsonb) from public;
revoke execute on function delete_article(uuid) from public;
revoke execute on function add_highlight(uuid, jsonb) from public;
revoke execute on function delete_highlight(uuid, uuid) from public;
revoke execute on function search_articles(text, integer, real, timestamptz, uuid) from public;
revoke execute on function library_browse(jsonb) from public;
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = role_name) then
      execute format('revoke execute on function article_annotations(uuid) from %I', role_name);
      execute format('revoke execute on function update_article(uuid, jsonb) from %I', role_name);
      execute format('revoke execute on function delete_article(uuid) from %I', role_name);
      execute format('revoke execute on function add_highlight(uuid, jsonb) from %I', role_name);
      execute format('revoke execute on function delete_highlight(uuid, uuid) from %I', role_name);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    execute 'grant execute on function article_annotations(uuid) to service_role';
    execute 'grant execute on function update_article(uuid, jsonb) to service_role';
    execute 'grant execute on function delete_article(uuid) to service_role';
    execute 'grant execute on function add_highlight(uuid, jsonb) to service_role';
    execute 'grant execute on function delete_highlight(uuid, uuid) to service_role';
    execute 'grant execute on function search_articles(text, integer, real, timestamptz, uuid) to service_role';
    execute 'grant execute on function library_browse(jsonb) to service_role';
  end if;
end;
$$;
