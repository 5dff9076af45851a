import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs; every handler appends its correlation ids (target, backup, execution). */
export const logger = new Logger({ serviceName: 'cnpg-snapshot-scheduler' });

/** What handlers need from a logger; the Powertools Logger satisfies it and tests pass their own. */
export interface Log {
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
  appendKeys(keys: Record<string, unknown>): void;
}
