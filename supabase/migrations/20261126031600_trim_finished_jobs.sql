-- Retention: finished jobs (completed, failed, cancelled) last touched before p_before are deleted, oldest first, at
-- most p_limit per call so one run of the retention cron stays a short transaction. Returns the deleted ids (their
-- progress logs in KV are removed by the caller). Articles are kept: they are the library. Two columns, so PostgREST
-- answers rows (objects) rather than bare values.
create or replace function trim_finished_jobs(p_before timestamptz, p_limit integer)
returns table (job_id text, job_status text)
language sql
set search_path = public
as $$
  delete from jobs
  where id in (
    select id from jobs
    where status in ('completed', 'failed', 'cancelled') and updated_at < p_before
    order by updated_at
    limit greatest(p_limit, 0)
  )
  returning id, status;
$$;

revoke execute on function trim_finished_jobs(timestamptz, integer) from public;
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = role_name) then
      execute format('revoke execute on function trim_finished_jobs(timestamptz, integer) from %I', role_name);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    execute 'grant execute on function trim_finished_jobs(timestamptz, integer) to service_role';
  end if;
end;
$$;
