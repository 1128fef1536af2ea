-- What a job has paid (issue 23, honest costs): every paid step adds its cost to jobs.cost_usd as it completes,
-- inside its durable step (the `spend` effect of the `record` transition), so a failed or cancelled job shows what it
-- spent and a running one what it has spent so far. cost_usd is the job's total over all its runs (a retry adds to
-- it); null means some price was unknown. A new job has paid nothing: 0, not null.

alter table jobs alter column cost_usd set default 0;

-- Jobs from before: one that never ran, or stopped before any paid stage in its only run, paid nothing. The others
-- (running, or failed after a paid stage) keep null: what they spent was never recorded.
update jobs set cost_usd = 0
where cost_usd is null
  and attempts = 0
  and (status = 'queued' or (status in ('failed', 'cancelled') and (step is null or step in ('fetch', 'detect', 'extract'))));

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
      -- `spend` adds what a step paid to what the job has paid so far, in this one locked statement, so concurrent
      -- steps never lose each other's increments; a null spend (a price unknown) makes the total unknown for good.
      cost_usd = case
        when p_patch ? 'costUsd' then (p_patch ->> 'costUsd')::numeric
        when p_patch ? 'spend' then cost_usd + (p_patch ->> 'spend')::numeric
        else cost_usd end,
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
