import { InvalidInputError } from '../../lambdas/errors';
import { createAuditRecoveryPoints } from '../../lambdas/handlers/audit-recovery-points';
import { createRecordRecoveryPoint } from '../../lambdas/handlers/record-recovery-point';
import type { StorageSnapshots } from '../../lambdas/adapters/storage-snapshots';
import { MemoryRecoveryPointCatalog } from '../../simulator/memory-recovery-point-catalog';
import { MemoryRecoveryPointLedger } from '../../simulator/memory-recovery-point-ledger';
import { MemoryLog } from '../../simulator/memory-log';
import { RecordingEventPublisher } from '../../simulator/recording-event-publisher';
import { RecordingMetrics } from '../../simulator/recording-metrics';

/** The ledger's side of the recorder: its catalog holds no record, so EC2 is never asked (test/handlers/record-recovery-point-storage.test.ts). */
const NOT_ASKED: Pick<StorageSnapshots, 'describe'> = {
  describe: () => Promise.reject(new Error('EC2 asked without a catalog record')),
};
const recorder = (ledger: MemoryRecoveryPointLedger, log: MemoryLog, now: () => Date) =>
  createRecordRecoveryPoint({
    ledger,
    recoveryPoints: new MemoryRecoveryPointCatalog(),
    storageSnapshots: NOT_ASKED,
    region: () => 'eu-west-1',
    now,
    log,
  });

const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-30T12:00:00Z' };
const hendrix = {
  name: 'hendrix',
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  rpoMinutes: 90,
  drill: { enabled: false, maxAgeDays: 8 },
};
const completedEvent = (backup: string, stoppedAt: string) => ({
  version: '0',
  source: 'cnpg-snapshot-scheduler',
  'detail-type': 'Backup Completed',
  time: '2026-11-30T11:05:00Z',
  detail: { target: 'hendrix', backup, stoppedAt, durationSeconds: 120 },
});

function harness(now: string) {
  const ledger = new MemoryRecoveryPointLedger();
  const events = new RecordingEventPublisher();
  const metrics = new RecordingMetrics();
  const log = new MemoryLog();
  let clock = new Date(now);
  const audit = createAuditRecoveryPoints({ targets: async () => [hendrix], ledger, events, metrics, log, now: () => clock });
  const record = recorder(ledger, log, () => clock);
  return { ledger, events, metrics, log, audit, record, setNow: (time: string) => (clock = new Date(time)) };
}

describe('recording recovery points', () => {
  test("keeps the newest completed backup of the event's target, at CNPG's stop time", async () => {
    const { ledger, record } = harness('2026-11-30T12:00:00Z');
    await record(completedEvent('hendrix-20261130110000', '2026-11-30T11:03:00Z'));
    await record(completedEvent('hendrix-20261130100000', '2026-11-30T10:03:00Z'));
    expect(await ledger.readAll()).toEqual([
      { target: 'hendrix', newestBackup: { name: 'hendrix-20261130110000', completedAt: '2026-11-30T11:03:00.000Z' } },
    ]);
  });

  test('refuses anything but a Backup Completed event, naming the field, and records nothing', async () => {
    const { ledger, record } = harness('2026-11-30T12:00:00Z');
    await expect(record({ ...completedEvent('b', '2026-11-30T11:03:00Z'), 'detail-type': 'Backup Failed' })).rejects.toThrow(/detail-type/);
    await expect(record({ ...completedEvent('b', 'yesterday') })).rejects.toThrow(/detail\.stoppedAt/);
    await expect(record({ malformed: true })).rejects.toBeInstanceOf(InvalidInputError);
    expect(await ledger.readAll()).toEqual([]);
  });
});

describe('the recovery point audit', () => {
  test('publishes RPO Breached naming the target once, then RPO Recovered after the next backup', async () => {
    const { events, metrics, log, audit, record, setNow } = harness('2026-11-30T12:00:00Z');
    await record(completedEvent('hendrix-20261130100000', '2026-11-30T10:03:00Z'));
    await expect(audit(SCHEDULED)).resolves.toEqual({ audited: 1, breaching: 1, breached: ['hendrix'], recovered: [], drillsOverdue: [] });
    setNow('2026-11-30T12:05:00Z');
    await expect(audit(SCHEDULED)).resolves.toEqual({ audited: 1, breaching: 1, breached: [], recovered: [], drillsOverdue: [] });
    await record(completedEvent('hendrix-20261130120000', '2026-11-30T12:06:00Z'));
    setNow('2026-11-30T12:10:00Z');
    await expect(audit(SCHEDULED)).resolves.toEqual({ audited: 1, breaching: 0, breached: [], recovered: ['hendrix'], drillsOverdue: [] });
    expect(events.events.map((e) => [e.detailType, e.detail.target, e.detail.recoveryPointAgeMinutes])).toEqual([
      ['RPO Breached', 'hendrix', 117],
      ['RPO Recovered', 'hendrix', 4],
    ]);
    expect(metrics.points.filter((p) => p.name === 'TargetsBreachingRpo').map((p) => p.value)).toEqual([1, 1, 0]);
    expect(log.entries.filter((e) => e.message === 'recovery point').map((e) => e.extra[0]!.rpoUsedPercent)).toEqual([130, 136, 4]);
  });

  test('a failed publish leaves the breach unrecorded, so the next audit notifies it', async () => {
    const { events, audit, ledger } = harness('2026-11-30T12:00:00Z');
    await ledger.apply([{ target: 'hendrix', firstAuditedAt: '2026-11-30T09:00:00.000Z' }]);
    events.failNext(1);
    await expect(audit(SCHEDULED)).rejects.toThrow('EventBridge refused');
    expect((await ledger.readAll())[0]!.breachedSince).toBeUndefined();
    await expect(audit(SCHEDULED)).resolves.toMatchObject({ breached: ['hendrix'] });
  });

  test('refuses an input that is not a scheduled event and changes nothing', async () => {
    const { audit, ledger } = harness('2026-11-30T12:00:00Z');
    await expect(audit({ malformed: true })).rejects.toThrow(/source: .*; detail-type: /);
    expect(await ledger.readAll()).toEqual([]);
  });
});

describe('the drill age audit', () => {
  const drilled = { ...hendrix, name: 'jimi', cluster: 'jimi', drill: { enabled: true, maxAgeDays: 8 } };
  const drillCompleted = (execution: string, time: string) => ({
    version: '0',
    source: 'cnpg-snapshot-scheduler',
    'detail-type': 'Drill Completed',
    time,
    detail: { target: 'jimi', execution, outcome: 'passed' },
  });

  function drillHarness(now: string) {
    const ledger = new MemoryRecoveryPointLedger();
    const events = new RecordingEventPublisher();
    const metrics = new RecordingMetrics();
    const log = new MemoryLog();
    let clock = new Date(now);
    const audit = createAuditRecoveryPoints({ targets: async () => [drilled], ledger, events, metrics, log, now: () => clock });
    const record = recorder(ledger, log, () => clock);
    return { ledger, events, metrics, audit, record, setNow: (time: string) => (clock = new Date(time)) };
  }
  const overdueMetric = (metrics: RecordingMetrics) => metrics.points.filter((p) => p.name === 'TargetsDrillOverdue').map((p) => p.value);

  test('a target never drilled is overdue maxAgeDays after the first audit saw it, notified once, by name', async () => {
    const h = drillHarness('2026-11-01T00:00:00Z');
    // A target with backups, never drilled: the age counts from the first audit all the same.
    const backup = completedEvent('jimi-20261101000000', '2026-11-01T00:03:00Z');
    await h.record({ ...backup, detail: { ...backup.detail, target: 'jimi' } });
    await h.audit(SCHEDULED);
    h.setNow('2026-11-08T23:55:00Z');
    await h.audit(SCHEDULED);
    expect(h.events.ofType('Drill Overdue')).toEqual([]);
    h.setNow('2026-11-09T00:05:00Z');
    const result = await h.audit(SCHEDULED);
    h.setNow('2026-11-09T00:10:00Z');
    await h.audit(SCHEDULED);
    expect(result.drillsOverdue).toEqual(['jimi']);
    expect(h.events.ofType('Drill Overdue').map((e) => e.detail)).toEqual([
      {
        target: 'jimi',
        eksCluster: 'prod-eks',
        namespace: 'demo',
        cluster: 'jimi',
        maxAgeDays: 8,
        ageDays: 8,
        lastDrill: null,
        lastDrillCompletedAt: null,
      },
    ]);
    expect(overdueMetric(h.metrics)).toEqual([0, 0, 1, 1]);
  });

  test('a successful drill ends it; an older one delivered late does not move it back', async () => {
    const h = drillHarness('2026-11-01T00:00:00Z');
    await h.audit(SCHEDULED);
    h.setNow('2026-11-10T00:00:00Z');
    await h.audit(SCHEDULED);
    await h.record(drillCompleted('jimi-drill-20261110040000', '2026-11-10T04:05:00Z'));
    await h.record(drillCompleted('jimi-drill-20261103040000', '2026-11-03T04:05:00Z'));
    h.setNow('2026-11-17T00:00:00Z');
    await h.audit(SCHEDULED);
    expect((await h.ledger.readAll())[0]).toMatchObject({
      lastDrill: { execution: 'jimi-drill-20261110040000', completedAt: '2026-11-10T04:05:00.000Z' },
    });
    expect((await h.ledger.readAll())[0]?.drillOverdueSince).toBeUndefined();
    expect(overdueMetric(h.metrics)).toEqual([0, 1, 0]);
    expect(h.events.ofType('Drill Overdue')).toHaveLength(1);
  });

  test('targets with drills turned off are not audited for them', async () => {
    const h = harness('2026-11-01T00:00:00Z');
    await h.audit(SCHEDULED);
    h.setNow('2026-12-01T00:00:00Z');
    await h.audit(SCHEDULED);
    expect(h.events.ofType('Drill Overdue')).toEqual([]);
  });
});
