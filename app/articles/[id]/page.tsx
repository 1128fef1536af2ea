import { notFound, redirect } from "next/navigation";
import { ArticleHighlights } from "@/app/components/article-highlights";
import { ArticleMedia, type PlayableMedia } from "@/app/components/article-media";
import { ArticleReader } from "@/app/components/article-reader";
import { HighlightsProvider } from "@/app/components/highlights-context";
import { MakeCurrentButton } from "@/app/components/make-current-button";
import { PaintedText } from "@/app/components/painted-text";
import { SafeHtml } from "@/app/components/safe-html";
import { SummarizeAgain } from "@/app/components/summarize-again";
import type { Article, MediaItem } from "@/lib/domain";
import { pageIsAuthorized } from "@/lib/http/api";
import { isRenderableUrl } from "@/lib/net/render-policy";
import { articleHtmlForView } from "@/lib/render/resources";
import { renderMarkdown } from "@/lib/render/safe-html";
import { getConfig, getServices } from "@/lib/services";
import { cleanHeadline, paragraphsOf, readingOrListening, youtubeId } from "@/lib/ui/article";
import { formatCost } from "@/lib/ui/format";
import "../../reader.css";

/** Fields other issues add to the article (lead image, versions, whole-job cost); shown when present. */
interface ArticleExtras {
  leadImage?: string | null;
  costUsd?: number | null;
  versions?: { id: string; model: string; lang: string | null; createdAt: string; current?: boolean }[];
}

/** Media the admin's browser may load: URLs that pass the fetcher's address policy (lib/net/render-policy.ts). */
function playable(article: Article, allowlist: readonly string[]): PlayableMedia | null {
  const pick = (kind: MediaItem["kind"]) => article.media.find((m) => m.kind === kind);
  const youtube = pick("youtube");
  const id = youtube ? youtubeId(youtube.url) : youtubeId(article.url);
  if (id) return { kind: "youtube", url: youtube?.url ?? article.url, youtubeId: id };
  const audio = pick("audio");
  if (audio && isRenderableUrl(audio.url, allowlist)) return { kind: "audio", url: audio.url, type: audio.type };
  const video = pick("video");
  if (video && isRenderableUrl(video.url, allowlist)) return { kind: "video", url: video.url, type: video.type };
  return null;
}

function formatDate(value: string | null): string | null {
  if (!value) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value.slice(0, 10);
  return date.toLocaleDateString("en", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
}

export default async function ArticlePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ version?: string }>;
}) {
  if (!(await pageIsAuthorized())) redirect("/login");
  const { id } = await params;
  const { version } = await searchParams;
  const { store } = await getServices();
  const stored = await store.getArticle(id);
  if (!stored) notFound();
  const [summaries, highlights] = await Promise.all([store.listSummaries(id), store.listHighlights(id)]);
  // ?version=<id> shows another summary version than the current one.
  const shown = summaries.find((v) => v.id === version && !v.current);
  const found = shown
    ? { ...stored, summary: shown.summary, provenance: { ...stored.provenance, ...shown.provenance } }
    : stored;
  const article: Article & ArticleExtras = {
    ...found,
    versions: summaries.map((v) => ({
      id: v.id,
      model: v.model,
      lang: v.lang,
      createdAt: v.createdAt,
      current: v.current,
    })),
  };
  const { summary, provenance } = article;
  const site = article.siteName ?? new URL(article.url).hostname;
  const headline = cleanHeadline(article.title, article.siteName, article.url);
  const allowlist = getConfig().fetchAllowlist;
  const media = playable(article, allowlist);
  const segments = article.transcript?.segments ?? [];
  const paragraphs =
    segments.length > 0
      ? paragraphsOf(segments)
      : (article.transcript?.text ?? "")
          .split(/\n\s*\n/)
          .filter((t) => t.trim())
          .map((text) => ({ start: Number.NaN, text: text.trim() }));
  const date = formatDate(article.publishedTime);
  const time = readingOrListening(article);
  const cost = formatCost(
    article.costUsd !== undefined ? article.costUsd : (provenance.totalCostUsd ?? provenance.costUsd),
  );
  const leadImage = article.leadImage && isRenderableUrl(article.leadImage, allowlist) ? article.leadImage : null;

  return (
    <article className="article">
      <HighlightsProvider initial={highlights}>
        <p className="kicker small">
          <a href={article.url} rel="noopener noreferrer nofollow">
            {site}
          </a>
          {article.byline ? <span> · {article.byline}</span> : null}
          {date ? (
            <span>
              {" · "}
              <time dateTime={article.publishedTime ?? undefined}>{date}</time>
            </span>
          ) : null}
          {time ? <span> · {time}</span> : null}
        </p>
        <h1>{headline}</h1>
        <ArticleReader
          id={stored.id}
          title={stored.title}
          tags={stored.summary.tags}
          state={stored.state}
          read={stored.read}
          favorite={stored.favorite}
          note={stored.note}
          position={stored.position}
        />
        {shown ? (
          <p className="muted small" role="status">
            An earlier summary version ({shown.model}, {formatDate(shown.createdAt)}).{" "}
            <a href={`/articles/${stored.id}`}>Show the current one</a>{" "}
            <MakeCurrentButton articleId={stored.id} summaryId={shown.id} />
          </p>
        ) : null}
        {leadImage ? (
          // biome-ignore lint/performance/noImgElement: a remote image of any host; next/image would need every host configured.
          <img className="lead-image" src={leadImage} alt="" loading="lazy" referrerPolicy="no-referrer" />
        ) : null}

        <section className="tldr-box" aria-label="TL;DR">
          <p className="tldr">{summary.tldr}</p>
        </section>
        <h2>Key points</h2>
        <ul className="key-points">
          {summary.keyPoints.map((point) => (
            <li key={point}>{point}</li>
          ))}
        </ul>

        <ArticleMedia
          media={media}
          chapters={summary.chapters ?? []}
          paragraphs={paragraphs}
          transcriptSource={article.transcript?.source}
        >
          {/^\s*#/.test(summary.markdown) ? null : <h2>Summary</h2>}
          {/* Both HTML sources are sanitized at render time, whatever was done before they were stored. */}
          <SafeHtml className="prose" html={renderMarkdown(summary.markdown)} />

          {summary.quotes && summary.quotes.length > 0 ? (
            <>
              <h2>Quotes</h2>
              {summary.quotes.map((quote) => {
                const speaker = summary.quoteSpeakers?.find((q) => q.quote === quote)?.speaker;
                return (
                  <blockquote key={quote}>
                    {quote}
                    {speaker ? <footer>— {speaker}</footer> : null}
                  </blockquote>
                );
              })}
            </>
          ) : null}

          {summary.tags.length > 0 ? (
            <p className="tags">
              {summary.tags.map((tag) => (
                <a key={tag} className="badge" href={`/articles?${new URLSearchParams({ state: "all", tag })}`}>
                  #{tag}
                </a>
              ))}
            </p>
          ) : null}
        </ArticleMedia>

        <ArticleHighlights articleId={stored.id} canSeek={media !== null} />

        {article.html ? (
          <details className="original" open={highlights.some((h) => h.source === "text") ? true : undefined}>
            <summary>Original text</summary>
            <PaintedText>
              <SafeHtml className="prose" html={articleHtmlForView(article.html, allowlist)} />
            </PaintedText>
          </details>
        ) : null}

        <section className="provenance card small" aria-label="Provenance">
          <h2>How this was made</h2>
          <dl>
            <dt>Summary</dt>
            <dd>
              {provenance.path} by {provenance.model} (prompt {provenance.promptVersion})
            </dd>
            <dt>Tokens</dt>
            <dd>
              {provenance.inputTokens.toLocaleString("en")} in · {provenance.outputTokens.toLocaleString("en")} out
            </dd>
            {cost ? (
              <>
                <dt>Total cost</dt>
                <dd data-testid="article-cost">{cost}</dd>
              </>
            ) : null}
            <dt>Extracted with</dt>
            <dd>{provenance.extractor}</dd>
            {provenance.transcriptSource ? (
              <>
                <dt>Transcript</dt>
                <dd>{provenance.transcriptSource}</dd>
              </>
            ) : null}
            {article.lang ? (
              <>
                <dt>Language</dt>
                <dd>{article.lang}</dd>
              </>
            ) : null}
            <dt>Saved</dt>
            <dd>{formatDate(article.createdAt)}</dd>
          </dl>
          {article.versions && article.versions.length > 1 ? (
            <>
              <h3>Summary versions</h3>
              <ul className="versions">
                {article.versions.map((v) => (
                  <li key={v.id}>
                    <a
                      href={v.current ? `/articles/${article.id}` : `/articles/${article.id}?version=${v.id}`}
                      aria-current={(shown ? v.id === shown.id : v.current) ? "page" : undefined}
                    >
                      {v.model}
                      {v.lang ? ` · ${v.lang}` : ""} · {formatDate(v.createdAt)}
                    </a>
                    {v.current ? " (current)" : ""}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <SummarizeAgain articleId={article.id} />
          <p className="export">
            Export: <a href={`/api/articles/${article.id}?format=md`}>Markdown</a> ·{" "}
            <a href={`/api/articles/${article.id}`}>JSON</a>
          </p>
        </section>
      </HighlightsProvider>
    </article>
  );
}
