import type { VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { ORPHAN_COPY_GRACE_HOURS } from '../../lambdas/domain/orphan-copies';
import { TransientError } from '../../lambdas/errors';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import { TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';

/**
 * Disaster recovery copies through the deployed workflows: the rule on Backup Completed starts the copy workflow, which
 * copies the day's first backup to the DR Region with the production EC2 adapter on the EC2 stand-in, waits for the
 * copies in Step Functions Wait states and records them; the daily sweep applies the source's retention and the
 * copies' own. The storage registries of both Regions hold exactly what the policies keep.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-11-02T00:00:00Z');
const DR_REGION = 'us-west-2';
const DR_KEY = `arn:aws:kms:${DR_REGION}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const KEEP_DAYS = 3;
const COPIED = { ...HENDRIX, copies: { region: DR_REGION, kmsKeyArn: DR_KEY, keepDays: KEEP_DAYS } };

/** Hourly backups from START for `days` days, the retention sweep daily at 03:30 as its schedule fires it. */
async function runWeek(local: LocalScheduler, days: number): Promise<void> {
  for (let hour = 0; hour < days * 24; hour += 1) {
    const slot = new Date(START + hour * HOUR);
    local.clock.advanceTo(slot);
    const { executionName } = await local.fireSchedule('backup', 'hendrix', slot);
    const status = local.execution(executionName)?.status;
    if (status !== 'SUCCEEDED') throw new Error(`${executionName} ended ${status}: ${local.execution(executionName)?.cause}`);
    if (slot.getUTCHours() === 3) {
      const sweep = new Date(slot.getTime() + 30 * 60_000);
      local.clock.advanceTo(sweep);
      await local.fireSchedule('retention', 'hendrix', sweep);
    }
  }
}

const copyExecutions = (local: LocalScheduler) => local.executions.filter((e) => e.executionName.startsWith('rule-'));

describe('disaster recovery copies', () => {
  let local: LocalScheduler;
  const days = 7;

  beforeAll(async () => {
    local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [COPIED] });
    await runWeek(local, days);
  });
  afterAll(() => local.close());

  test('copy exactly the first completed backup of each UTC day, each waited for in Step Functions Wait states', async () => {
    const executions = copyExecutions(local);
    // Every completed backup asks; the day's first is copied, the others end as not due.
    expect(executions).toHaveLength(local.events.ofType('Backup Completed').length);
    for (const execution of executions) expect(execution.status).toBe('SUCCEEDED');
    const copied = executions.filter((e) => e.statesEntered.includes('CopiesCompleted'));
    expect(copied).toHaveLength(days);
    for (const execution of copied) expect(execution.statesEntered.filter((state) => state === 'WaitForCopies').length).toBeGreaterThan(1);
    expect(executions.filter((e) => e.statesEntered.includes('CopyNotDue'))).toHaveLength(executions.length - days);
    const completed = local.events.ofType('Copy Completed');
    expect(completed.map((e) => (e.detail.backup as string).slice(-14, -6))).toEqual(
      Array.from({ length: days }, (_, d) => new Date(START + d * DAY).toISOString().slice(0, 10).replace(/-/g, '')),
    );
    expect(local.events.ofType('Copy Failed')).toEqual([]);
  });

  test("the copies left in the DR Region are exactly the catalog's unexpired copies, all completed", async () => {
    const records = await local.recoveryPoints.recordsOf('hendrix');
    const copies = records.flatMap((r) => (r.copies ?? []).map((copy) => ({ record: r, copy })));
    for (const { copy } of copies) {
      expect(copy.completedAt).toBeDefined();
      expect(copy.region).toBe(DR_REGION);
      expect(copy.kmsKeyId).toBe(DR_KEY);
    }
    // The last sweep ran on the last day at 03:30: what expired by then is gone, in the catalog and in the DR Region.
    const lastSweep = START + (days - 1) * DAY + 3.5 * HOUR;
    const unexpired = copies.filter(({ copy }) => Date.parse(copy.expiresAt) > lastSweep);
    expect(copies.length).toBeLessThan(days);
    expect(copies).toEqual(unexpired);
    const inCatalog = copies.flatMap(({ copy }) => copy.volumes.map((v) => v.snapshotHandle)).sort();
    expect(local.storage.region(DR_REGION).handles().sort()).toEqual(inCatalog);
    const deleted = days * 2 - inCatalog.length;
    expect(deleted).toBeGreaterThan(0);
  });

  test("the source Region holds exactly the snapshots of the source's policy, each recorded in the catalog", async () => {
    const snapshots = local.server.objects<VolumeSnapshot>('volumesnapshots', 'demo');
    const contents = local.server.objects<VolumeSnapshotContent>('volumesnapshotcontents');
    const kept = snapshots
      .map((s) => contents.find((c) => c.metadata.name === s.status?.boundVolumeSnapshotContentName)?.status?.snapshotHandle)
      .filter((handle): handle is string => handle !== undefined)
      .sort();
    expect(local.storage.region(TEST_REGION).handles().sort()).toEqual(kept);
    const records = await local.recoveryPoints.recordsOf('hendrix');
    const live = records.filter((r) => r.expiredAt === undefined).flatMap((r) => r.volumes.map((v) => v.snapshotHandle));
    expect(live.sort()).toEqual(kept);
    // A record whose source retention released stays only while it has a copy in the DR Region.
    for (const record of records.filter((r) => r.expiredAt !== undefined)) expect(record.copies?.length).toBeGreaterThan(0);
  });

  test('after keepDays without new copies, the newest completed copy alone is kept in the DR Region', async () => {
    const records = await local.recoveryPoints.recordsOf('hendrix');
    const newest = records.filter((r) => r.copies?.length).at(-1)!;
    local.clock.advance((KEEP_DAYS + 1) * DAY);
    const sweep = await local.runWorkflow('retention', { target: 'hendrix' });
    expect(sweep.status).toBe('SUCCEEDED');
    expect(sweep.statesEntered).toContain('ApplyCopyRetention');
    const after = await local.recoveryPoints.recordsOf('hendrix');
    const left = after.filter((r) => r.copies?.length);
    expect(left.map((r) => r.backup)).toEqual([newest.backup]);
    expect(local.storage.region(DR_REGION).handles().sort()).toEqual(newest.copies![0]!.volumes.map((v) => v.snapshotHandle).sort());
  });
});

describe('a copy its start made but could not record', () => {
  test('is deleted by the first sweep after the grace period and not before, announced; nothing not ours is touched', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [COPIED] });
    try {
      const dr = local.storage.region(DR_REGION);
      const longAgo = START - 30 * DAY;
      const details = { state: 'completed' as const, startedAt: longAgo, volumeId: 'vol-ffff', encrypted: true, kmsKeyId: DR_KEY };
      dr.add('snap-untagged', 1, undefined, { ...details, tags: {} });
      const otherDeployment = {
        'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
        'cnpg-snapshot-scheduler/target': 'hendrix',
        'cnpg-snapshot-scheduler/backup': 'hendrix-20261001000000',
        'cnpg-snapshot-scheduler/source-snapshot': 'snap-elsewhere',
        'cnpg-snapshot-scheduler/catalog': 'OtherStack-RecoveryPointCatalog-9Z',
      };
      dr.add('snap-other-deployment', 1, undefined, { ...details, tags: otherDeployment });
      // The first catalog write of a copy fails after CopySnapshot made it, and EC2 throttles the two deletes that
      // would undo it: what a start leaves behind when its Lambda dies between CopySnapshot and addCopy.
      const addCopy = local.recoveryPoints.addCopy.bind(local.recoveryPoints);
      let failures = 0;
      jest.spyOn(local.recoveryPoints, 'addCopy').mockImplementation((...args) => {
        if (failures > 0) return addCopy(...args);
        failures += 1;
        local.ec2.ec2.throttle(2);
        return Promise.reject(new TransientError('UpdateItem of the recovery-point catalog: throttled'));
      });

      await runWeek(local, 1);
      expect(failures).toBe(1);
      const recorded = (await local.recoveryPoints.recordsOf('hendrix')).flatMap((r) =>
        (r.copies ?? []).flatMap((c) => c.volumes.map((v) => v.snapshotHandle)),
      );
      expect(recorded).toHaveLength(2);
      const orphans = dr.handles().filter((id) => !recorded.includes(id) && !['snap-untagged', 'snap-other-deployment'].includes(id));
      expect(orphans).toHaveLength(2);
      const startedAt = Math.max(...orphans.map((id) => dr.details.get(id)!.startedAt));

      // The day's sweep at 03:30 ran; one just before the grace period ends leaves them too.
      local.clock.advanceTo(new Date(startedAt + ORPHAN_COPY_GRACE_HOURS * HOUR - 60_000));
      expect((await local.runWorkflow('retention', { target: 'hendrix' })).status).toBe('SUCCEEDED');
      for (const id of orphans) expect(dr.has(id)).toBe(true);
      expect(local.events.ofType('Orphan Copy Deleted')).toEqual([]);

      const sweep = new Date(START + DAY + 3.5 * HOUR);
      local.clock.advanceTo(sweep);
      await local.fireSchedule('retention', 'hendrix', sweep);
      for (const id of orphans) expect(dr.has(id)).toBe(false);
      expect(
        local.events
          .ofType('Orphan Copy Deleted')
          .map((e) => e.detail.snapshot)
          .sort(),
      ).toEqual([...orphans].sort());
      expect(dr.handles().sort()).toEqual([...recorded, 'snap-other-deployment', 'snap-untagged'].sort());
    } finally {
      await local.close();
    }
  });
});

describe('a target without copies', () => {
  test('starts no copy execution and has no copy workflow', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [HENDRIX] });
    try {
      await local.fireSchedule('backup', 'hendrix', new Date(START));
      expect(local.events.ofType('Backup Completed')).toHaveLength(1);
      expect(copyExecutions(local)).toEqual([]);
      expect(local.synthesized.copies).toBeUndefined();
    } finally {
      await local.close();
    }
  });
});
