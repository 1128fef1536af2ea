"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { EVENT_TYPES, isTerminal, type ProgressEvent } from "@/lib/progress/events";
import { applyEvents, emptyJobView, type JobView } from "@/lib/ui/job-view";

export type Connection = "connecting" | "live" | "reconnecting" | "polling" | "closed";

const MAX_STREAM_FAILURES = 3;
const POLL_MS = 1_000;

interface Follower {
  open(): void;
  stop(): void;
}

/**
 * Follows one job: the SSE stream first (the browser resumes it with Last-Event-ID by itself), and after
 * repeated stream failures a poll of `GET /api/jobs/:id?after=seq`. Events are applied in seq order;
 * duplicates from a replay are ignored by applyEvents.
 *
 * A terminal event ends a run, not the job: the relay replays earlier runs and closes only after the latest
 * run's terminal event, so the stream is finished when the server closes it right after a terminal event.
 * `follow()` opens it again from the last seq (after the user asked for a retry).
 */
export function useJobEvents(
  jobId: string,
  start: { initial?: JobView; url?: string; live?: boolean } = {},
): { view: JobView; connection: Connection; follow: () => void } {
  // The server's view (first paint) when there is one; the stream resumes after its last event.
  const [view, setView] = useState<JobView>(() => start.initial ?? emptyJobView(jobId, start.url));
  const followAtOnce = start.live ?? true;
  const [connection, setConnection] = useState<Connection>(followAtOnce ? "connecting" : "closed");
  const follower = useRef<Follower | null>(null);
  const from = useRef(start.initial?.lastSeq ?? 0);

  useEffect(() => {
    let lastSeq = from.current;
    let lastWasTerminal = false;
    let failures = 0;
    let finished = false;
    let source: EventSource | undefined;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;

    const apply = (events: ProgressEvent[]) => {
      const fresh = events.filter((e) => e.seq > lastSeq).sort((a, b) => a.seq - b.seq);
      const last = fresh.at(-1);
      if (!last) return;
      lastSeq = last.seq;
      lastWasTerminal = isTerminal(last.type);
      setView((current) => applyEvents(current, fresh));
    };

    const finish = () => {
      finished = true;
      source?.close();
      source = undefined;
      if (pollTimer) clearTimeout(pollTimer);
      setConnection("closed");
    };

    const poll = async () => {
      if (finished) return;
      try {
        const response = await fetch(`/api/jobs/${jobId}?after=${lastSeq}`, { cache: "no-store" });
        if (response.ok) {
          const body = (await response.json()) as { status?: string; eventsAfter?: ProgressEvent[] };
          const events = body.eventsAfter ?? [];
          apply(events);
          const settled = body.status === "completed" || body.status === "failed" || body.status === "cancelled";
          if (events.length === 0 && settled && lastWasTerminal) finish();
        }
      } catch {
        // The next poll tries again; the connection badge already says "polling".
      }
      if (!finished) pollTimer = setTimeout(poll, POLL_MS);
    };

    const open = () => {
      finished = false;
      failures = 0;
      source?.close();
      setConnection("connecting");
      const current = new EventSource(`/api/jobs/${jobId}/events${lastSeq ? `?after=${lastSeq}` : ""}`);
      source = current;
      current.onopen = () => {
        failures = 0;
        setConnection("live");
      };
      const onEvent = (message: MessageEvent<string>) => apply([JSON.parse(message.data) as ProgressEvent]);
      for (const type of EVENT_TYPES) current.addEventListener(type, onEvent);
      current.onerror = () => {
        if (finished || source !== current) return;
        // The relay closed the stream right after the latest run's terminal event: nothing more will come.
        if (lastWasTerminal) return finish();
        failures += 1;
        if (failures >= MAX_STREAM_FAILURES) {
          current.close();
          setConnection("polling");
          void poll();
        } else {
          setConnection("reconnecting");
        }
      };
    };

    follower.current = { open, stop: finish };
    // A job that had finished when the page was rendered is not followed until asked (a retry).
    if (followAtOnce) open();
    else finished = true;
    return () => {
      finished = true;
      source?.close();
      if (pollTimer) clearTimeout(pollTimer);
      follower.current = null;
    };
  }, [jobId, followAtOnce]);

  const follow = useCallback(() => follower.current?.open(), []);
  return { view, connection, follow };
}
