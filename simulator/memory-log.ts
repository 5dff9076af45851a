import type { Log } from '../lambdas/runtime/logger';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  keys: Record<string, unknown>;
  extra: Array<Record<string, unknown>>;
}

/** A Log that keeps entries in memory, so tests can read (and scan) what handlers would have logged. */
export class MemoryLog implements Log {
  readonly entries: LogEntry[] = [];
  private keys: Record<string, unknown> = {};

  info(message: string, ...extra: Array<Record<string, unknown>>): void {
    this.entries.push({ level: 'info', message, keys: { ...this.keys }, extra });
  }

  warn(message: string, ...extra: Array<Record<string, unknown>>): void {
    this.entries.push({ level: 'warn', message, keys: { ...this.keys }, extra });
  }

  error(message: string, ...extra: Array<Record<string, unknown>>): void {
    this.entries.push({ level: 'error', message, keys: { ...this.keys }, extra });
  }

  appendKeys(keys: Record<string, unknown>): void {
    this.keys = { ...this.keys, ...keys };
  }

  /** Handlers append keys per invocation; Lambda's middleware resets them between invocations. */
  resetKeys(): void {
    this.keys = {};
  }
}
