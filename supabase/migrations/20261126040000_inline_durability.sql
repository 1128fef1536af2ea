-- The inline runner is durable: its step results are kept per job and run, and a job it runs holds a lease that
-- its heartbeat renews. A job whose lease ran out has no runner: the next submission of its URL or the next start
-- resumes it (or fails it with a named reason); it never stays `running` forever.

create table if not exists job_steps (
  job_id text not null references jobs (id) on delete cascade,
  run_key text not null,
  step_id text not null,
  output jsonb not null,
  created_at timestamptz not null default now(),
  primary key (job_id, run_key, step_id)
);
create index if not exists job_steps_latest_idx on job_steps (job_id, created_at desc);
alter table job_steps enable row level security;

alter table jobs add column if not exists lease_owner text;
alter table jobs add column if not exists lease_until timestamptz;
-- How many times a runner took the job over from one that stopped: a job that keeps killing its runner is failed.
alter table jobs add column if not exists lease_takeovers integer not null default 0;
create index if not exists jobs_lease_idx on jobs (lease_until) where lease_until is not null;

-- The job's lease for p_ms milliseconds, for active jobs only. p_mode 'claim': when free, expired or already ours;
-- 'takeover': only when it expired (its runner stopped); 'renew': only while ours.
-- Returns {"held": bool, "takeovers": n}.
create or replace function lease_job(p_id text, p_owner text, p_ms integer, p_mode text)
returns jsonb
language sql
set search_path = public
as $$
  with leased as (
    update jobs set
      lease_owner = p_owner,
      lease_until = now() + make_interval(secs => p_ms / 1000.0),
      lease_takeovers = lease_takeovers
        + case when lease_owner is not null and lease_owner <> p_owner then 1 else 0 end
    where id = p_id
      and status in ('queued', 'running')
      and (
        lease_owner = p_owner
        or (p_mode = 'claim' and (lease_until is null or lease_until < now()))
        or (p_mode = 'takeover' and lease_until < now())
      )
    returning lease_takeovers
  )
  select jsonb_build_object(
    'held', exists (select 1 from leased),
    'takeovers', coalesce((select lease_takeovers from leased), 0)
  );
$$;

-- Ends this owner's lease (the run finished, failed or was cancelled).
create or replace function release_job(p_id text, p_owner text)
returns void
language sql
set search_path = public
as $$
  update jobs set lease_owner = null, lease_until = null where id = p_id and lease_owner = p_owner;
$$;

-- As for the other functions: only the server may call them (anon/authenticated exist on Supabase only).
revoke execute on function lease_job(text, text, integer, text) from public;
revoke execute on function release_job(text, text) from public;
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = role_name) then
      execute format('revoke execute on function lease_job(text, text, integer, text) from %I', role_name);
      execute format('revoke execute on function release_job(text, text) from %I', role_name);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    execute 'grant execute on function lease_job(text, text, integer, text) to service_role';
    execute 'grant execute on function release_job(text, text) to service_role';
  end if;
end;
$$;
