-- The admin session version lives with the data, not in KV: signing out moves it on and every cookie sealed with an
-- older version is refused. In KV, an eviction or a flush (a Redis restart, Upstash evicting the key) put it back to
-- 0 and revived every revoked cookie; a database does not forget it. One row, read on every cookie check.
create table if not exists auth_state (
  id boolean primary key default true check (id),
  session_version integer not null default 0
);
insert into auth_state (id, session_version) values (true, 0) on conflict (id) do nothing;
alter table auth_state enable row level security;

-- The current version (0 until the first sign-out).
create or replace function current_session_version()
returns integer
language sql
stable
set search_path = public
as $$
  select coalesce((select session_version from auth_state where id), 0);
$$;

-- Revokes every session issued so far: the version moves on by one, atomically (two sign-outs at once move it by
-- two). Returns the new version.
create or replace function revoke_sessions()
returns integer
language sql
set search_path = public
as $$
  insert into auth_state (id, session_version) values (true, 1)
  on conflict (id) do update set session_version = auth_state.session_version + 1
  returning session_version;
$$;

-- As for the other functions: only the server may call them (anon/authenticated exist on Supabase only).
revoke execute on function current_session_version() from public;
revoke execute on function revoke_sessions() from public;
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated'] loop
    if exists (select 1 from pg_roles where rolname = role_name) then
      execute format('revoke execute on function current_session_version() from %I', role_name);
      execute format('revoke execute on function revoke_sessions() from %I', role_name);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'service_role') then
    execute 'grant execute on function current_session_version() to service_role';
    execute 'grant execute on function revoke_sessions() to service_role';
  end if;
end;
$$;
