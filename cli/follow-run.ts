import { ProgressLines } from './progress';
import type { RunState, StartedRun } from './scheduler-run';

/** Real time for the CLI's waits (it is not a Lambda: it may sleep between looks). */
export interface WaitClock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export interface FollowOptions {
  /** Time between two looks. */
  intervalMs: number;
  /** How long to follow before giving up (the run itself goes on). */
  timeoutMs: number;
  clock: WaitClock;
  write: (text: string) => void;
}

export type FollowOutcome = Extract<RunState, { done: true }> | { done: false; timedOut: true; phase: string; waitedMs: number };

/** Looks at the run until it ends or the timeout passes, printing a progress line per phase. */
export async function followRun(run: StartedRun, options: FollowOptions): Promise<FollowOutcome> {
  const { clock } = options;
  const startMs = clock.nowMs();
  const progress = new ProgressLines(options.write, startMs);
  for (;;) {
    const state = await run.check();
    const nowMs = clock.nowMs();
    progress.seen(state.phase || 'pending', nowMs);
    if (state.done) return state;
    const waitedMs = nowMs - startMs;
    if (waitedMs + options.intervalMs > options.timeoutMs) return { done: false, timedOut: true, phase: state.phase, waitedMs };
    await clock.sleep(options.intervalMs);
  }
}
