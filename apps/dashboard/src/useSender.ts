import { useCallback, useEffect, useRef, useState } from "react";
import { fetchEvents, sendEvent } from "./api";
import { CLIENT_ID_KEY, findSent, utcDay, type Level, type SentEvent, type TelemetryEvent } from "./events";

export interface SenderOptions {
  /** How long to wait for the query to return a sent event. */
  readonly confirmTimeoutMs: number;
  readonly pollMs: number;
  /** Called with the query's copy of a confirmed event, so the list can show it at once. */
  readonly onConfirmed: (e: TelemetryEvent) => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Sends test events and confirms each one: after the 202, it polls the query with
 * `x-read-your-writes: true` (routed to the command role, LOCAL_QUORUM) until the event shows up
 * or the timeout passes.
 */
export function useSender(opts: SenderOptions) {
  const [sent, setSent] = useState<SentEvent[]>([]);
  const alive = useRef(new AbortController());
  useEffect(() => {
    const ctrl = new AbortController();
    alive.current = ctrl;
    return () => ctrl.abort();
  }, []);
  const optsRef = useRef(opts);
  optsRef.current = opts;

  // Confirmed by either path (this hook's read-your-writes poll or the list's refresh).
  const confirmed = useRef(new Set<string>());
  /** Moves one sent event on, but only from the states listed (a confirmation is never undone). */
  const update = (clientId: string, from: readonly SentEvent["status"][], patch: Partial<SentEvent>) =>
    setSent((list) => list.map((s) => (s.clientId === clientId && from.includes(s.status) ? { ...s, ...patch } : s)));

  /** Confirms sent events the list's own refresh returned. */
  const seen = useCallback((events: readonly TelemetryEvent[]) => {
    setSent((list) => {
      let changed = false;
      const next = list.map((s) => {
        if (s.status === "confirmed" || s.status === "failed" || !findSent(events, s.clientId)) return s;
        changed = true;
        confirmed.current.add(s.clientId);
        return { ...s, status: "confirmed" as const, confirmedAt: Date.now() };
      });
      return changed ? next : list;
    });
  }, []);

  const send = useCallback(async (input: { level: Level; message: string; source: string }) => {
    const signal = alive.current.signal;
    const clientId = crypto.randomUUID();
    const sentAt = Date.now();
    setSent((list) => [{ ...input, clientId, sentAt, status: "sending" as const }, ...list].slice(0, 50));
    try {
      await sendEvent({ ...input, metadata: { [CLIENT_ID_KEY]: clientId } }, signal);
    } catch (err) {
      update(clientId, ["sending"], { status: "failed", error: (err as Error).message });
      return;
    }
    update(clientId, ["sending"], { status: "pending" });
    const { confirmTimeoutMs, pollMs } = optsRef.current;
    const deadline = sentAt + confirmTimeoutMs;
    while (!signal.aborted && Date.now() < deadline && !confirmed.current.has(clientId)) {
      try {
        const page = await fetchEvents({ source: input.source, day: utcDay(sentAt), level: "" }, { limit: 50, readYourWrites: true, signal });
        const found = findSent(page.events, clientId);
        if (found) {
          confirmed.current.add(clientId);
          update(clientId, ["sending", "pending", "timeout"], { status: "confirmed", confirmedAt: Date.now() });
          optsRef.current.onConfirmed(found);
          return;
        }
      } catch {
        // a failed poll is retried until the deadline; the timeout message covers a persistent failure
      }
      await sleep(pollMs, signal);
    }
    if (!signal.aborted) update(clientId, ["pending"], { status: "timeout" });
  }, []);

  return { sent, send, seen };
}
