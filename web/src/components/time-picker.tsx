// Time picker: relative ranges (last 15 minutes … 90 days) or absolute dates.
import { useEffect, useState } from 'preact/hooks';
import { PRESETS, presetOf, relativeLabel, type Range } from '../time-range.js';

function toLocalInput(iso: string | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '';
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function TimePicker({ range, onChange }: { range: Range; onChange: (r: Range) => void }) {
  // A relative `from` from a URL (`now-1d`) is the preset it equals, or an option of its own; only dates are absolute.
  const preset = presetOf(range);
  const openEnded = range.to === undefined || range.to === '' || range.to === 'now';
  const otherRelative = preset === undefined && openEnded ? relativeLabel(range.from) : undefined;
  const isRelative = preset !== undefined || otherRelative !== undefined;
  const selected = preset?.from ?? (otherRelative !== undefined ? range.from : 'absolute');
  const [absolute, setAbsolute] = useState(!isRelative);
  const [from, setFrom] = useState(toLocalInput(isRelative ? undefined : range.from));
  const [to, setTo] = useState(toLocalInput(range.to));
  // The URL can change under the picker (back, a link): follow it.
  useEffect(() => {
    setAbsolute(!isRelative);
    setFrom(toLocalInput(isRelative ? undefined : range.from));
    setTo(toLocalInput(range.to));
  }, [range.from, range.to]);
  return (
    <div class="time-picker" role="group" aria-label="Time range">
      <label for="range-select" class="sr-only">Time range</label>
      <select
        id="range-select"
        value={absolute ? 'absolute' : selected}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (v === 'absolute') setAbsolute(true);
          else {
            setAbsolute(false);
            onChange({ from: v });
          }
        }}
      >
        {PRESETS.map((p) => <option value={p.from}>{p.label}</option>)}
        {otherRelative !== undefined && <option value={range.from}>{otherRelative}</option>}
        <option value="absolute">Absolute dates…</option>
      </select>
      {absolute && (
        <form
          class="absolute"
          onSubmit={(e) => {
            e.preventDefault();
            if (from) onChange({ from: new Date(from).toISOString(), ...(to && { to: new Date(to).toISOString() }) });
          }}
        >
          <label>From <input type="datetime-local" value={from} required onInput={(e) => setFrom(e.currentTarget.value)} /></label>
          <label>To <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} /></label>
          <button type="submit">Apply</button>
        </form>
      )}
    </div>
  );
}
