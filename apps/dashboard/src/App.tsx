import { useCallback, useEffect, useMemo, useState } from "react";
import { EventList } from "./EventList";
import { buildRows, utcDay, type Filters, type TelemetryEvent } from "./events";
import { FilterBar } from "./FilterBar";
import { SendForm } from "./SendForm";
import { useEvents } from "./useEvents";
import { useSender } from "./useSender";

const env = import.meta.env;
const num = (v: string | undefined, fallback: number) => (v && Number.isFinite(Number(v)) ? Number(v) : fallback);
export const SETTINGS = {
  refreshMs: num(env.VITE_REFRESH_MS, 3_000),
  confirmTimeoutMs: num(env.VITE_CONFIRM_TIMEOUT_MS, 15_000),
  confirmPollMs: 500,
  limit: 100,
};

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function App() {
  const [filters, setFilters] = useState<Filters>({ source: "dashboard", day: utcDay(Date.now()), level: "" });
  // Typing in the source box must not fire one request per keystroke.
  const applied = useDebounced(filters, 300);
  const query = useEvents(applied, { intervalMs: SETTINGS.refreshMs, limit: SETTINGS.limit, enabled: applied.source.trim() !== "" });
  const [confirmed, setConfirmed] = useState<TelemetryEvent[]>([]);
  const onConfirmed = useCallback((e: TelemetryEvent) => setConfirmed((list) => [e, ...list].slice(0, 50)), []);
  const sender = useSender({ confirmTimeoutMs: SETTINGS.confirmTimeoutMs, pollMs: SETTINGS.confirmPollMs, onConfirmed });

  const { seen } = sender;
  useEffect(() => {
    if (query.events && !query.stale) seen(query.events);
  }, [query.events, query.stale, seen]);

  const rows = useMemo(() => {
    const server = query.stale ? [] : (query.events ?? []);
    const ids = new Set(server.map((e) => e.id));
    // A confirmed event shows at once, before the next list refresh brings it.
    const extra = confirmed.filter((e) => !ids.has(e.id) && e.source === applied.source && (!applied.level || e.level === applied.level) && e.timestamp.startsWith(applied.day));
    return buildRows([...server, ...extra], sender.sent, applied);
  }, [query.events, query.stale, confirmed, sender.sent, applied]);

  const loading = applied.source.trim() !== "" && query.stale && !query.error;
  return (
    <div className="page">
      <header className="top">
        <h1>Telemetry</h1>
        <span className="refresh" data-testid="refresh-state" aria-live="polite">
          {query.refreshing ? "refreshing…" : query.updatedAt ? `updated ${new Date(query.updatedAt).toLocaleTimeString()}` : ""}
        </span>
      </header>
      <SendForm defaultSource={applied.source || "dashboard"} sent={sender.sent} timeoutSeconds={SETTINGS.confirmTimeoutMs / 1000} onSend={sender.send} />
      <FilterBar filters={filters} onChange={setFilters} />
      {query.error && (
        <div className="banner error" role="alert" data-testid="error">
          Could not load events: {query.error}. {query.events ? "Showing the last loaded page; retrying." : "Retrying."}
        </div>
      )}
      <EventList rows={rows} loading={loading} emptyHint={applied.source.trim() === "" ? "Enter a source to see its events." : `No events from "${applied.source}" on ${applied.day}${applied.level ? ` at level ${applied.level}` : ""}.`} />
    </div>
  );
}
