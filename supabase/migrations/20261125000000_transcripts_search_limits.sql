-- Transcript history, search over summary Markdown, URL size limits, an atomic job update, and function privileges.
-- Written to be re-runnable (the runner applies it once, but `supabase db push` users may replay it by hand).

-- Every transcript an article has had; articles.transcript is the current one (it feeds the search column).
create table if not exists transcripts (
  id uuid primary key default gen_random_uuid(),
  article_id uuid not null references articles (id) on delete cascade,
  source text not null,
  model text,
  text text not null,
  segments jsonb,
  created_at timestamptz not null default now()
);
create index if not exists transcripts_article_idx on transcripts (article_id, created_at desc);
alter table transcripts enable row level security;

-- Search also over the summary's Markdown. A generated column cannot be altered in place: drop and re-add.
drop index if exists articles_search_idx;
alter table articles drop column if exists search;
alter table articles add column search tsvector generated always as (
  setweight(to_tsvector('simple', coalesce(title, '')), 'A')
  || setweight(to_tsvector('simple', coalesce(summary ->> 'tldr', '')), 'B')
  || setweight(to_tsvector('simple', left(coalesce(summary ->> 'markdown', ''), 20000)), 'C')
  || setweight(to_tsvector('simple', left(coalesce(text, ''), 100000)), 'C')
  || setweight(to_tsvector('simple', left(coalesce(transcript ->> 'text', ''), 100000)), 'D')
) stored;
create index if not exists articles_search_idx on articles using gin (search);

-- A btree entry must fit a third of a page (~2.7 kB): longer keys would fail deep inside an insert. Refuse them clearly.
-- NOT VALID: existing rows are not rescanned, new ones are checked.
alter table articles drop constraint if exists articles_canonical_url_size;
alter table articles add constraint articles_canonical_url_size check (octet_length(canonical_url) <= 2048) not valid;
alter table jobs drop constraint if exists jobs_canonical_url_size;
alter table jobs add constraint jobs_canonical_url_size check (octet_length(canonical_url) <= 2048) not valid;
alter table transcript_chunks drop constraint if exists transcript_chunks_media_url_size;
alter table transcript_chunks add constraint transcript_chunks_media_url_size
  check (octet_length(media_url) <= 2048) not valid;

-- getArticleByCanonicalUrl also looks through completed jobs' URLs.
create index if not exists jobs_url_idx on jobs (canonical_url);

-- Applies a JobPatch (camelCase keys; a present null clears, an absent key keeps) in one statement, merging
-- per-step timings so two stages' updates never overwrite each other. Returns the job, or null when absent.
create or replace function update_job(p_id text, p_patch jsonb)
returns jsonb
language sql
set search_path = public
as $$
  update jobs set
    status = case when p_patch ? 'status' then p_patch ->> 'status' else status end,
    step = case when p_patch ? 'step' then p_patch ->> 'step' else step end,
    reason = case when p_patch ? 'reason' then p_patch ->> 'reason' else reason end,
    message = case when p_patch ? 'message' then p_patch ->> 'message' else message end,
    article_id = case when p_patch ? 'articleId' then (p_patch ->> 'articleId')::uuid else article_id end,
    run_id = case when p_patch ? 'runId' then p_patch ->> 'runId' else run_id end,
    attempts = case when p_patch ? 'attempts' then (p_patch ->> 'attempts')::integer else attempts end,
    cost_usd = case when p_patch ? 'costUsd' then (p_patch ->> 'costUsd')::numeric else cost_usd end,
    steps = case when jsonb_typeof(p_patch -> 'steps') = 'object'
                 then jsonb_strip_nulls(steps || (p_patch -> 'steps')) else steps end,
    updated_at = now()
  where id = p_id
  returning to_jsonb(jobs.*);
$$;

-- As before, plus a transcript version whenever the transcript changes.
create or replace function upsert_article(p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  saved articles;
  previous jsonb;
  new_transcript jsonb := nullif(p -> 'transcript', 'null'::jsonb);
begin
  select a.transcript into previous from articles a where a.canonical_url = p ->> 'canonicalUrl';

  insert into articles (url, canonical_url, title, byline, site_name, lang, published_time, excerpt, html, text,
                        media, transcript, summary, provenance, cost_usd)
  values (p ->> 'url', p ->> 'canonicalUrl', coalesce(p ->> 'title', ''), p ->> 'byline', p ->> 'siteName',
          p ->> 'lang', p ->> 'publishedTime', p ->> 'excerpt', coalesce(p ->> 'html', ''), coalesce(p ->> 'text', ''),
          coalesce(p -> 'media', '[]'::jsonb), new_transcript, p -> 'summary',
          p -> 'provenance', (p -> 'provenance' ->> 'costUsd')::numeric)
  on conflict (canonical_url) do update set
    url = excluded.url, title = excluded.title, byline = excluded.byline, site_name = excluded.site_name,
    lang = excluded.lang, published_time = excluded.published_time, excerpt = excluded.excerpt,
    html = excluded.html, text = excluded.text, media = excluded.media,
    transcript = coalesce(excluded.transcript, articles.transcript), summary = excluded.summary,
    provenance = excluded.provenance, cost_usd = excluded.cost_usd, updated_at = now()
  returning * into saved;

  insert into summaries (article_id, model, prompt_version, lang, content, provenance, input_tokens, output_tokens,
                         cost_usd)
  values (saved.id, coalesce(p -> 'provenance' ->> 'model', 'unknown'),
          coalesce(p -> 'provenance' ->> 'promptVersion', 'unknown'), p ->> 'lang', p -> 'summary', p -> 'provenance',
          coalesce((p -> 'provenance' ->> 'inputTokens')::integer, 0),
          coalesce((p -> 'provenance' ->> 'outputTokens')::integer, 0),
          (p -> 'provenance' ->> 'costUsd')::numeric);

  if new_transcript is not null and new_transcript is distinct from previous then
    insert into transcripts (article_id, source, model, text, segments)
    values (saved.id, coalesce(new_transcript ->> 'source', 'unknown'), new_transcript ->> 'model',
            coalesce(new_transcript ->> 'text', ''), new_transcript -> 'segments');
  end if;

  return to_jsonb(saved) - 'search';
end;
$$;

alter function create_job(text, text, text, boolean) set search_path = public;
alter function search_articles(text, integer, real, timestamptz, uuid) set search_path = public;

-- Functions are executable by PUBLIC by default, and Supabase exposes public functions to anon over PostgREST.
-- Only the server (service role, or the owner on a direct connection) may call them.
revoke execute on function create_job(text, text, text, boolean) from public;
revoke execute on function update_job(text, jsonb) from public;
revoke execute on function upsert_article(jsonb) from public;
revoke execute on function search_articles(text, integer, real, timestamptz, uuid) from public;
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = role_name) then
      execute format('revoke execute on all functions in schema public from %I', role_name);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    execute 'grant execute on all functions in schema public to service_role';
  end if;
end;
$$;
