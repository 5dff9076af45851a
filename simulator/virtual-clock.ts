/**
 * Simulated time shared by the Kubernetes API test server's controllers, the local workflow runner's Wait
 * states and the handlers under test. Time moves only when `advance` or `advanceTo` is called.
 */
export class VirtualClock {
  private currentMs: number;
  private readonly listeners = new Set<(now: Date) => void>();

  constructor(start: Date | string = '2026-11-02T00:00:00Z') {
    this.currentMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.currentMs);
  }

  nowMs(): number {
    return this.currentMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.advanceTo(this.currentMs + ms);
  }

  advanceTo(target: Date | number): void {
    const targetMs = typeof target === 'number' ? target : target.getTime();
    if (targetMs < this.currentMs) return;
    this.currentMs = targetMs;
    for (const listener of this.listeners) listener(this.now());
  }

  /** Calls `listener` after every move of the clock; returns the function that unsubscribes. */
  onAdvance(listener: (now: Date) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
