-- The failure inbox's triage state lives with the job, so every browser and the API see the same inbox: a failed or
-- cancelled job can be dismissed (hidden from the inbox, still retriable) and restored. A retry clears it, so a job
-- that fails again comes back.
alter table jobs add column if not exists dismissed_at timestamptz;
create index if not exists jobs_inbox_idx on jobs (created_at desc) where status = 'failed' and dismissed_at is null;

-- Dismisses (p_dismissed) or restores the job, only while it is failed or cancelled: a job a retry has just queued is
-- left as it is. Returns the job as to_jsonb(jobs.*), or null when there is no such job in a dismissible state.
create or replace function dismiss_job(p_id text, p_dismissed boolean)
returns jsonb
language sql
set search_path = public
as $$
  update jobs set dismissed_at = case when p_dismissed then coalesce(dismissed_at, now()) end
  where id = p_id and status in ('failed', 'cancelled')
  returning to_jsonb(jobs.*);
$$;

-- update_job learns `dismissedAt` (a retry sets it to null); otherwise as before.
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
    dismissed_at = case when p_patch ? 'dismissedAt' then (p_patch ->> 'dismissedAt')::timestamptz else dismissed_at end,
    steps = case when jsonb_typeof(p_patch -> 'steps') = 'object'
                 then jsonb_strip_nulls(steps || (p_patch -> 'steps')) else steps end,
    updated_at = now()
  where id = p_id
  returning to_jsonb(jobs.*);
$$;

-- As for the other functions: only the server may call them (anon/authenticated exist on Supabase only).
revoke execute on function dismiss_job(text, boolean) from public;
revoke execute on function update_job(text, jsonb) from public;
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = role_name) then
      execute format('revoke execute on function dismiss_job(text, boolean) from %I', role_name);
      execute format('revoke execute on function update_job(text, jsonb) from %I', role_name);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    execute 'grant execute on function dismiss_job(text, boolean) to service_role';
    execute 'grant execute on function update_job(text, jsonb) to service_role';
  end if;
end;
$$;
