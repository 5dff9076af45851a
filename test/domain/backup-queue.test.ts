import { inspectSlotQueue } from '../../lambdas/domain/backup-queue';
import type { Backup } from '../../lambdas/domain/kube-objects';

const now = new Date('2026-11-25T06:00:00Z');
const ours = { 'cnpg.io/cluster': 'hendrix', 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler' };

function backup(
  name: string,
  createdMinutesAgo: number,
  phase?: string,
  options: { labels?: Record<string, string>; cluster?: string } = {},
): Backup {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: {
      name,
      namespace: 'demo',
      resourceVersion: '1',
      creationTimestamp: new Date(now.getTime() - createdMinutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      labels: options.labels ?? ours,
    },
    spec: { cluster: { name: options.cluster ?? 'hendrix' }, method: 'volumeSnapshot' },
    ...(phase !== undefined && { status: { phase } }),
  };
}

const inspect = (backups: Backup[], name = 'hendrix-20261125060000') =>
  inspectSlotQueue({ backups, cluster: 'hendrix', name, now, notStartedTimeoutSeconds: 45 * 60 });
const names = (backups: Backup[]) => backups.map((b) => b.metadata.name);

describe("what a slot finds in its cluster's backup queue", () => {
  test('done backups (completed, failed) hold nothing', () => {
    expect(inspect([backup('a', 120, 'completed'), backup('b', 60, 'failed')])).toEqual({ stale: [], inFlight: [] });
  });

  test.each(['started', 'running', 'finalizing', 'walArchivingFailing', 'pending', 'invalid backup definition', undefined])(
    'an earlier Backup in phase %s is in flight',
    (phase) => {
      expect(names(inspect([backup('a', 30, phase)]).inFlight)).toEqual(['a']);
    },
  );

  test('in flight whoever made it, whatever its labels: CNPG queues every Backup of the cluster', () => {
    const foreign = backup('manual', 10, 'started', { labels: {} });
    expect(names(inspect([foreign]).inFlight)).toEqual(['manual']);
  });

  test("another cluster's Backups are not in this cluster's queue", () => {
    expect(inspect([backup('other', 10, 'started', { cluster: 'jimi' })]).inFlight).toEqual([]);
  });

  test('in flight oldest first, by creation then name, as CNPG orders its queue', () => {
    const queue = inspect([backup('c', 10, 'pending'), backup('b', 20, 'pending'), backup('a', 20, 'finalizing')]);
    expect(names(queue.inFlight)).toEqual(['a', 'b', 'c']);
  });

  test("the slot's own Backup is followed again, not counted as in flight", () => {
    const own = backup('hendrix-20261125060000', 1, 'started');
    expect(inspect([own])).toEqual({ own, stale: [], inFlight: [] });
  });

  test('ours that never started and are past the not-started deadline are stale, to be removed', () => {
    const queue = inspect([
      backup('old-pending', 46, 'pending'),
      backup('old-invalid', 45, 'invalid backup definition'),
      backup('new', 44),
    ]);
    expect(names(queue.stale)).toEqual(['old-pending', 'old-invalid']);
    expect(names(queue.inFlight)).toEqual(['new']);
  });

  test('a started Backup of ours is never stale, however old', () => {
    expect(names(inspect([backup('long', 600, 'finalizing')]).inFlight)).toEqual(['long']);
  });

  test('a Backup not ours is never stale: it is never ours to delete', () => {
    const queue = inspect([backup('theirs', 600, 'pending', { labels: { 'cnpg.io/cluster': 'hendrix' } })]);
    expect(queue.stale).toEqual([]);
    expect(names(queue.inFlight)).toEqual(['theirs']);
  });
});
