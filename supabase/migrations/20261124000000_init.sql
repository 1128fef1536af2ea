-- article-summarizer schema: the single source of truth for Supabase, PostgreSQL and PGlite.
-- Applied in order by `supabase db push` or by the app's runner (lib/store/migrate.ts), which records each file.

create table if not exists articles (
  id uuid primary key default gen_random_uuid(),
  url text not null,
  canonical_url text not null unique,
  title text not null default '',
  byline text,
  site_name text,
  lang text,
  published_time text,
  excerpt text,
  html text not null default '',
  text text not null default '',
  media jsonb not null default '[]'::jsonb,
  transcript jsonb,
  summary jsonb not null,
  provenance jsonb not null,
  cost_usd numeric(12, 6),
  -- 'simple' keeps every language searchable (no stemming); sizes are capped under tsvector's 1 MB limit.
  search tsvector generated always as (
    setweight(to_tsvector('simple', coalesce(title, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(summary ->> 'tldr', '')), 'B')
    || setweight(to_tsvector('simple', left(coalesce(text, ''), 100000)), 'C')
    || setweight(to_tsvector('simple', left(coalesce(transcript ->> 'text', ''), 100000)), 'D')
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists articles_search_idx on articles using gin (search);
create index if not exists articles_created_idx on articles (created_at desc, id desc);

-- Every summary ever made for an article; articles.summary is the current one.
create table if not exists summaries (
  id uuid primary key default gen_random_uuid(),
  article_id uuid not null references articles (id) on delete cascade,
  model text not null,
  prompt_version text not null,
  lang text,
  content jsonb not null,
  provenance jsonb not null,
  input_tokens integer not null default 0,
  output_tokens integer not null default 0,
  cost_usd numeric(12, 6),
  created_at timestamptz not null default now()
);
create index if not exists summaries_article_idx on summaries (article_id, created_at desc);

-- Transcription results by media identity, window and model: a retry never pays twice for the same audio.
create table if not exists transcript_chunks (
  media_url text not null,
  start_sec double precision not null,
  end_sec double precision not null,
  model text not null,
  transcript jsonb not null,
  created_at timestamptz not null default now(),
  primary key (media_url, start_sec, end_sec, model)
);

create table if not exists jobs (
  id text primary key,
  url text not null,
  canonical_url text not null,
  status text not null default 'queued'
    check (status in ('queued', 'running', 'completed', 'failed', 'cancelled')),
  step text check (step in ('fetch', 'detect', 'extract', 'transcribe', 'summarize', 'save')),
  reason text check (reason in (
    'invalid_url', 'blocked_url', 'http_error', 'timeout', 'too_large', 'unsupported_content', 'not_an_article',
    'paywall_or_bot_wall', 'no_media', 'media_unreadable', 'transcription_failed', 'summarization_failed',
    'rate_limited', 'storage_failed', 'cancelled', 'internal')),
  message text,
  article_id uuid references articles (id) on delete set null,
  force boolean not null default false,
  attempts integer not null default 0,
  run_id text,
  steps jsonb not null default '{}'::jsonb,
  cost_usd numeric(12, 6),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- At most one active job per URL: concurrent submissions of one URL make one job.
create unique index if not exists jobs_active_url_idx on jobs (canonical_url) where status in ('queued', 'running');
create index if not exists jobs_status_idx on jobs (status, created_at desc);

-- The server uses the service role (or a direct connection); nothing is public.
alter table articles enable row level security;
alter table summaries enable row level security;
alter table transcript_chunks enable row level security;
alter table jobs enable row level security;

-- Creates a job unless an active one exists for the URL; returns the job and whether it is new.
create or replace function create_job(p_id text, p_url text, p_canonical_url text, p_force boolean)
returns table (job jsonb, created boolean)
language plpgsql
as $$
begin
  for attempt in 1..3 loop
    insert into jobs (id, url, canonical_url, force)
    values (p_id, p_url, p_canonical_url, p_force)
    on conflict (canonical_url) where status in ('queued', 'running') do nothing;
    if found then
      return query select to_jsonb(j), true from jobs j where j.id = p_id;
      return;
    end if;
    return query select to_jsonb(j), false from jobs j
      where j.canonical_url = p_canonical_url and j.status in ('queued', 'running') limit 1;
    if found then
      return;
    end if;
    -- The active job finished between our insert and select: try again.
  end loop;
  raise exception 'could not create a job for %', p_canonical_url;
end;
$$;

-- Inserts or updates an article by canonical URL and records its summary as a new version, atomically.
create or replace function upsert_article(p jsonb)
returns jsonb
language plpgsql
as $$
declare
  saved articles;
begin
  insert into articles (url, canonical_url, title, byline, site_name, lang, published_time, excerpt, html, text,
                        media, transcript, summary, provenance, cost_usd)
  values (p ->> 'url', p ->> 'canonicalUrl', coalesce(p ->> 'title', ''), p ->> 'byline', p ->> 'siteName',
          p ->> 'lang', p ->> 'publishedTime', p ->> 'excerpt', coalesce(p ->> 'html', ''), coalesce(p ->> 'text', ''),
          coalesce(p -> 'media', '[]'::jsonb), nullif(p -> 'transcript', 'null'::jsonb), p -> 'summary',
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

  return to_jsonb(saved) - 'search';
end;
$$;

-- Ranked full-text search with highlighted snippets, or newest first without a query; keyset pagination.
create or replace function search_articles(p_q text, p_limit integer, p_after_rank real, p_after_created timestamptz,
                                           p_after_id uuid)
returns table (id uuid, url text, title text, site_name text, tldr text, tags jsonb, snippet text, rank real,
               created_at timestamptz)
language sql
stable
as $$
  with query as (
    select case when coalesce(trim(p_q), '') = '' then null else websearch_to_tsquery('simple', p_q) end as q
  ),
  page as (
    select a.id, a.url, a.title, a.site_name, a.summary, a.text, a.transcript, a.created_at,
           case when query.q is null then 0::real else ts_rank(a.search, query.q) end as rank, query.q
    from articles a, query
    where (query.q is null or a.search @@ query.q)
      and (
        p_after_id is null
        or (query.q is null and (a.created_at, a.id) < (p_after_created, p_after_id))
        or (query.q is not null and (ts_rank(a.search, query.q), a.id) < (p_after_rank, p_after_id))
      )
    -- Ranked: (rank, id). Unranked: (created_at, id). The cursor compares the same pair the order uses.
    order by rank desc, case when query.q is null then a.created_at end desc, a.id desc
    limit p_limit
  )
  select page.id, page.url, page.title, page.site_name, page.summary ->> 'tldr', coalesce(page.summary -> 'tags', '[]'),
         case when page.q is null then null
              else ts_headline('simple', left(page.text || ' ' || coalesce(page.transcript ->> 'text', ''), 50000),
                               page.q, 'MaxFragments=2, MaxWords=25, MinWords=8, StartSel=<b>, StopSel=</b>')
         end,
         page.rank, page.created_at
  from page
  order by page.rank desc, case when page.q is null then page.created_at end desc, page.id desc;
$$;
