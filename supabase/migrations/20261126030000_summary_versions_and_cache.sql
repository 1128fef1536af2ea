-- Summary versions and the summary cache (issue 12), and jobs that make a new summary of an existing article.
-- Re-runnable, like the migrations before it.

-- A summary is found again by content hash + model + prompt version + language: a re-run of unchanged content reuses it.
alter table summaries add column if not exists cache_key text;
create index if not exists summaries_cache_key_idx on summaries (cache_key, created_at desc) where cache_key is not null;

-- Which of an article's summaries is the current one (articles.summary is a copy of its content).
alter table articles add column if not exists summary_id uuid;
alter table articles drop constraint if exists articles_summary_id_fkey;
alter table articles add constraint articles_summary_id_fkey
  foreign key (summary_id) references summaries (id) on delete set null;

-- kind 'summary': a new summary version of an existing article (POST /api/articles/:id/summaries).
-- lang / model: what the admin asked for (null: the page's language, the configured model).
alter table jobs add column if not exists kind text not null default 'article';
alter table jobs drop constraint if exists jobs_kind_check;
alter table jobs add constraint jobs_kind_check check (kind in ('article', 'summary'));
alter table jobs add column if not exists lang text;
alter table jobs add column if not exists model text;
alter table jobs drop constraint if exists jobs_lang_size;
alter table jobs add constraint jobs_lang_size check (octet_length(lang) <= 35 and octet_length(model) <= 200) not valid;

-- One active job per URL holds for article jobs only: summary versions of one article may run side by side.
drop index if exists jobs_active_url_idx;
create unique index if not exists jobs_active_url_idx on jobs (canonical_url)
  where status in ('queued', 'running') and kind = 'article';

drop function if exists create_job(text, text, text, boolean);
create or replace function create_job(p_id text, p_url text, p_canonical_url text, p_force boolean,
                                      p_kind text default 'article', p_lang text default null,
                                      p_model text default null, p_article_id uuid default null)
returns table (job jsonb, created boolean)
language plpgsql
set search_path = public
as $$
begin
  if p_kind = 'summary' then
    insert into jobs (id, url, canonical_url, force, kind, lang, model, article_id)
    values (p_id, p_url, p_canonical_url, p_force, p_kind, p_lang, p_model, p_article_id);
    return query select to_jsonb(j), true from jobs j where j.id = p_id;
    return;
  end if;
  for attempt in 1..3 loop
    insert into jobs (id, url, canonical_url, force, kind, lang, model)
    values (p_id, p_url, p_canonical_url, p_force, 'article', p_lang, p_model)
    on conflict (canonical_url) where status in ('queued', 'running') and kind = 'article' do nothing;
    if found then
      return query select to_jsonb(j), true from jobs j where j.id = p_id;
      return;
    end if;
    return query select to_jsonb(j), false from jobs j
      where j.canonical_url = p_canonical_url and j.status in ('queued', 'running') and j.kind = 'article' limit 1;
    if found then
      return;
    end if;
    -- The active job finished between our insert and select: try again.
  end loop;
  raise exception 'could not create a job for %', p_canonical_url;
end;
$$;

-- Saves the article (upsert_article records its summary as a version), then marks that version current and
-- files it under its cache key. One statement, so a reader never sees the article without its current version.
create or replace function save_article(p jsonb, p_cache_key text)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  saved jsonb;
  version uuid;
begin
  saved := upsert_article(p);
  select id into version from summaries where article_id = (saved ->> 'id')::uuid
    order by created_at desc, id desc limit 1;
  update summaries set cache_key = p_cache_key, lang = coalesce(p -> 'provenance' ->> 'lang', lang) where id = version;
  update articles set summary_id = version where id = (saved ->> 'id')::uuid;
  return saved || jsonb_build_object('summary_id', version);
end;
$$;

-- A new summary version of an existing article, made current. Returns the article, or null when it is gone.
create or replace function add_summary(p_article_id uuid, p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  version uuid;
  saved articles;
begin
  if not exists (select 1 from articles where id = p_article_id) then
    return null;
  end if;
  insert into summaries (article_id, model, prompt_version, lang, content, provenance, input_tokens, output_tokens,
                         cost_usd, cache_key)
  values (p_article_id, coalesce(p -> 'provenance' ->> 'model', 'unknown'),
          coalesce(p -> 'provenance' ->> 'promptVersion', 'unknown'), p -> 'provenance' ->> 'lang', p -> 'summary',
          p -> 'provenance', coalesce((p -> 'provenance' ->> 'inputTokens')::integer, 0),
          coalesce((p -> 'provenance' ->> 'outputTokens')::integer, 0), (p -> 'provenance' ->> 'costUsd')::numeric,
          p ->> 'cacheKey')
  returning id into version;
  update articles set summary = p -> 'summary', provenance = p -> 'provenance',
                      cost_usd = (p -> 'provenance' ->> 'costUsd')::numeric, summary_id = version, updated_at = now()
  where id = p_article_id returning * into saved;
  return to_jsonb(saved) - 'search';
end;
$$;

-- Makes one of an article's versions current. Returns the article, or null when either does not exist.
create or replace function set_current_summary(p_article_id uuid, p_summary_id uuid)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  saved articles;
begin
  update articles a set summary = s.content, provenance = s.provenance, cost_usd = s.cost_usd, summary_id = s.id,
                        updated_at = now()
  from summaries s
  where a.id = p_article_id and s.id = p_summary_id and s.article_id = p_article_id
  returning a.* into saved;
  if saved.id is null then
    return null;
  end if;
  return to_jsonb(saved) - 'search';
end;
$$;

-- As for the earlier functions: only the server may call them (see 20261125000000).
revoke execute on function create_job(text, text, text, boolean, text, text, text, uuid) from public;
revoke execute on function save_article(jsonb, text) from public;
revoke execute on function add_summary(uuid, jsonb) from public;
revoke execute on function set_current_summary(uuid, uuid) from public;
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
