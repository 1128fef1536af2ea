-- The article keeps its lead image; failure reasons are checked by the code's one table (lib/errors.ts), not here too.
-- Written to be re-runnable, like the migrations before it.

alter table articles add column if not exists lead_image text;

-- A second list of reasons in SQL went stale whenever a reason was added; the row mapper validates them instead.
alter table jobs drop constraint if exists jobs_reason_check;

-- As in 20261125000000, plus lead_image.
create or replace function upsert_article(p jsonb)
returns jsonb
language plpgsql
set search_path = public
as $$
declare
  saved articles;
  previous jsonb;
  new_transcript jsonb := nullif(p -> 'transcript', 'null'::jsonb);
begin
  select a.transcript into previous from articles a where a.canonical_url = p ->> 'canonicalUrl';

  insert into articles (url, canonical_url, title, byline, site_name, lang, published_time, excerpt, html, text,
                        lead_image, media, transcript, summary, provenance, cost_usd)
  values (p ->> 'url', p ->> 'canonicalUrl', coalesce(p ->> 'title', ''), p ->> 'byline', p ->> 'siteName',
          p ->> 'lang', p ->> 'publishedTime', p ->> 'excerpt', coalesce(p ->> 'html', ''), coalesce(p ->> 'text', ''),
          p ->> 'leadImage', coalesce(p -> 'media', '[]'::jsonb), new_transcript, p -> 'summary',
          p -> 'provenance', (p -> 'provenance' ->> 'costUsd')::numeric)
  on conflict (canonical_url) do update set
    url = excluded.url, title = excluded.title, byline = excluded.byline, site_name = excluded.site_name,
    lang = excluded.lang, published_time = excluded.published_time, excerpt = excluded.excerpt,
    html = excluded.html, text = excluded.text, lead_image = excluded.lead_image, media = excluded.media,
    transcript = coalesce(excluded.transcript, articles.transcript), summary = excluded.summary,
    provenance = excluded.provenance, cost_usd = excluded.cost_usd, updated_at = now()
  returning * into saved;

  insert into summaries (article_id, model, prompt_version, lang, content, provenance, input_tokens, output_tokens,
                         cost_usd)
  values (saved.id, coalesce(p -> 'provenance' ->> 'model', 'unknown'),
          coalesce(p -> 'provenance' ->> 'promptVersion', 'unknown'), p ->> 'lang', p -> 'summary', p -> 'provenance',
          coalesce((p -> 'provenance' ->> 'inputTokens')::integer, 0),
          coalesce((p -> 'provenance' ->> 'outputTokens')::integer, 0),
          (p -> 'provenance' ->> 'costUsd')::numeric);

  if new_transcript is not null and new_transcript is distinct from previous then
    insert into transcripts (article_id, source, model, text, segments)
    values (saved.id, coalesce(new_transcript ->> 'source', 'unknown'), new_transcript ->> 'model',
            coalesce(new_transcript ->> 'text', ''), new_transcript -> 'segments');
  end if;

  return to_jsonb(saved) - 'search';
end;
$$;

revoke execute on function upsert_article(jsonb) from public;
