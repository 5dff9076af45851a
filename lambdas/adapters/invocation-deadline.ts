import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * When the current Lambda invocation must have answered (epoch ms), so that adapters retry only while a retry still
 * fits; the Lambda wrapper sets it from the context's remaining time. Outside an invocation there is none.
 */
const deadlines = new AsyncLocalStorage<number>();

export function runWithDeadline<T>(deadline: number, run: () => Promise<T>): Promise<T> {
  return deadlines.run(deadline, run);
}

export function invocationDeadline(): number | undefined {
  return deadlines.getStore();
}
