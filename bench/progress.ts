// Progress lines on stderr (the Markdown report goes to stdout), how long each phase took, and how busy the machine was.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export type Note = (message: string) => void;

export interface PhaseRecord {
  readonly phase: string;
  readonly seconds: number;
  /** Share of both cores busy during the phase, any process (0..1): other work on the machine shows here. */
  readonly machineBusy: number;
  /** One-minute load average when the phase ended. */
  readonly load1: number;
}

/** Busy and total CPU jiffies of the whole machine, from /proc/stat. */
function cpuJiffies(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((s, v) => s + v, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export class Progress {
  private readonly started = performance.now();
  readonly durations: PhaseRecord[] = [];

  readonly note: Note = (message) => {
    const clock = `${((performance.now() - this.started) / 1000).toFixed(1).padStart(7)} s`;
    process.stderr.write(`[bench ${clock}] ${message}\n`);
  };

  /** Runs one phase, printing when it starts and how long it took. */
  async phase<T>(name: string, run: () => Promise<T>): Promise<T> {
    this.note(`${name} …`);
    const t0 = performance.now();
    const cpu0 = cpuJiffies();
    try {
      return await run();
    } finally {
      const seconds = (performance.now() - t0) / 1000;
      const cpu1 = cpuJiffies();
      const machineBusy = cpu1.total > cpu0.total ? (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total) : 0;
      const load1 = os.loadavg()[0] ?? 0;
      this.durations.push({ phase: name, seconds, machineBusy, load1 });
      this.note(`${name} done in ${seconds.toFixed(1)} s (machine ${Math.round(machineBusy * 100)}% busy, load ${load1.toFixed(1)})`);
    }
  }

  get elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}
