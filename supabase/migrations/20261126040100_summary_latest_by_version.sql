-- save_article (20261126030000) picked the version it just saved by created_at, which ties within a millisecond under
-- concurrent saves; summaries.version (20261126020000) is drawn from a sequence at insert: "the latest" is exact.
create or replace function save_article(p jsonb, p_cache_key text)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  saved jsonb;
  latest uuid;
begin
  saved := upsert_article(p);
  select id into latest from summaries where article_id = (saved ->> 'id')::uuid order by version desc limit 1;
  update summaries set cache_key = p_cache_key, lang = coalesce(p -> 'provenance' ->> 'lang', lang) where id = latest;
  update articles set summary_id = latest where id = (saved ->> 'id')::uuid;
  return saved || jsonb_build_object('summary_id', latest);
end;
$$;

revoke execute on function save_article(jsonb, text) from public;
