import type { MetadataRoute } from "next";

/**
 * The web app manifest: installable, and a share target — "Share → article-summarizer" from a phone's browser or
 * podcast app opens /share with what was shared (many apps put the link in `text`, not `url`).
 */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "article-summarizer",
    short_name: "Summarizer",
    description: "Turn any URL into a saved, structured summary, with live progress.",
    id: "/articles",
    start_url: "/articles",
    scope: "/",
    display: "standalone",
    background_color: "#f7f7f5",
    theme_color: "#2450c4",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
    share_target: {
      action: "/share",
      method: "GET",
      params: { title: "title", text: "text", url: "url" },
    },
  };
}
