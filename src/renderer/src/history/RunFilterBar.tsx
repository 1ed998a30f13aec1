import { useId } from 'react';
import type { FilterChoices, RunFilters } from './runFilters';
import { OUTCOMES } from './runSummary';

interface RunFilterBarProps {
  filters: RunFilters;
  choices: FilterChoices;
  onChange(filters: RunFilters): void;
  onClear(): void;
  canClear: boolean;
}

export function RunFilterBar({ filters, choices, onChange, onClear, canClear }: RunFilterBarProps) {
  const id = useId();
  const set = <K extends keyof RunFilters>(key: K, value: RunFilters[K]) => onChange({ ...filters, [key]: value });
  return (
    <search className="run-filters" aria-label="Filter runs">
      <div className="field run-filter-text">
        <label htmlFor={`${id}-text`}>Search</label>
        <input
          id={`${id}-text`}
          type="search"
          value={filters.text}
          placeholder="Run id, installation, replica or message"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => set('text', e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-installation`}>Installation</label>
        <select
          id={`${id}-installation`}
          value={filters.installation}
          // A replica belongs to one installation: choosing another clears it.
          onChange={(e) => onChange({ ...filters, installation: e.target.value, replica: e.target.value && !filters.replica.startsWith(`${e.target.value}/`) ? '' : filters.replica })}
        >
          <option value="">All installations</option>
          {choices.installations.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-replica`}>Replica</label>
        <select id={`${id}-replica`} value={filters.replica} onChange={(e) => set('replica', e.target.value)}>
          <option value="">All replicas</option>
          {choices.replicas.map((ref) => (
            <option key={ref} value={ref}>
              {ref}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-outcome`}>Outcome</label>
        <select id={`${id}-outcome`} value={filters.outcome} onChange={(e) => set('outcome', e.target.value as RunFilters['outcome'])}>
          <option value="">Any outcome</option>
          {OUTCOMES.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set('from', e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => set('to', e.target.value)} />
      </div>
      <div className="run-filter-clear">
        <button type="button" className="button button-quiet" onClick={onClear} disabled={!canClear}>
          Clear filters
        </button>
      </div>
    </search>
  );
}
