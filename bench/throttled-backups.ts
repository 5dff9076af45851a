import type { Backup } from '../lambdas/domain/kube-objects';
import { backupNameFor } from '../lambdas/domain/backup-name';
import { HENDRIX, LocalScheduler } from '../simulator/local-scheduler';
import { VirtualClock } from '../simulator/virtual-clock';

/** Hourly slots of the throttling run, and the share of Kubernetes requests answered 429 or 503. */
export const THROTTLED_SLOTS = 200;
export const THROTTLED_FRACTION = 0.3;

interface SlotOutcomes {
  /** Slots whose execution succeeded with the slot's Backup completed. */
  completed: number;
  /** Slots whose execution succeeded although its retention failed (reported as a retention failure). */
  retentionFailed: number;
  requests: number;
  faulted: number;
}

/**
 * Hourly backups of one target while `fraction` of all Kubernetes requests are answered 429 (Retry-After 1 s) or
 * 503 by the test server's fault injector: how many slots still end with a completed Backup and a succeeded execution.
 */
async function runSlots(fraction: number): Promise<SlotOutcomes> {
  const start = Date.parse('2026-11-02T00:00:00Z');
  const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(start)), targets: [HENDRIX] });
  try {
    local.server.faults.add({ fraction, response: [{ status: 429, retryAfterSeconds: 1 }, { status: 503 }] });
    const outcomes: SlotOutcomes = { completed: 0, retentionFailed: 0, requests: 0, faulted: 0 };
    for (let hour = 0; hour < THROTTLED_SLOTS; hour += 1) {
      const slot = new Date(start + hour * 3_600_000);
      local.clock.advanceTo(slot);
      const { executionName } = await local.fireSchedule('backup', 'hendrix', slot);
      const execution = local.execution(executionName);
      // Read from the store directly: injected faults apply to HTTP requests only.
      const backup = local.server.objects<Backup>('backups', 'demo').find((b) => b.metadata.name === backupNameFor('hendrix', slot));
      if (execution?.status === 'SUCCEEDED' && backup?.status?.phase === 'completed') outcomes.completed += 1;
      if (execution?.statesEntered.includes('BackupCompletedRetentionFailed')) outcomes.retentionFailed += 1;
    }
    outcomes.requests = local.server.requests.length;
    outcomes.faulted = local.server.requests.filter((r) => r.status === 429 || r.status === 503).length;
    return outcomes;
  } finally {
    await local.close();
  }
}

export async function throttledBackups(row: (label: string, value: string) => void): Promise<void> {
  console.log(`\nThrottling: ${THROTTLED_FRACTION * 100}% of Kubernetes requests answered 429/503, ${THROTTLED_SLOTS} hourly slots`);
  const baseline = await runSlots(0);
  const throttled = await runSlots(THROTTLED_FRACTION);
  const line = (outcomes: SlotOutcomes) =>
    `${outcomes.completed} / ${THROTTLED_SLOTS} completed and succeeded (${outcomes.retentionFailed} with a failed retention)`;
  row('without faults (baseline)', line(baseline));
  row(`with ${THROTTLED_FRACTION * 100}% of requests answered 429/503`, line(throttled));
  row(
    'Kubernetes requests, throttled run vs baseline',
    `${throttled.requests} vs ${baseline.requests} (${(throttled.requests / baseline.requests).toFixed(2)}x; ${throttled.faulted} answered 429/503)`,
  );
}
