import {
  restoreOutcomeEvent,
  restoreOutcomeMetrics,
  restoreStartedEvent,
  type RestoreEventContext,
} from '../../lambdas/domain/restore-events';
import type { RestoreProgress } from '../../lambdas/domain/restore-progress';

const context: RestoreEventContext = {
  target: 'hendrix',
  eksCluster: 'prod-eks',
  namespace: 'demo',
  sourceCluster: 'hendrix',
  clusterName: 'hendrix-restore',
  backup: 'hendrix-20261124030000',
  requestId: 'incident-4711',
  createdAt: '2026-11-25T03:00:00Z',
  backupEndedAt: '2026-11-24T03:03:00Z',
  applicationSecret: 'hendrix-restore-app',
  database: 'orders',
  owner: 'orders',
  walReplay: 'none',
  specFrom: 'cluster',
  image: 'ghcr.io/cloudnative-pg/postgresql:17.5',
  warnings: [],
};
const detectedAt = new Date('2026-11-25T03:01:35Z');
const ready: RestoreProgress = {
  state: 'ready',
  phase: 'Cluster in healthy state',
  readyAt: '2026-11-25T03:01:30.000Z',
  rtoSeconds: 90,
  detectionLagSeconds: 5,
};
const failed: RestoreProgress = { state: 'failed', phase: 'Setting up primary', reason: 'Job hendrix-restore-1-snapshot-recovery failed' };
const timedOut: RestoreProgress = { state: 'timedOut', phase: '', reason: 'not ready after 120 minutes' };
const waiting: RestoreProgress = { state: 'waiting', phase: 'Setting up primary', reason: 'Setting up primary', waitSeconds: 10 };

describe('restore events', () => {
  test('a started restore says which request, backup and cluster', () =>
    expect(restoreStartedEvent(context)).toEqual({ detailType: 'Restore Started', detail: context }));

  test('a ready cluster completes the restore with its recovery time and when it was seen', () =>
    expect(restoreOutcomeEvent(context, ready, detectedAt)).toEqual({
      detailType: 'Restore Completed',
      detail: {
        ...context,
        readyAt: '2026-11-25T03:01:30.000Z',
        rtoSeconds: 90,
        detectedAt: '2026-11-25T03:01:35.000Z',
        detectionLagSeconds: 5,
      },
    }));

  test('a failure says in which phase and why', () =>
    expect(restoreOutcomeEvent(context, failed, detectedAt)).toEqual({
      detailType: 'Restore Failed',
      detail: { ...context, phase: 'Setting up primary', error: 'Job hendrix-restore-1-snapshot-recovery failed' },
    }));

  test('a timeout says what it last saw', () =>
    expect(restoreOutcomeEvent(context, timedOut, detectedAt)).toEqual({
      detailType: 'Restore Timed Out',
      detail: { ...context, phase: '', error: 'not ready after 120 minutes' },
    }));

  test('a restore still under way announces nothing', () => {
    expect(restoreOutcomeEvent(context, waiting, detectedAt)).toBeUndefined();
    expect(restoreOutcomeMetrics(waiting)).toEqual([]);
  });

  test('a completed restore counts a success and its recovery time', () =>
    expect(restoreOutcomeMetrics(ready)).toEqual([
      { name: 'RestoreSucceeded', value: 1, unit: 'Count' },
      { name: 'RestoreRtoSeconds', value: 90, unit: 'Seconds' },
    ]));

  test.each([failed, timedOut])('a restore that ends $state counts a failure', (progress) =>
    expect(restoreOutcomeMetrics(progress)).toEqual([{ name: 'RestoreFailed', value: 1, unit: 'Count' }]),
  );
});
