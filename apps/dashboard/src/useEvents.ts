import { useCallback, useEffect, useRef, useState } from "react";
import { fetchEvents } from "./api";
import { samePage, type Filters, type TelemetryEvent } from "./events";

export interface EventsState {
  /** Last good page for `filtersKey`; kept while refreshing and after a failed refresh. */
  readonly events: TelemetryEvent[] | undefined;
  /** Filters the events belong to (differs from the current ones while a filter change loads). */
  readonly filtersKey: string | undefined;
  readonly error: string | undefined;
  readonly refreshing: boolean;
  readonly updatedAt: number | undefined;
}

/**
 * Polls the query API. The list is never blanked: a refresh replaces it only when the page
 * changed, and a failed refresh keeps the previous page next to the error. A request still in
 * flight when the filters change is aborted so a stale answer cannot land after a newer one.
 */
export function useEvents(filters: Filters, opts: { intervalMs: number; limit: number; enabled: boolean }) {
  const [state, setState] = useState<EventsState>({ events: undefined, filtersKey: undefined, error: undefined, refreshing: false, updatedAt: undefined });
  const key = JSON.stringify(filters);
  const inflight = useRef<AbortController | undefined>(undefined);

  const refresh = useCallback(async () => {
    inflight.current?.abort();
    const ctrl = new AbortController();
    inflight.current = ctrl;
    setState((s) => (s.refreshing ? s : { ...s, refreshing: true }));
    try {
      const page = await fetchEvents(JSON.parse(key) as Filters, { limit: opts.limit, signal: ctrl.signal });
      if (ctrl.signal.aborted) return;
      setState((s) => ({
        events: s.filtersKey === key && samePage(s.events, page.events) ? s.events : page.events,
        filtersKey: key,
        error: undefined,
        refreshing: false,
        updatedAt: Date.now(),
      }));
    } catch (err) {
      if (ctrl.signal.aborted) return;
      setState((s) => ({ ...s, error: (err as Error).message, refreshing: false }));
    }
  }, [key, opts.limit]);

  useEffect(() => {
    if (!opts.enabled) return;
    void refresh();
    const timer = setInterval(() => {
      // Background tabs do not poll; the next tick after coming back refreshes.
      if (document.visibilityState === "visible") void refresh();
    }, opts.intervalMs);
    return () => {
      clearInterval(timer);
      inflight.current?.abort();
    };
  }, [refresh, opts.intervalMs, opts.enabled]);

  return { ...state, stale: state.filtersKey !== key, refresh };
}
