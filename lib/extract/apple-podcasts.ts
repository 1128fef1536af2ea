import { z } from "zod";
import { AppError } from "../errors";
import { canonicalizeUrl } from "../net/canonical-url";
import type { SafeFetch } from "../net/types";
import { type FeedEntry, fetchFeed, findFeedItem, type ParsedFeed } from "./feed";

/**
 * Apple Podcasts pages carry a preview player, not the show's feed. The public iTunes lookup API names the
 * feed (and the episode's guid); the feed then gives the full episode: its enclosure, duration, show notes and
 * any `podcast:transcript`. An episode that has dropped out of the feed falls back to what the lookup knows.
 */

const APPLE_PODCASTS = /^https:\/\/podcasts\.apple\.com\/(?:[a-z]{2}\/)?podcast\/(?:[^/?#]+\/)?id(\d+)/i;
export const ITUNES_LOOKUP = "https://itunes.apple.com/lookup";

export function applePodcastIds(url: string): { showId: string; episodeId: string | null } | null {
  const showId = APPLE_PODCASTS.exec(url)?.[1];
  if (!showId) return null;
  return { showId, episodeId: new URL(url).searchParams.get("i") };
}

const lookupSchema = z.object({
  results: z.array(
    z
      .object({
        wrapperType: z.string().optional(),
        kind: z.string().optional(),
        feedUrl: z.string().optional(),
        collectionName: z.string().optional(),
        trackId: z.number().optional(),
        trackName: z.string().optional(),
        episodeGuid: z.string().optional(),
        episodeUrl: z.string().optional(),
        episodeContentType: z.string().optional(),
        episodeFileExtension: z.string().optional(),
        description: z.string().optional(),
        releaseDate: z.string().optional(),
        trackTimeMillis: z.number().optional(),
        trackViewUrl: z.string().optional(),
      })
      .loose(),
  ),
});
type LookupEpisode = z.infer<typeof lookupSchema>["results"][number];

export interface ApplePodcastEpisode {
  feedUrl: string | null;
  entry: FeedEntry;
  /** "feed" when the episode was found in the show's RSS feed, "lookup" when only Apple's API knew it. */
  source: "feed" | "lookup";
}

function entryFromLookup(episode: LookupEpisode, show: string | undefined): FeedEntry | null {
  if (!episode.episodeUrl) return null;
  const type =
    episode.episodeContentType && episode.episodeFileExtension
      ? `${episode.episodeContentType}/${episode.episodeFileExtension.replace("mp3", "mpeg")}`
      : undefined;
  return {
    guid: episode.episodeGuid,
    media: [
      {
        kind: episode.episodeContentType === "video" ? "video" : "audio",
        url: episode.episodeUrl,
        ...(type ? { type } : {}),
        ...(episode.trackTimeMillis ? { durationSec: Math.round(episode.trackTimeMillis / 1000) } : {}),
        foundIn: "apple-podcasts-lookup",
      },
    ],
    item: {
      title: episode.trackName ?? show ?? "Podcast episode",
      description: episode.description ?? "",
      link: episode.trackViewUrl,
      pubDate: episode.releaseDate,
      feedTitle: show,
    },
  };
}

/**
 * `titleHint` (the page's own title) finds an episode too old for the lookup's list of recent episodes.
 */
export async function resolveApplePodcastEpisode(
  url: string,
  fetch: SafeFetch,
  titleHint?: string,
): Promise<ApplePodcastEpisode> {
  const ids = applePodcastIds(url);
  if (!ids) throw new AppError("invalid_url", `Not an Apple Podcasts URL: ${url}`);
  const lookupUrl = `${ITUNES_LOOKUP}?id=${ids.showId}&entity=podcastEpisode&limit=200`;
  const response = await fetch(lookupUrl, { maxBytes: 5 * 1024 * 1024 });
  let lookup: z.infer<typeof lookupSchema>;
  try {
    lookup = lookupSchema.parse(JSON.parse(new TextDecoder().decode(response.body)));
  } catch (cause) {
    throw new AppError("http_error", "Apple's podcast lookup answered with something unreadable", { cause });
  }
  const show = lookup.results.find((r) => r.feedUrl || r.kind === "podcast");
  const episode = ids.episodeId ? lookup.results.find((r) => String(r.trackId) === ids.episodeId) : undefined;
  const keyed = (entry: FeedEntry): FeedEntry => ({
    ...entry,
    item: { ...entry.item, canonicalUrl: appleEpisodeUrl(episode?.trackViewUrl, url, ids) },
  });
  const pick = (feed: ParsedFeed): FeedEntry | undefined => {
    if (!ids.episodeId) return feed.items[0]; // a show page: its newest episode
    if (!episode) return findFeedItem(feed, { title: titleHint }); // older than the lookup's list
    return findFeedItem(feed, { guid: episode.episodeGuid, audioUrl: episode.episodeUrl, title: episode.trackName });
  };
  if (show?.feedUrl) {
    const feed = await fetchFeed(show.feedUrl, fetch);
    const entry = feed ? pick(feed) : undefined;
    if (entry) return { feedUrl: show.feedUrl, entry: keyed({ ...entry, media: tagged(entry) }), source: "feed" };
  }
  const fallback = episode && entryFromLookup(episode, show?.collectionName);
  if (fallback) return { feedUrl: show?.feedUrl ?? null, entry: keyed(fallback), source: "lookup" };
  throw new AppError(
    "no_media",
    show?.feedUrl
      ? "The episode was not found in the show's feed or in Apple's catalogue"
      : "Apple does not publish a feed for this show (subscriber-only or removed)",
  );
}

/**
 * An Apple episode is keyed by Apple's own URL for it (the lookup's trackViewUrl, when it names the same show and
 * episode), else the Apple URL that was submitted: never by the publisher's <link>, which Apple does not vouch for.
 */
function appleEpisodeUrl(
  trackViewUrl: string | undefined,
  submitted: string,
  ids: { showId: string; episodeId: string | null },
): string {
  const own = trackViewUrl ? applePodcastIds(trackViewUrl) : null;
  const same = own && own.showId === ids.showId && own.episodeId === ids.episodeId;
  return canonicalizeUrl(same && trackViewUrl ? trackViewUrl : submitted);
}

/** Records that the enclosure was reached through Apple's lookup, for the media list's "found in". */
const tagged = (entry: FeedEntry) => entry.media.map((m) => ({ ...m, foundIn: `apple-podcasts → ${m.foundIn}` }));
