import type { ArticlePatch } from "../store/store";

/** The browser's calls to the reader's API (same origin, session cookie): the error's own message when it has one. */

export class ReaderApiError extends Error {}

async function failure(response: Response, what: string): Promise<ReaderApiError> {
  let message = `${what} failed (HTTP ${response.status})`;
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error?.message) message = `${what} failed: ${body.error.message}`;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  return new ReaderApiError(message);
}

export async function patchArticle(id: string, patch: ArticlePatch, what = "Saving"): Promise<void> {
  const response = await fetch(`/api/articles/${id}`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(patch),
  });
  if (!response.ok) throw await failure(response, what);
}

/** `keepalive` lets a deletion started as the page unloads finish. */
export async function deleteArticleRequest(id: string, keepalive = false): Promise<void> {
  const response = await fetch(`/api/articles/${id}`, { method: "DELETE", keepalive });
  if (!response.ok && response.status !== 404) throw await failure(response, "Deleting");
}

export async function postJson<T>(url: string, body: unknown, what: string): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response, what);
  return (await response.json()) as T;
}

export async function deleteRequest(url: string, what: string): Promise<void> {
  const response = await fetch(url, { method: "DELETE" });
  if (!response.ok) throw await failure(response, what);
}

/** A key press meant for the page, not typed into a field or combined with a modifier. */
export function isShortcut(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return false;
  const target = event.target as HTMLElement | null;
  if (!target) return true;
  return !(target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}
