// Severity bands as GuardDuty names them, highest first, with their colours.
export const BANDS = ['Critical', 'High', 'Medium', 'Low'] as const;

export const BAND_COLORS: Readonly<Record<string, string>> = {
  Critical: '#c92a2a',
  High: '#e8590c',
  Medium: '#f2a100',
  Low: '#4c8bf5',
};
