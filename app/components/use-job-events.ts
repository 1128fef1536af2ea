"use client";

import { useEffect, useState } from "react";
import { EVENT_TYPES, isTerminal, type ProgressEvent } from "@/lib/progress/events";
import { applyEvents, emptyJobView, type JobView } from "@/lib/ui/job-view";

export type Connection = "connecting" | "live" | "reconnecting" | "polling" | "closed";

const MAX_STREAM_FAILURES = 3;
const POLL_MS = 1_000;

/**
 * Follows one job: the SSE stream first (the browser resumes it with Last-Event-ID by itself), and after
 * repeated stream failures a poll of `GET /api/jobs/:id?after=seq`. Events are applied in seq order;
 * duplicates from a replay are ignored by applyEvents.
 */
export function useJobEvents(jobId: string): { view: JobView; connection: Connection } {
  const [view, setView] = useState<JobView>(() => emptyJobView(jobId));
  const [connection, setConnection] = useState<Connection>("connecting");

  useEffect(() => {
    let lastSeq = 0;
    let failures = 0;
    let finished = false;
    let source: EventSource | undefined;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;

    const apply = (events: ProgressEvent[]) => {
      if (events.length === 0) return;
      lastSeq = Math.max(lastSeq, ...events.map((e) => e.seq));
      setView((current) => applyEvents(current, events));
      if (events.some((e) => isTerminal(e.type))) finish();
    };

    const finish = () => {
      finished = true;
      source?.close();
      if (pollTimer) clearTimeout(pollTimer);
      setConnection("closed");
    };

    const poll = async () => {
      if (finished) return;
      try {
        const response = await fetch(`/api/jobs/${jobId}?after=${lastSeq}`, { cache: "no-store" });
        if (response.ok) {
          const body = (await response.json()) as { eventsAfter?: ProgressEvent[] };
          apply(body.eventsAfter ?? []);
        }
      } catch {
        // The next poll tries again; the connection badge already says "polling".
      }
      if (!finished) pollTimer = setTimeout(poll, POLL_MS);
    };

    const open = () => {
      source = new EventSource(`/api/jobs/${jobId}/events${lastSeq ? `?after=${lastSeq}` : ""}`);
      source.onopen = () => {
        failures = 0;
        setConnection("live");
      };
      const onEvent = (message: MessageEvent<string>) => apply([JSON.parse(message.data) as ProgressEvent]);
      for (const type of EVENT_TYPES) source.addEventListener(type, onEvent);
      source.onerror = () => {
        if (finished) return;
        failures += 1;
        if (failures >= MAX_STREAM_FAILURES) {
          source?.close();
          setConnection("polling");
          void poll();
        } else {
          setConnection("reconnecting");
        }
      };
    };

    open();
    return () => {
      finished = true;
      source?.close();
      if (pollTimer) clearTimeout(pollTimer);
    };
  }, [jobId]);

  return { view, connection };
}
