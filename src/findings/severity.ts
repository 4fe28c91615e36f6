// Severity bands as PRODUCT.md defines them; GuardDuty's number is the only source of truth.

export const SEVERITY_BANDS = ['Low', 'Medium', 'High', 'Critical'] as const;
export type SeverityBand = (typeof SEVERITY_BANDS)[number];

/** Maps a GuardDuty severity (1.0–10.0) to its band. Values outside the range clamp to the nearest band. */
export function severityBand(severity: number): SeverityBand {
  if (severity >= 9) return 'Critical';
  if (severity >= 7) return 'High';
  if (severity >= 4) return 'Medium';
  return 'Low';
}

/** Band rank 1 (Low) … 4 (Critical), used for storage and ordering. */
export function bandRank(band: SeverityBand): number {
  return SEVERITY_BANDS.indexOf(band) + 1;
}

export function bandFromRank(rank: number): SeverityBand {
  const band = SEVERITY_BANDS[rank - 1];
  if (band === undefined) throw new RangeError(`no severity band has rank ${rank}`);
  return band;
}

/** Parses a band name case-insensitively; undefined when it is not one. */
export function parseBand(text: string): SeverityBand | undefined {
  const lower = text.toLowerCase();
  return SEVERITY_BANDS.find((b) => b.toLowerCase() === lower);
}
