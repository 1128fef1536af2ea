-- Imports (issue 26): an uploaded export's entries, each with what became of it (queued as a job, a duplicate, or
-- refused and why), and the reader's metadata it carried (tags, saved date, archived), applied to the article when
-- its job saves it. The background import (Inngest function import-requested, or the inline runner) works from
-- these rows, so a run that stops is resumed from them. Re-runnable, like the migrations before it.

create table if not exists imports (
  id text primary key,
  format text not null,
  filename text,
  status text not null default 'queued' check (status in ('queued', 'running', 'completed', 'failed')),
  total integer not null,
  message text,
  -- The inline runner's lease, as for jobs (Inngest resumes its own runs).
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
alter table imports enable row level security;

create table if not exists import_items (
  import_id text not null references imports (id) on delete cascade,
  position integer not null,
  url text not null check (char_length(url) <= 8192),
  title text check (char_length(title) <= 1000),
  tags jsonb not null default '[]'::jsonb,
  saved_at timestamptz,
  state text not null default 'inbox' check (state in ('inbox', 'archived')),
  outcome text not null default 'pending' check (outcome in ('pending', 'queued', 'duplicate', 'refused')),
  reason text,
  message text,
  -- host[:port] of the canonical URL: the unit of the per-host throttle.
  host text,
  job_id text references jobs (id) on delete set null,
  article_id uuid references articles (id) on delete set null,
  -- Handed to the runner (only queued items are; the throttle decides when).
  dispatched boolean not null default false,
  primary key (import_id, position)
);
create index if not exists import_items_pending_idx on import_items (import_id, position) where outcome = 'pending';
create index if not exists import_items_waiting_idx on import_items (import_id, position)
  where outcome = 'queued' and not dispatched;
create index if not exists import_items_job_idx on import_items (job_id) where job_id is not null;
alter table import_items enable row level security;

-- A new import with its entries (p: {id, format, filename, items: [{url, title, tags, savedAt, state}]}).
create or replace function create_import(p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
begin
  insert into imports (id, format, filename, total)
  values (p ->> 'id', p ->> 'format', p ->> 'filename', jsonb_array_length(p -> 'items'));
  insert into import_items (import_id, position, url, title, tags, saved_at, state)
  select p ->> 'id', (e.ord - 1)::integer, e.item ->> 'url', e.item ->> 'title', coalesce(e.item -> 'tags', '[]'::jsonb),
         (e.item ->> 'savedAt')::timestamptz, coalesce(e.item ->> 'state', 'inbox')
  from jsonb_array_elements(p -> 'items') with ordinality as e (item, ord);
  return (select to_jsonb(i) - 'lease_owner' - 'lease_until' from imports i where i.id = p ->> 'id');
end;
$$;

-- The entries still to be decided, in file order.
create or replace function import_pending(p_id text, p_limit integer)
returns jsonb
language sql
stable
set search_path = public
as $$
  select coalesce(jsonb_agg(jsonb_build_object('position', position, 'url', url) order by position), '[]'::jsonb)
  from (select position, url from import_items where import_id = p_id and outcome = 'pending'
        order by position limit p_limit) pending;
$$;

-- What became of entries (p: [{position, outcome, reason, message, host, jobId, articleId}]); the import is running.
create or replace function import_record(p_id text, p jsonb)
returns void
language sql
set search_path = public
as $$
  update import_items it set
    outcome = o ->> 'outcome', reason = o ->> 'reason', message = o ->> 'message', host = o ->> 'host',
    job_id = o ->> 'jobId', article_id = (o ->> 'articleId')::uuid
  from jsonb_array_elements(p) o
  where it.import_id = p_id and it.position = (o ->> 'position')::integer and it.outcome = 'pending';
  update imports set status = 'running', updated_at = now() where id = p_id and status = 'queued';
$$;

-- Decides a batch of validated entries in one transaction (p: [{position, url, canonicalUrl, host, jobId}], each
-- canonical URL once): a duplicate of the library (an article with that canonical URL, or a completed job's) or of
-- an active job, else a new queued job (create_job, so a concurrent submission of the URL still yields one job).
-- Entries already decided are skipped. Returns the jobs it created: [{position, jobId, url}].
create or replace function import_expand(p_id text, p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  e jsonb;
  pos integer;
  art uuid;
  made record;
  created jsonb := '[]'::jsonb;
begin
  for e in select value from jsonb_array_elements(p) loop
    pos := (e ->> 'position')::integer;
    continue when not exists (select 1 from import_items
                              where import_id = p_id and position = pos and outcome = 'pending');
    art := coalesce(
      (select a.id from articles a where a.canonical_url = e ->> 'canonicalUrl' limit 1),
      (select j.article_id from jobs j
       where j.canonical_url = e ->> 'canonicalUrl' and j.status = 'completed' and j.article_id is not null limit 1));
    if art is not null then
      update import_items set outcome = 'duplicate', reason = 'in_library', message = 'Already in the library',
        host = e ->> 'host', article_id = art
      where import_id = p_id and position = pos;
      continue;
    end if;
    select * into made from create_job(e ->> 'jobId', e ->> 'url', e ->> 'canonicalUrl', false);
    if made.created then
      update import_items set outcome = 'queued', host = e ->> 'host', job_id = e ->> 'jobId'
      where import_id = p_id and position = pos;
      created := created || jsonb_build_object('position', pos, 'jobId', e ->> 'jobId', 'url', e ->> 'url');
    else
      update import_items set outcome = 'duplicate', reason = 'active_job',
        message = 'Already queued or running', host = e ->> 'host', job_id = made.job ->> 'id'
      where import_id = p_id and position = pos;
    end if;
  end loop;
  update imports set status = 'running', updated_at = now() where id = p_id and status = 'queued';
  return created;
end;
$$;

-- The throttle's view: this import's jobs running per host, and the next jobs waiting to be handed to the runner.
-- A waiting job that is no longer queued (cancelled meanwhile) is marked handed over, so it is never started.
create or replace function import_dispatch_view(p_id text, p_limit integer)
returns jsonb
language plpgsql
set search_path = public
as $$
begin
  update import_items it set dispatched = true
  from jobs j
  where it.import_id = p_id and it.outcome = 'queued' and not it.dispatched and j.id = it.job_id and j.status <> 'queued';
  update import_items set dispatched = true
  where import_id = p_id and outcome = 'queued' and not dispatched and job_id is null;
  return jsonb_build_object(
    'active', coalesce((
      select jsonb_object_agg(a.host, a.n) from (
        select it.host, count(*) as n from import_items it join jobs j on j.id = it.job_id
        where it.import_id = p_id and it.dispatched and j.status in ('queued', 'running')
        group by it.host) a), '{}'::jsonb),
    'waiting', coalesce((
      select jsonb_agg(jsonb_build_object('position', w.position, 'jobId', w.job_id, 'url', w.url, 'host', w.host)
                       order by w.position)
      from (select position, job_id, url, host from import_items
            where import_id = p_id and outcome = 'queued' and not dispatched
            order by position limit p_limit) w), '[]'::jsonb),
    'waitingTotal', (select count(*) from import_items
                     where import_id = p_id and outcome = 'queued' and not dispatched)
  );
end;
$$;

create or replace function import_mark_dispatched(p_id text, p_positions integer[])
returns void
language sql
set search_path = public
as $$
  update import_items set dispatched = true where import_id = p_id and position = any (p_positions);
  update imports set updated_at = now() where id = p_id;
$$;

create or replace function import_set_status(p_id text, p_status text, p_message text)
returns void
language sql
set search_path = public
as $$
  update imports set status = p_status, message = p_message, updated_at = now(),
    finished_at = case when p_status in ('completed', 'failed') then now() end
  where id = p_id;
$$;

-- The import and its report: counts per outcome, its jobs per status, and every refused or duplicate entry.
create or replace function import_report(p_id text)
returns jsonb
language sql
stable
set search_path = public
as $$
  select case when i.id is null then null else
    to_jsonb(i) - 'lease_owner' - 'lease_until' || jsonb_build_object(
      'counts', (select jsonb_build_object(
          'pending', count(*) filter (where outcome = 'pending'),
          'queued', count(*) filter (where outcome = 'queued'),
          'duplicate', count(*) filter (where outcome = 'duplicate'),
          'refused', count(*) filter (where outcome = 'refused'),
          'dispatched', count(*) filter (where outcome = 'queued' and dispatched))
        from import_items where import_id = p_id),
      'jobs', coalesce((select jsonb_object_agg(s.status, s.n) from (
          select j.status, count(*) as n from import_items it join jobs j on j.id = it.job_id
          where it.import_id = p_id and it.outcome = 'queued' group by j.status) s), '{}'::jsonb),
      'refused', coalesce((select jsonb_agg(jsonb_build_object('position', position, 'url', url, 'reason', reason,
                                                               'message', message) order by position)
          from import_items where import_id = p_id and outcome = 'refused'), '[]'::jsonb),
      'duplicates', coalesce((select jsonb_agg(jsonb_build_object('position', position, 'url', url, 'reason', reason,
                                                                  'message', message, 'jobId', job_id,
                                                                  'articleId', article_id) order by position)
          from import_items where import_id = p_id and outcome = 'duplicate'), '[]'::jsonb))
  end
  from (select 1) one left join imports i on i.id = p_id;
$$;

-- The inline runner's lease on an active import (as lease_job): free, expired or already ours.
create or replace function lease_import(p_id text, p_owner text, p_ms integer)
returns boolean
language sql
set search_path = public
as $$
  with leased as (
    update imports set lease_owner = p_owner, lease_until = now() + make_interval(secs => p_ms / 1000.0)
    where id = p_id and status in ('queued', 'running')
      and (lease_owner = p_owner or lease_until is null or lease_until < now())
    returning id
  )
  select exists (select 1 from leased);
$$;

create or replace function release_import(p_id text, p_owner text)
returns void
language sql
set search_path = public
as $$
  update imports set lease_owner = null, lease_until = null where id = p_id and lease_owner = p_owner;
$$;

-- Active imports nobody holds: their runner stopped (or never took them), oldest first.
create or replace function abandoned_imports(p_limit integer)
returns jsonb
language sql
stable
set search_path = public
as $$
  select coalesce(jsonb_agg(id order by created_at), '[]'::jsonb) from (
    select id, created_at from imports
    where status in ('queued', 'running') and coalesce(lease_until, created_at + interval '30 seconds') < now()
    order by created_at limit p_limit) stale;
$$;

-- When an imported entry's job saves its article, the article takes the entry's tags (added to the summary's,
-- in the article and its current summary version), its saved date (when earlier) and its archived state (where the
-- articles table has one: issue 26's reader state).
create or replace function apply_imported_metadata()
returns trigger
language plpgsql
set search_path = public
as $$
declare
  item import_items;
  saved articles;
begin
  select * into item from import_items where job_id = new.id limit 1;
  if item.import_id is null then
    return new;
  end if;
  update articles a set
    summary = case when jsonb_array_length(item.tags) = 0 then a.summary else jsonb_set(a.summary, '{tags}',
      coalesce(a.summary -> 'tags', '[]'::jsonb) || coalesce((
        select jsonb_agg(t.tag) from jsonb_array_elements_text(item.tags) t (tag)
        where not coalesce(a.summary -> 'tags', '[]'::jsonb) ? t.tag), '[]'::jsonb)) end,
    created_at = least(a.created_at, coalesce(item.saved_at, a.created_at))
  where a.id = new.article_id
  returning * into saved;
  if saved.id is not null and saved.summary_id is not null and jsonb_array_length(item.tags) > 0 then
    update summaries set content = jsonb_set(content, '{tags}', saved.summary -> 'tags') where id = saved.summary_id;
  end if;
  if item.state = 'archived' and exists (
    select 1 from information_schema.columns
    where table_schema = 'public' and table_name = 'articles' and column_name = 'state'
  ) then
    execute 'update articles set state = ''archived'' where id = $1' using new.article_id;
  end if;
  update import_items set article_id = new.article_id where import_id = item.import_id and position = item.position;
  return new;
end;
$$;

drop trigger if exists jobs_apply_imported_metadata on jobs;
create trigger jobs_apply_imported_metadata
  after update of article_id on jobs
  for each row
  when (new.article_id is not null and old.article_id is distinct from new.article_id)
  execute function apply_imported_metadata();

-- As for the other functions: only the server may call them (anon/authenticated exist on Supabase only).
do $$
declare
  fn text;
  role_name text;
begin
  foreach fn in array array['create_import(jsonb)', 'import_pending(text, integer)', 'import_record(text, jsonb)', 'import_expand(text, jsonb)',
                            'import_dispatch_view(text, integer)', 'import_mark_dispatched(text, integer[])',
                            'import_set_status(text, text, text)', 'import_report(text)',
                            'lease_import(text, text, integer)', 'release_import(text, text)',
                            'abandoned_imports(integer)'] loop
    execute format('revoke execute on function %s from public', fn);
    foreach role_name in array array['anon', 'authenticated'] loop
      if exists (select 1 from pg_roles where rolname = role_name) then
        execute format('revoke execute on function %s from %I', fn, role_name);
      end if;
    end loop;
    if exists (select 1 from pg_roles where rolname = 'service_role') then
      execute format('grant execute on function %s to service_role', fn);
    end if;
  end loop;
end;
$$;
