import { memo } from "react";
import type { Row } from "./events";

const time = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour12: false });

const EventRow = memo(function EventRow({ row }: { row: Row }) {
  return (
    <tr data-testid="event-row" data-key={row.key} data-status={row.status ?? "stored"} className={row.status === "pending" || row.status === "sending" ? "pending" : undefined}>
      <td className="time" title={row.timestamp}>
        {time(row.timestamp)}
      </td>
      <td>
        <span className={`badge level-${row.level}`}>{row.level}</span>
      </td>
      <td className="source">{row.source}</td>
      <td className="message">{row.message}</td>
      <td className="state">{row.status && <span className={`badge status-${row.status}`} data-testid="row-status">{row.status}</span>}</td>
    </tr>
  );
});

export function EventList({ rows, loading, emptyHint }: { rows: Row[]; loading: boolean; emptyHint: string }) {
  if (loading && rows.length === 0) {
    return (
      <p className="placeholder" data-testid="loading" aria-busy="true">
        Loading events…
      </p>
    );
  }
  if (rows.length === 0) {
    return (
      <p className="placeholder" data-testid="empty">
        {emptyHint}
      </p>
    );
  }
  return (
    <table className="events" data-testid="events" aria-busy={loading}>
      <thead>
        <tr>
          <th>Time</th>
          <th>Level</th>
          <th>Source</th>
          <th>Message</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <EventRow key={r.key} row={r} />
        ))}
      </tbody>
    </table>
  );
}
