-- Following (issue 27): subscriptions to feeds, the items each has seen (by every key an item was ever known by, so a
-- changed guid, a reordering or an edit never makes an item new again), and signed webhooks with their delivery log.
-- Every operation is a function returning JSON, shared by the SQL adapter and the supabase adapter (RPC).

create table if not exists subscriptions (
  id uuid primary key default gen_random_uuid(),
  url text not null,
  feed_url text not null,
  kind text not null check (kind in ('feed', 'page', 'apple', 'youtube')),
  format text not null default 'rss' check (format in ('rss', 'atom', 'json')),
  title text not null default '',
  site_url text,
  lang text,
  auto_summarize boolean not null default true,
  backfill integer not null default 1 check (backfill between 0 and 50),
  paused boolean not null default false,
  paused_reason text,
  etag text,
  last_modified text,
  polled_once boolean not null default false,
  last_polled_at timestamptz,
  next_poll_at timestamptz not null default now(),
  failures integer not null default 0,
  last_error_reason text,
  last_error text,
  items_seen integer not null default 0,
  last_poll jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint subscriptions_feed_url_key unique (feed_url)
);
create index if not exists subscriptions_due_idx on subscriptions (next_poll_at) where not paused;

create table if not exists subscription_items (
  id uuid primary key default gen_random_uuid(),
  subscription_id uuid not null references subscriptions (id) on delete cascade,
  seq bigint generated always as identity,
  title text not null default '',
  url text,
  published_at timestamptz,
  status text not null check (status in ('pending', 'queued', 'skipped', 'failed')),
  job_id text,
  error text,
  seen_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists subscription_items_list_idx on subscription_items (subscription_id, seq desc);
create index if not exists subscription_items_pending_idx on subscription_items (subscription_id, seq)
  where status = 'pending';
create index if not exists subscription_items_job_idx on subscription_items (job_id) where job_id is not null;

-- Keys are hashes computed by the app (guid, canonical link, enclosure URL; a content hash for items with none).
create table if not exists subscription_item_keys (
  subscription_id uuid not null references subscriptions (id) on delete cascade,
  key text not null check (length(key) <= 80),
  item_id uuid not null references subscription_items (id) on delete cascade,
  primary key (subscription_id, key)
);

create table if not exists webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  url text not null,
  events text[] not null,
  -- The signing secret (whsec_…): shown once by the API, kept here (service role only, RLS on) to sign deliveries.
  secret text not null,
  last_status integer,
  last_error text,
  last_delivery_at timestamptz,
  created_at timestamptz not null default now()
);

create table if not exists webhook_deliveries (
  id text primary key,
  endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
  event text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  response_status integer,
  error text,
  next_attempt_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index if not exists webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, created_at desc);
create index if not exists webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';

alter table subscriptions enable row level security;
alter table subscription_items enable row level security;
alter table subscription_item_keys enable row level security;
alter table webhook_endpoints enable row level security;
alter table webhook_deliveries enable row level security;

-- A new subscription, or the existing one for the same feed (created: false).
create or replace function create_subscription(p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  row subscriptions;
  created boolean := true;
begin
  insert into subscriptions (url, feed_url, kind, format, title, site_url, lang, auto_summarize, backfill)
  values (p ->> 'url', p ->> 'feedUrl', p ->> 'kind', coalesce(p ->> 'format', 'rss'), coalesce(p ->> 'title', ''),
          p ->> 'siteUrl', p ->> 'lang', coalesce((p ->> 'autoSummarize')::boolean, true),
          coalesce((p ->> 'backfill')::integer, 1))
  on conflict (feed_url) do nothing
  returning * into row;
  if row.id is null then
    created := false;
    select * into row from subscriptions where feed_url = p ->> 'feedUrl';
  end if;
  return jsonb_build_object('subscription', to_jsonb(row), 'created', created);
end;
$$;

create or replace function list_subscriptions()
returns jsonb
language sql
stable
set search_path = public
as $$
  select coalesce(jsonb_agg(to_jsonb(s.*) order by s.created_at, s.id), '[]'::jsonb) from subscriptions s;
$$;

create or replace function get_subscription(p_id uuid)
returns jsonb
language sql
stable
set search_path = public
as $$
  select to_jsonb(s.*) from subscriptions s where s.id = p_id;
$$;

-- paused / lang / autoSummarize. Resuming clears the failure streak and polls at once.
create or replace function update_subscription(p_id uuid, p_patch jsonb)
returns jsonb
language sql
set search_path = public
as $$
  update subscriptions set
    paused = case when p_patch ? 'paused' then (p_patch ->> 'paused')::boolean else paused end,
    paused_reason = case when p_patch ? 'paused' then null else paused_reason end,
    failures = case when (p_patch ->> 'paused')::boolean is false then 0 else failures end,
    next_poll_at = case when (p_patch ->> 'paused')::boolean is false then now() else next_poll_at end,
    lang = case when p_patch ? 'lang' then p_patch ->> 'lang' else lang end,
    auto_summarize = case when p_patch ? 'autoSummarize' then (p_patch ->> 'autoSummarize')::boolean
                          else auto_summarize end,
    updated_at = now()
  where id = p_id
  returning to_jsonb(subscriptions.*);
$$;

create or replace function delete_subscription(p_id uuid)
returns boolean
language sql
set search_path = public
as $$
  with d as (delete from subscriptions where id = p_id returning 1) select exists (select 1 from d);
$$;

-- The subscriptions due for a poll, each pushed `p_lease_seconds` ahead so that the next cron tick does not send it
-- again while its poll runs (the poll sets the real next time). Concurrent callers get disjoint sets.
create or replace function claim_due_subscriptions(p_limit integer, p_lease_seconds integer)
returns jsonb
language sql
set search_path = public
as $$
  with due as (
    select id from subscriptions
    where not paused and next_poll_at <= now()
    order by next_poll_at
    limit p_limit
    for update skip locked
  ), claimed as (
    update subscriptions s set next_poll_at = now() + make_interval(secs => p_lease_seconds)
    from due where s.id = due.id
    returning s.id, s.feed_url
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', id, 'feedUrl', feed_url)), '[]'::jsonb) from claimed;
$$;

-- One poll's outcome, atomically (the subscription row is locked, so two polls of one feed never both add an item).
-- p: { outcome: 'ok'|'not_modified'|'error', etag?, lastModified?, title?, items?: [{ keys: [..], title, url,
--      publishedAt? }] (newest first), maxJobs, intervalSeconds, maxBackoffSeconds, maxFailures,
--      error?: { reason, message } }
-- An item is new when none of its keys was seen; a seen item learns its new keys (a changed guid). The first poll
-- takes `backfill` items and skips the rest; later, new items wait as 'pending' (or are 'skipped' when the
-- subscription does not summarize on its own) and at most maxJobs pending ones are claimed ('queued') per poll.
create or replace function record_poll(p_id uuid, p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  sub subscriptions;
  item jsonb;
  known uuid;
  new_id uuid;
  found integer := 0;
  added integer := 0;
  taken integer := 0;
  first_poll boolean;
  paused_now boolean := false;
  delay_seconds double precision;
  queue jsonb := '[]'::jsonb;
  poll jsonb;
begin
  select * into sub from subscriptions where id = p_id for update;
  if sub.id is null then
    return null;
  end if;

  if p ->> 'outcome' = 'error' then
    delay_seconds := least((p ->> 'intervalSeconds')::double precision * power(2, sub.failures + 1),
                           (p ->> 'maxBackoffSeconds')::double precision);
    paused_now := not sub.paused and sub.failures + 1 >= (p ->> 'maxFailures')::integer;
    poll := jsonb_build_object('at', now(), 'outcome', 'error', 'reason', p -> 'error' ->> 'reason',
                               'message', p -> 'error' ->> 'message', 'found', 0, 'added', 0, 'queued', 0);
    update subscriptions set
      failures = failures + 1,
      last_polled_at = now(),
      next_poll_at = now() + make_interval(secs => delay_seconds),
      last_error_reason = p -> 'error' ->> 'reason',
      last_error = p -> 'error' ->> 'message',
      paused = paused or paused_now,
      paused_reason = case when paused_now
        then format('Paused after %s failed polls in a row; the last: %s', failures + 1, p -> 'error' ->> 'message')
        else paused_reason end,
      last_poll = poll,
      updated_at = now()
    where id = p_id
    returning * into sub;
    return jsonb_build_object('subscription', to_jsonb(sub), 'found', 0, 'added', 0, 'queue', '[]'::jsonb,
                              'pausedNow', paused_now);
  end if;

  first_poll := not sub.polled_once;
  if p ->> 'outcome' = 'ok' then
    for item in select value from jsonb_array_elements(coalesce(p -> 'items', '[]'::jsonb)) loop
      found := found + 1;
      select k.item_id into known from subscription_item_keys k
      where k.subscription_id = p_id and k.key in (select jsonb_array_elements_text(item -> 'keys'))
      limit 1;
      if known is null then
        insert into subscription_items (subscription_id, title, url, published_at, status)
        values (p_id, coalesce(item ->> 'title', ''), item ->> 'url', (item ->> 'publishedAt')::timestamptz,
                case when not sub.auto_summarize or (first_poll and added >= sub.backfill) then 'skipped'
                     else 'pending' end)
        returning id into new_id;
        added := added + 1;
        known := new_id;
      end if;
      insert into subscription_item_keys (subscription_id, key, item_id)
      select p_id, k, known from jsonb_array_elements_text(item -> 'keys') k
      on conflict do nothing;
    end loop;
  end if;

  with picked as (
    select id from subscription_items
    where subscription_id = p_id and status = 'pending'
    order by seq
    limit (p ->> 'maxJobs')::integer
  ), claimed as (
    update subscription_items i set status = 'queued', updated_at = now()
    from picked where i.id = picked.id
    returning i.id, i.url, i.title, i.seq
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', id, 'url', url, 'title', title) order by seq), '[]'::jsonb),
         count(*)
  into queue, taken
  from claimed;

  poll := jsonb_build_object('at', now(), 'outcome', p ->> 'outcome', 'found', found, 'added', added,
                             'queued', taken);
  update subscriptions set
    polled_once = polled_once or p ->> 'outcome' = 'ok',
    title = case when coalesce(p ->> 'title', '') <> '' then p ->> 'title' else title end,
    etag = case when p ->> 'outcome' = 'ok' then p ->> 'etag' else etag end,
    last_modified = case when p ->> 'outcome' = 'ok' then p ->> 'lastModified' else last_modified end,
    failures = 0,
    last_error_reason = null,
    last_error = null,
    last_polled_at = now(),
    next_poll_at = now() + make_interval(secs => (p ->> 'intervalSeconds')::double precision),
    items_seen = items_seen + added,
    last_poll = poll,
    updated_at = now()
  where id = p_id
  returning * into sub;
  return jsonb_build_object('subscription', to_jsonb(sub), 'found', found, 'added', added, 'queue', queue,
                            'pausedNow', false);
end;
$$;

-- What became of a claimed item: its job, or why none could be made.
create or replace function set_subscription_item(p_id uuid, p jsonb)
returns jsonb
language sql
set search_path = public
as $$
  update subscription_items set
    status = coalesce(p ->> 'status', status),
    job_id = case when p ? 'jobId' then p ->> 'jobId' else job_id end,
    error = case when p ? 'error' then p ->> 'error' else error end,
    updated_at = now()
  where id = p_id
  returning to_jsonb(subscription_items.*);
$$;

-- A subscription's items, newest seen first, with their job's status and article (summarized or not).
create or replace function list_subscription_items(p_id uuid, p_limit integer)
returns jsonb
language sql
stable
set search_path = public
as $$
  select coalesce(jsonb_agg(r order by r.seq desc), '[]'::jsonb) from (
    select i.*, j.status as job_status, j.article_id
    from subscription_items i left join jobs j on j.id = i.job_id
    where i.subscription_id = p_id
    order by i.seq desc
    limit p_limit
  ) r;
$$;

create or replace function create_webhook(p jsonb)
returns jsonb
language sql
set search_path = public
as $$
  insert into webhook_endpoints (url, events, secret)
  values (p ->> 'url', array(select jsonb_array_elements_text(p -> 'events')), p ->> 'secret')
  returning to_jsonb(webhook_endpoints.*);
$$;

create or replace function list_webhooks()
returns jsonb
language sql
stable
set search_path = public
as $$
  select coalesce(jsonb_agg(to_jsonb(w.*) order by w.created_at, w.id), '[]'::jsonb) from webhook_endpoints w;
$$;

create or replace function delete_webhook(p_id uuid)
returns boolean
language sql
set search_path = public
as $$
  with d as (delete from webhook_endpoints where id = p_id returning 1) select exists (select 1 from d);
$$;

-- p: [{ id, endpointId, event, payload }]; an id already recorded is left as it is (a replayed step).
create or replace function add_webhook_deliveries(p jsonb)
returns jsonb
language sql
set search_path = public
as $$
  with ins as (
    insert into webhook_deliveries (id, endpoint_id, event, payload)
    select d ->> 'id', (d ->> 'endpointId')::uuid, d ->> 'event', d -> 'payload'
    from jsonb_array_elements(p) d
    where exists (select 1 from webhook_endpoints e where e.id = (d ->> 'endpointId')::uuid)
    on conflict (id) do nothing
    returning *
  )
  select coalesce(jsonb_agg(to_jsonb(ins.*)), '[]'::jsonb) from ins;
$$;

-- A delivery with what signing and sending it needs (its endpoint's URL and secret).
create or replace function get_webhook_delivery(p_id text)
returns jsonb
language sql
stable
set search_path = public
as $$
  select to_jsonb(d.*) || jsonb_build_object('url', e.url, 'secret', e.secret)
  from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
  where d.id = p_id;
$$;

-- p: { status: 'pending'|'delivered'|'failed', responseStatus?, error?, retryInSeconds? }; the endpoint keeps the
-- last status for the admin.
create or replace function record_webhook_attempt(p_id text, p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  row webhook_deliveries;
begin
  update webhook_deliveries set
    status = p ->> 'status',
    attempts = attempts + 1,
    response_status = (p ->> 'responseStatus')::integer,
    error = p ->> 'error',
    next_attempt_at = now() + make_interval(secs => coalesce((p ->> 'retryInSeconds')::double precision, 0)),
    updated_at = now()
  where id = p_id
  returning * into row;
  if row.id is null then
    return null;
  end if;
  update webhook_endpoints set
    last_status = (p ->> 'responseStatus')::integer,
    last_error = p ->> 'error',
    last_delivery_at = now()
  where id = row.endpoint_id;
  return to_jsonb(row);
end;
$$;

create or replace function list_webhook_deliveries(p_endpoint_id uuid, p_limit integer)
returns jsonb
language sql
stable
set search_path = public
as $$
  select coalesce(jsonb_agg(r order by r.created_at desc, r.id), '[]'::jsonb) from (
    select * from webhook_deliveries where endpoint_id = p_endpoint_id order by created_at desc, id limit p_limit
  ) r;
$$;

-- Pending deliveries whose next attempt is due (the inline runner's sweep after a restart).
create or replace function due_webhook_deliveries(p_limit integer)
returns jsonb
language sql
stable
set search_path = public
as $$
  select coalesce(jsonb_agg(id), '[]'::jsonb) from (
    select id from webhook_deliveries where status = 'pending' and next_attempt_at <= now()
    order by next_attempt_at limit p_limit
  ) r;
$$;

-- As for the earlier functions: only the server may call them (anon/authenticated exist on Supabase only).
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
revoke execute on function create_subscription(jsonb) from public;
revoke execute on function list_subscriptions() from public;
revoke execute on function get_subscription(uuid) from public;
revoke execute on function update_subscription(uuid, jsonb) from public;
revoke execute on function delete_subscription(uuid) from public;
revoke execute on function claim_due_subscriptions(integer, integer) from public;
revoke execute on function record_poll(uuid, jsonb) from public;
revoke execute on function set_subscription_item(uuid, jsonb) from public;
revoke execute on function list_subscription_items(uuid, integer) from public;
revoke execute on function create_webhook(jsonb) from public;
revoke execute on function list_webhooks() from public;
revoke execute on function delete_webhook(uuid) from public;
revoke execute on function add_webhook_deliveries(jsonb) from public;
revoke execute on function get_webhook_delivery(text) from public;
revoke execute on function record_webhook_attempt(text, jsonb) from public;
revoke execute on function list_webhook_deliveries(uuid, integer) from public;
revoke execute on function due_webhook_deliveries(integer) from public;
