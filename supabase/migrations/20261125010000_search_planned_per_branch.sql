-- Search, planned per branch: with a query the GIN index finds the matches (an OR with "no query" hid it from the
-- planner, so every search scanned every row); without one, the (created_at, id) index gives the newest page.
create or replace function search_articles(p_q text, p_limit integer, p_after_rank real, p_after_created timestamptz,
                                           p_after_id uuid)
returns table (id uuid, url text, title text, site_name text, tldr text, tags jsonb, snippet text, rank real,
               created_at timestamptz)
language plpgsql
stable
set search_path = public
as $$
#variable_conflict use_column
declare
  q tsquery;
begin
  if coalesce(trim(p_q), '') = '' then
    return query
      select a.id, a.url, a.title, a.site_name, a.summary ->> 'tldr', coalesce(a.summary -> 'tags', '[]'::jsonb),
             null::text, 0::real, a.created_at
      from articles a
      where p_after_id is null or p_after_created is null or (a.created_at, a.id) < (p_after_created, p_after_id)
      order by a.created_at desc, a.id desc
      limit p_limit;
    return;
  end if;
  q := websearch_to_tsquery('simple', p_q);
  return query
    with page as (
      select a.id as article_id, ts_rank(a.search, q) as score
      from articles a
      where a.search @@ q
        and (p_after_id is null or p_after_rank is null or (ts_rank(a.search, q), a.id) < (p_after_rank, p_after_id))
      order by score desc, a.id desc
      limit p_limit
    )
    -- Snippets only for the page's rows, from the first 15,000 characters of text and of transcript: ts_headline parses all it is given.
    select a.id, a.url, a.title, a.site_name, a.summary ->> 'tldr', coalesce(a.summary -> 'tags', '[]'::jsonb),
           ts_headline('simple', left(a.text, 15000) || ' ' || left(coalesce(a.transcript ->> 'text', ''), 15000), q,
                       'MaxFragments=2, MaxWords=25, MinWords=8, StartSel=<b>, StopSel=</b>'),
           page.score, a.created_at
    from page join articles a on a.id = page.article_id
    order by page.score desc, a.id desc;
end;
$$;

revoke execute on function search_articles(text, integer, real, timestamptz, uuid) from public;
