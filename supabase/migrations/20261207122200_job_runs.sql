-- One state machine for every actor (issue 22). Every status change of a job is one conditional statement in
-- transition_job; the transitions (their names, allowed source states and fences) are named in one table in code,
-- lib/jobs/transitions.ts, which passes them here. A run holds the job by its token (`run_token`: the Inngest run id,
-- or a fresh id per inline start); writes fenced by the token are refused once another run (or a cancel) took it.

alter table jobs add column if not exists run_token text;

-- Applies one transition when the job is in one of p_from and the fence holds, else changes nothing and returns the
-- job as it is (`ok: false`): the caller answers 409 with the current state, or logs a refused stale write.
-- Fences: 'any'; 'holder' (p_token holds the job); 'expect' (the token is still the one the caller saw, null
-- included: a sweep never fails a job another run just took); 'start' (a new run may take the job when nobody holds
-- it, it already holds it, or the holder's lease is gone — an Inngest run holds no lease, so a newer run supersedes).
-- p_patch: the job fields to set (as update_job) and the effects `token` ('set' | 'clear'), `leaseMs`, `retry`
-- (attempts + 1, back in the inbox) and `dismissed`.
create or replace function transition_job(p_id text, p_from jsonb, p_to text, p_fence text, p_token text, p_patch jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  before jobs;
  after jobs;
  effect text := p_patch ->> 'token';
begin
  -- Locked first, so the checks, the update and `before` (what the transition changed) see one row.
  select * into before from jobs where id = p_id for update;
  if before.id is null then
    return null;
  end if;
  begin
    update jobs set
      status = coalesce(p_to, status),
      run_token = case effect when 'set' then p_token when 'clear' then null else run_token end,
      lease_owner = case effect when 'set' then p_token when 'clear' then null else lease_owner end,
      lease_until = case
        when effect = 'clear' then null
        when p_patch ? 'leaseMs' then now() + make_interval(secs => (p_patch ->> 'leaseMs')::numeric / 1000.0)
        when effect = 'set' then null
        else lease_until end,
      lease_takeovers = lease_takeovers
        + case when p_fence = 'start' and run_token is not null and run_token <> p_token then 1 else 0 end,
      attempts = attempts + case when coalesce((p_patch ->> 'retry')::boolean, false) then 1 else 0 end,
      dismissed_at = case
        when p_patch ? 'dismissed' then case when (p_patch ->> 'dismissed')::boolean then coalesce(dismissed_at, now()) end
        when coalesce((p_patch ->> 'retry')::boolean, false) then null
        else dismissed_at end,
      step = case when p_patch ? 'step' then p_patch ->> 'step' else step end,
      reason = case when p_patch ? 'reason' then p_patch ->> 'reason' else reason end,
      message = case when p_patch ? 'message' then p_patch ->> 'message' else message end,
      article_id = case when p_patch ? 'articleId' then (p_patch ->> 'articleId')::uuid else article_id end,
      run_id = case when p_patch ? 'runId' then p_patch ->> 'runId' else run_id end,
      cost_usd = case when p_patch ? 'costUsd' then (p_patch ->> 'costUsd')::numeric else cost_usd end,
      steps = case when jsonb_typeof(p_patch -> 'steps') = 'object'
                   then jsonb_strip_nulls(steps || (p_patch -> 'steps')) else steps end,
      updated_at = now()
    where id = p_id
      and status in (select jsonb_array_elements_text(p_from))
      and case p_fence
        when 'any' then true
        when 'holder' then run_token = p_token
        when 'expect' then run_token is not distinct from p_token
        when 'start' then run_token is null or run_token = p_token or lease_until is null or lease_until < now()
        else false
      end
    returning * into after;
  exception when unique_violation then
    -- Another job for the same URL is active: this one cannot become active too.
    return jsonb_build_object('ok', false, 'job', to_jsonb(before), 'conflict', 'active_url');
  end;
  if after.id is null then
    return jsonb_build_object('ok', false, 'job', to_jsonb(before));
  end if;
  return jsonb_build_object(
    'ok', true,
    'job', to_jsonb(after),
    'previous', jsonb_build_object('status', before.status, 'runToken', before.run_token)
  );
end;
$$;

-- The complete transition with the article saved in the same transaction: a run that no longer holds the job
-- (cancelled, superseded, taken over) saves nothing.
create or replace function complete_run(p_id text, p_token text, p_article jsonb, p_cache_key text, p_patch jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  held jobs;
  saved jsonb;
begin
  select * into held from jobs where id = p_id and status = 'running' and run_token = p_token for update;
  if held.id is null then
    return jsonb_build_object('ok', false, 'job', (select to_jsonb(j) from jobs j where j.id = p_id));
  end if;
  if p_article is not null then
    saved := save_article(p_article, p_cache_key);
  end if;
  -- The completing run keeps its token: it still records its last step's timing (the `record` transition).
  return transition_job(p_id, jsonb_build_array('running'), 'completed', 'holder', p_token,
    p_patch || case when saved is null then '{}'::jsonb else jsonb_build_object('articleId', saved ->> 'id') end)
    || case when saved is null then '{}'::jsonb else jsonb_build_object('article', saved) end;
end;
$$;

-- An inline step output, saved only while the run holds the job (the job row is share-locked for the insert, so a
-- takeover waits for it or it sees the takeover).
create or replace function save_step_result(p_job_id text, p_run_key text, p_step_id text, p_output jsonb, p_token text)
returns boolean
language plpgsql
set search_path = public
as $$
begin
  perform 1 from jobs where id = p_job_id and status = 'running' and run_token = p_token for share;
  if not found then
    return false;
  end if;
  insert into job_steps (job_id, run_key, step_id, output) values (p_job_id, p_run_key, p_step_id, p_output)
  on conflict (job_id, run_key, step_id) do update set output = excluded.output;
  return true;
end;
$$;

-- Active jobs nobody is running: a lease that ran out, or no lease and no change for p_idle_ms (a run that lost its
-- lease, a queued job whose dispatch never started a run). Oldest first.
create or replace function list_stale_jobs(p_idle_ms integer, p_limit integer)
returns jsonb
language sql
set search_path = public
as $$
  select coalesce(jsonb_agg(to_jsonb(j) order by j.updated_at), '[]'::jsonb)
  from (
    select * from jobs
    where status in ('queued', 'running')
      and (lease_until < now()
           or (lease_until is null and updated_at < now() - make_interval(secs => p_idle_ms / 1000.0)))
    order by updated_at
    limit p_limit
  ) j;
$$;

-- As for the other functions: only the server may call them (anon/authenticated exist on Supabase only).
revoke execute on function transition_job(text, jsonb, text, text, text, jsonb) from public;
revoke execute on function complete_run(text, text, jsonb, text, jsonb) from public;
revoke execute on function save_step_result(text, text, text, jsonb, text) from public;
revoke execute on function list_stale_jobs(integer, integer) from public;
do $$
declare
  role_name text;
  fn text;
begin
  foreach fn in array array[
    'transition_job(text, jsonb, text, text, text, jsonb)',
    'complete_run(text, text, jsonb, text, jsonb)',
    'save_step_result(text, text, text, jsonb, text)',
    'list_stale_jobs(integer, integer)'
  ] loop
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
