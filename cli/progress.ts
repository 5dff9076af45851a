/**
 * The progress lines of `--wait`: plain lines, one when the phase changes and one a minute while it does not, so
 * they read the same in a terminal and in a CI log (no spinner, no cursor movement, no colour).
 */

/** While the phase stays the same, a line this often says the wait goes on. */
export const PROGRESS_REPEAT_MS = 60_000;

/** 45s, 3m05s, 1h02m: how long the wait has lasted. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export class ProgressLines {
  private lastPhase: string | undefined;
  private lastLineMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly write: (line: string) => void,
    private readonly startMs: number,
  ) {}

  /** The phase seen at `nowMs`: printed when it is new, or when the last line is a minute old. */
  seen(phase: string, nowMs: number): void {
    if (phase === this.lastPhase && nowMs - this.lastLineMs < PROGRESS_REPEAT_MS) return;
    this.lastPhase = phase;
    this.lastLineMs = nowMs;
    this.write(`  ${formatElapsed(nowMs - this.startMs).padStart(6)}  ${phase}\n`);
  }
}
