/** Video hosts recognised in page URLs, iframes and media tags. */
const YOUTUBE =
  /^(?:https?:)?\/\/(?:www\.|m\.|music\.)?(?:youtube\.com\/(?:watch\?(?:.*&)?v=|shorts\/|embed\/|live\/|v\/)|youtu\.be\/|youtube-nocookie\.com\/embed\/)([\w-]{11})/i;
const VIMEO = /^(?:https?:)?\/\/(?:www\.|player\.)?vimeo\.com\/(?:video\/)?(\d+)/i;

/** A canonical watch URL for any YouTube URL form (watch, youtu.be, shorts, embed, nocookie), or null. */
export function youtubeUrl(url: string): string | null {
  const id = YOUTUBE.exec(url)?.[1];
  return id ? `https://www.youtube.com/watch?v=${id}` : null;
}

export function vimeoUrl(url: string): string | null {
  const id = VIMEO.exec(url)?.[1];
  return id ? `https://vimeo.com/${id}` : null;
}

/** A MIME type's media kind, or the tag's own kind when the type says nothing. */
export const mediaKind = (type: string | undefined, fallback: "audio" | "video"): "audio" | "video" =>
  type?.startsWith("video/") ? "video" : type?.startsWith("audio/") ? "audio" : fallback;
