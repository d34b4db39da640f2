import { LEVELS, type Filters, type Level } from "./events";

export function FilterBar({ filters, onChange }: { filters: Filters; onChange: (f: Filters) => void }) {
  return (
    <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
      <label>
        Source
        <input data-testid="filter-source" value={filters.source} placeholder="e.g. checkout" maxLength={128} onChange={(e) => onChange({ ...filters, source: e.target.value })} />
      </label>
      <label>
        Level
        <select data-testid="filter-level" value={filters.level} onChange={(e) => onChange({ ...filters, level: e.target.value as Level | "" })}>
          <option value="">all</option>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <label>
        Day (UTC)
        <input data-testid="filter-day" type="date" value={filters.day} onChange={(e) => e.target.value && onChange({ ...filters, day: e.target.value })} />
      </label>
    </form>
  );
}
