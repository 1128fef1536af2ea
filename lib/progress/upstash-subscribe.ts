/**
 * One Upstash REST subscription (`POST /subscribe/<channel>`, answered as a long-lived event stream of
 * `data: subscribe,<channel>,<n>` then `data: message,<channel>,<message>` lines). Written here rather than through
 * @upstash/redis's `subscribe()` because that one says nothing when the server ends the stream: a dropped
 * subscription must be noticed at once (the reader falls back to polling and subscribes again), not by a safety poll.
 */
export interface RestSubscription {
  close(): void;
}

export interface RestSubscriptionHandlers {
  onSubscribed(): void;
  onMessage(message: string): void;
  /** The stream ended or failed (after or before `onSubscribed`); never called after `close()`. */
  onEnd(error?: unknown): void;
}

export function subscribeRest(
  url: string,
  token: string,
  channel: string,
  handlers: RestSubscriptionHandlers,
): RestSubscription {
  const controller = new AbortController();
  let closed = false;
  const consume = async () => {
    const response = await fetch(`${url.replace(/\/+$/, "")}/subscribe/${encodeURIComponent(channel)}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`subscribe answered HTTP ${response.status}`);
    }
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline !== -1) {
        const line = buffered.slice(0, newline).replace(/\r$/, "");
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trimStart();
        const first = data.indexOf(",");
        const second = data.indexOf(",", first + 1);
        if (first === -1 || second === -1) continue;
        const type = data.slice(0, first);
        if (type === "subscribe") handlers.onSubscribed();
        else if (type === "message") handlers.onMessage(data.slice(second + 1));
      }
    }
  };
  consume().then(
    () => {
      if (!closed) handlers.onEnd();
    },
    (error: unknown) => {
      if (!closed) handlers.onEnd(error);
    },
  );
  return {
    close() {
      closed = true;
      controller.abort();
    },
  };
}
