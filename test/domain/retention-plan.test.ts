import { BackupPhase, type BackupPhase as BackupPhaseName } from '../../lambdas/domain/cnpg-api';
import type { Backup, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { planRetention, type RetentionInputs, type RetentionPlan } from '../../lambdas/domain/retention-plan';
import { RetentionPolicySchema, type RetentionPolicy } from '../../lambdas/domain/target-spec';
import {
  BACKUP_DURATION,
  CLUSTER,
  DAY,
  HOUR,
  OTHER_CLUSTER,
  OTHER_TARGET,
  TARGET,
  backupObject,
  restoreCluster,
  restoringClaim,
  snapshotObject,
  snapshotsOfBackup,
  type RecoverySource,
} from './retention-arbitraries';

const NOW = new Date('2026-11-25T12:00:00Z');

const policy = (fields: Partial<RetentionPolicy> = {}): RetentionPolicy => RetentionPolicySchema.parse(fields);

function inputs(fields: Partial<RetentionInputs>): RetentionInputs {
  return { target: TARGET, cluster: CLUSTER, backups: [], snapshots: [], clusters: [], claims: [], policy: policy(), now: NOW, ...fields };
}

/** A backup that completed at `time` (RFC 3339), named after it unless told otherwise. */
function completedAt(time: string, options: Partial<Parameters<typeof backupObject>[0]> = {}): Backup {
  return backupObject({
    name: `b-${time.replace(/\D/g, '').slice(0, 12)}`,
    phase: BackupPhase.Completed,
    createdAt: Date.parse(time) - BACKUP_DURATION,
    ...options,
  });
}

const kept = (plan: RetentionPlan) => plan.backups.filter((b) => b.action === 'keep').map((b) => b.name);
const deleted = (plan: RetentionPlan) => plan.backups.filter((b) => b.action === 'delete').map((b) => b.name);
const verdict = (plan: RetentionPlan, name: string) => {
  const decision = plan.backups.find((b) => b.name === name) ?? plan.snapshots.find((s) => s.name === name);
  return decision && `${decision.action} ${decision.rule}`;
};

describe('a simulated history', () => {
  test('hourly backups with retention after each, for a week and an hour, leave exactly the 168 of the last 7 days', () => {
    const start = Date.parse('2026-11-18T00:00:00Z');
    let backups: Backup[] = [];
    let snapshots: VolumeSnapshot[] = [];
    for (let hour = 0; hour <= 7 * 24; hour += 1) {
      const backup = backupObject({ name: `hendrix-${hour}`, phase: BackupPhase.Completed, createdAt: start + hour * HOUR });
      backups = [...backups, backup];
      snapshots = [...snapshots, ...snapshotsOfBackup(backup)];
      const plan = planRetention(inputs({ backups, snapshots, now: new Date(start + hour * HOUR + 5 * 60_000) }));
      const gone = new Set([...plan.backups, ...plan.snapshots].filter((d) => d.action === 'delete').map((d) => d.name));
      backups = backups.filter((b) => !gone.has(b.metadata.name));
      snapshots = snapshots.filter((s) => !gone.has(s.metadata.name));
    }
    expect(backups).toHaveLength(168);
    expect(backups.map((b) => b.metadata.name)).toEqual(Array.from({ length: 168 }, (_, i) => `hendrix-${i + 1}`));
    expect(snapshots).toHaveLength(2 * 168);
  });

  test('two months of hourly backups with daily 7, weekly 4 and monthly 3 keep the week and one backup per period beyond it', () => {
    const now = new Date('2026-11-30T23:30:00Z');
    const hoursAgo = (time: string) => (now.getTime() - Date.parse(time)) / HOUR;
    const name = (time: string) => `h-${hoursAgo(time)}`;
    const backups = Array.from({ length: 62 * 24 }, (_, ago) =>
      backupObject({ name: `h-${ago}`, phase: BackupPhase.Completed, createdAt: now.getTime() - ago * HOUR - BACKUP_DURATION }),
    );
    const plan = planRetention(inputs({ now, backups, policy: policy({ keepWithin: '7d', minKeep: 3, daily: 7, weekly: 4, monthly: 3 }) }));

    // Every backup completes at :30. The window keeps those after 2026-11-23T23:30 (exclusive): 168 of them.
    const window = Array.from({ length: 168 }, (_, ago) => `h-${ago}`);
    // Daily: the last backup of Nov 23 (the window's edge), 22, 21, 20, 19, 18, 17.
    const daily = ['23', '22', '21', '20', '19', '18', '17'].map((day) => name(`2026-11-${day}T23:30:00Z`));
    // Weekly (ISO weeks run Monday to Sunday): week 48 has Monday Nov 23 beyond the window; then Sundays Nov 22, 15, 8.
    const weekly = ['2026-11-23T23:30:00Z', '2026-11-22T23:30:00Z', '2026-11-15T23:30:00Z', '2026-11-08T23:30:00Z'].map(name);
    // Monthly: November's newest beyond the window is Nov 23; then the last backups of October and September.
    const monthly = ['2026-11-23T23:30:00Z', '2026-10-31T23:30:00Z', '2026-09-30T23:30:00Z'].map(name);
    const expected = new Set([...window, ...daily, ...weekly, ...monthly]);

    expect(new Set(kept(plan))).toEqual(expected);
    expect(expected.size).toBe(168 + 7 + 2 + 2);
    expect(verdict(plan, name('2026-11-23T23:30:00Z'))).toBe('keep daily-tier');
    expect(verdict(plan, name('2026-11-15T23:30:00Z'))).toBe('keep weekly-tier');
    expect(verdict(plan, name('2026-09-30T23:30:00Z'))).toBe('keep monthly-tier');
    expect(verdict(plan, name('2026-11-23T22:30:00Z'))).toBe('delete expired');
  });
});

describe('each field of the policy', () => {
  test('keepWithin: every completed backup younger than the window is kept, older ones go', () => {
    const backups = ['2026-11-25T11:00:00Z', '2026-11-25T08:00:00Z', '2026-11-25T06:00:00Z', '2026-11-25T05:00:00Z'].map((t) =>
      completedAt(t),
    );
    const plan = planRetention(inputs({ backups, policy: policy({ keepWithin: '6h', minKeep: 1 }) }));
    expect(plan.backups.map((b) => `${b.name} ${b.action} ${b.rule}`)).toEqual([
      'b-202611251100 keep newest-completed',
      'b-202611250800 keep within-keep-window',
      'b-202611250600 delete expired',
      'b-202611250500 delete expired',
    ]);
  });

  test('minKeep: the newest N completed backups are kept whatever their age', () => {
    const backups = ['2026-10-05', '2026-10-04', '2026-10-03', '2026-10-02'].map((day) => completedAt(`${day}T00:00:00Z`));
    const plan = planRetention(inputs({ backups, policy: policy({ keepWithin: '1d', minKeep: 3 }) }));
    expect(plan.backups.map((b) => `${b.name} ${b.action} ${b.rule}`)).toEqual([
      'b-202610050000 keep newest-completed',
      'b-202610040000 keep min-keep',
      'b-202610030000 keep min-keep',
      'b-202610020000 delete expired',
    ]);
  });

  test('the newest completed backup is kept even when it is far older than the window', () => {
    const plan = planRetention(
      inputs({ backups: [completedAt('2026-06-01T00:00:00Z')], policy: policy({ keepWithin: '1h', minKeep: 1 }) }),
    );
    expect(plan.backups.map((b) => `${b.action} ${b.rule}`)).toEqual(['keep newest-completed']);
  });

  test('daily: beyond the window, the newest backup of each of the N most recent days that have one is kept', () => {
    const times = [
      '2026-11-25T06:00',
      '2026-11-24T10:00',
      '2026-11-24T02:00',
      '2026-11-22T20:00',
      '2026-11-22T08:00',
      '2026-11-20T12:00',
      '2026-11-18T12:00',
    ];
    const plan = planRetention(
      inputs({ backups: times.map((t) => completedAt(`${t}:00Z`)), policy: policy({ keepWithin: '1d', minKeep: 1, daily: 3 }) }),
    );
    // Nov 23 and 21 have no backup, so the three days are Nov 24, 22 and 20.
    expect(plan.backups.map((b) => `${b.name} ${b.action} ${b.rule}`)).toEqual([
      'b-202611250600 keep newest-completed',
      'b-202611241000 keep daily-tier',
      'b-202611240200 delete expired',
      'b-202611222000 keep daily-tier',
      'b-202611220800 delete expired',
      'b-202611201200 keep daily-tier',
      'b-202611181200 delete expired',
    ]);
  });

  test('weekly: beyond the window, the newest backup of each of the N most recent ISO weeks (Monday to Sunday) is kept', () => {
    const times = ['2026-11-25T06:00', '2026-11-23T01:00', '2026-11-22T23:00', '2026-11-16T00:30', '2026-11-15T22:00', '2026-11-14T12:00'];
    const plan = planRetention(
      inputs({ backups: times.map((t) => completedAt(`${t}:00Z`)), policy: policy({ keepWithin: '1d', minKeep: 1, weekly: 2 }) }),
    );
    expect(plan.backups.map((b) => `${b.name} ${b.action} ${b.rule}`)).toEqual([
      'b-202611250600 keep newest-completed',
      'b-202611230100 keep weekly-tier',
      'b-202611222300 keep weekly-tier',
      'b-202611160030 delete expired',
      'b-202611152200 delete expired',
      'b-202611141200 delete expired',
    ]);
  });

  test('monthly: beyond the window, the newest backup of each of the N most recent calendar months (UTC) is kept', () => {
    const times = ['2026-11-25T06:00', '2026-11-01T00:30', '2026-10-31T23:30', '2026-10-15T12:00', '2026-09-30T23:59', '2026-08-31T12:00'];
    const plan = planRetention(
      inputs({ backups: times.map((t) => completedAt(`${t}:00Z`)), policy: policy({ keepWithin: '1d', minKeep: 1, monthly: 2 }) }),
    );
    expect(plan.backups.map((b) => `${b.name} ${b.action} ${b.rule}`)).toEqual([
      'b-202611250600 keep newest-completed',
      'b-202611010030 keep monthly-tier',
      'b-202610312330 keep monthly-tier',
      'b-202610151200 delete expired',
      'b-202609302359 delete expired',
      'b-202608311200 delete expired',
    ]);
  });

  test('failedKeep: a failed backup is kept that long from its creation, then deleted with the snapshots it left', () => {
    const young = backupObject({ name: 'failed-young', phase: BackupPhase.Failed, createdAt: NOW.getTime() - 12 * HOUR + 60_000 });
    const old = backupObject({ name: 'failed-old', phase: BackupPhase.Failed, createdAt: NOW.getTime() - 12 * HOUR });
    const plan = planRetention(inputs({ backups: [young, old], snapshots: snapshotsOfBackup(old), policy: policy({ failedKeep: '12h' }) }));
    expect(plan.backups.map((b) => `${b.name} ${b.action} ${b.rule}`)).toEqual([
      'failed-young keep failed-within-failed-keep',
      'failed-old delete failed-expired',
    ]);
    expect(plan.snapshots.map((s) => `${s.name} ${s.action} ${s.rule}`)).toEqual([
      'failed-old delete failed-expired',
      'failed-old-wal delete failed-expired',
    ]);
  });

  test('a failed backup counts neither toward minKeep nor as the newest of its day', () => {
    const failed = backupObject({ name: 'failed', phase: BackupPhase.Failed, createdAt: Date.parse('2026-11-20T23:00:00Z') });
    const backups = [failed, ...['2026-11-24T12:00:00Z', '2026-11-23T12:00:00Z', '2026-11-20T12:00:00Z'].map((t) => completedAt(t))];
    const plan = planRetention(inputs({ backups, policy: policy({ keepWithin: '1h', minKeep: 2, daily: 1 }) }));
    expect(plan.backups.map((b) => `${b.name} ${b.action} ${b.rule}`)).toEqual([
      'b-202611241200 keep newest-completed',
      'b-202611231200 keep min-keep',
      'failed delete failed-expired',
      'b-202611201200 delete expired',
    ]);
  });

  test('scope managed leaves Backups the scheduler did not create alone, with their snapshots; scope all plans them too', () => {
    const byHand = completedAt('2026-10-01T00:00:00Z', { name: 'by-hand', managed: false });
    const ours = completedAt('2026-11-25T11:00:00Z');
    const namespace = { backups: [ours, byHand], snapshots: snapshotsOfBackup(byHand) };
    const managed = planRetention(inputs({ ...namespace, policy: policy({ minKeep: 1, scope: 'managed' }) }));
    expect([verdict(managed, 'by-hand'), verdict(managed, 'by-hand-wal')]).toEqual(['keep out-of-scope', 'keep out-of-scope']);
    const all = planRetention(inputs({ ...namespace, policy: policy({ minKeep: 1, scope: 'all' }) }));
    expect([verdict(all, 'by-hand'), verdict(all, 'by-hand-wal')]).toEqual(['delete expired', 'delete expired']);
  });

  test("another cluster's Backups and Backups of other methods are not in the plan", () => {
    const backups = [
      completedAt('2026-11-25T11:00:00Z'),
      completedAt('2026-09-01T00:00:00Z', { name: 'jimi-old', cluster: OTHER_CLUSTER }),
      completedAt('2026-09-01T00:00:00Z', { name: 'barman-old', method: 'barmanObjectStore' }),
      completedAt('2026-09-01T00:00:00Z', { name: 'default-method-old', method: null }),
    ];
    expect(planRetention(inputs({ backups, policy: policy({ scope: 'all' }) })).backups.map((b) => b.name)).toEqual(['b-202611251100']);
  });
});

describe('what is never deleted', () => {
  test.each<[string, BackupPhaseName | undefined]>([
    ['pending', BackupPhase.Pending],
    ['started', BackupPhase.Started],
    ['running', BackupPhase.Running],
    ['finalizing', BackupPhase.Finalizing],
    ['an invalid definition', BackupPhase.DefinitionInvalid],
    ['no phase yet', undefined],
  ])('a backup with %s, however old', (_, phase) => {
    const stuck = backupObject({ name: 'stuck', phase, createdAt: NOW.getTime() - 60 * DAY });
    expect(verdict(planRetention(inputs({ backups: [stuck], policy: policy({ keepWithin: '1h' }) })), 'stuck')).toBe('keep in-progress');
  });

  const expiredPair = () => {
    const newest = completedAt('2026-11-25T11:00:00Z');
    const old = completedAt('2026-10-01T00:00:00Z', { name: 'old', roles: ['PG_DATA', 'PG_WAL', 'PG_TABLESPACE'] });
    return {
      backups: [newest, old],
      snapshots: snapshotsOfBackup(old, ['PG_DATA', 'PG_WAL', 'PG_TABLESPACE']),
      policy: policy({ minKeep: 1 }),
    };
  };

  test.each<[string, RecoverySource, string]>([
    ['storage', { storage: 'old' }, 'old'],
    ['walStorage', { storage: 'other', walStorage: 'old-wal' }, 'old-wal'],
    ['tablespaceStorage', { storage: 'other', tablespace: 'old-tbs-archive' }, 'old-tbs-archive'],
  ])('a snapshot a recovering Cluster bootstraps from as %s, with its backup, until that Cluster is healthy', (_, source, snapshot) => {
    const recovering = planRetention(
      inputs({ ...expiredPair(), clusters: [restoreCluster('hendrix-restore', source, 'Setting up primary')] }),
    );
    expect([verdict(recovering, 'old'), verdict(recovering, snapshot)]).toEqual([
      'keep referenced-by-restore',
      'keep referenced-by-restore',
    ]);
    expect(recovering.snapshots.every((s) => s.action === 'keep')).toBe(true);
    const healthy = planRetention(
      inputs({ ...expiredPair(), clusters: [restoreCluster('hendrix-restore', source, 'Cluster in healthy state')] }),
    );
    expect([verdict(healthy, 'old'), verdict(healthy, snapshot)]).toEqual(['delete expired', 'delete expired']);
  });

  test('a Backup a recovering Cluster bootstraps from by name, with its snapshots', () => {
    const plan = planRetention(inputs({ ...expiredPair(), clusters: [restoreCluster('hendrix-restore', { backup: 'old' }, undefined)] }));
    expect(verdict(plan, 'old')).toBe('keep referenced-by-restore');
    expect(plan.snapshots.map((s) => s.action)).toEqual(['keep', 'keep', 'keep']);
  });

  test.each<['dataSource' | 'dataSourceRef', string, 'Pending' | undefined]>([
    ['dataSource', 'Pending', 'Pending'],
    ['dataSourceRef', 'Pending', 'Pending'],
    ['dataSource', 'without a status yet', undefined],
  ])('a snapshot a claim names as %s while it is %s, with its backup', (field, _, phase) => {
    const plan = planRetention(inputs({ ...expiredPair(), claims: [restoringClaim('data', 'old-wal', { field, phase })] }));
    expect([verdict(plan, 'old'), verdict(plan, 'old-wal'), verdict(plan, 'old-tbs-archive')]).toEqual([
      'keep referenced-by-pending-claim',
      'keep referenced-by-pending-claim',
      'keep referenced-by-pending-claim',
    ]);
  });

  test.each(['Bound', 'Lost'] as const)('but a snapshot a %s claim was provisioned from is no longer needed', (phase) => {
    const plan = planRetention(inputs({ ...expiredPair(), claims: [restoringClaim('data', 'old', { phase })] }));
    expect(verdict(plan, 'old')).toBe('delete expired');
  });

  test('a backup whose completion time cannot be read is treated as just completed', () => {
    const unreadable = completedAt('2026-10-01T00:00:00Z', { name: 'unreadable' });
    unreadable.status = { ...unreadable.status, stoppedAt: 'yesterday' };
    const plan = planRetention(inputs({ backups: [completedAt('2026-11-25T11:00:00Z'), unreadable], policy: policy({ minKeep: 1 }) }));
    expect(verdict(plan, 'unreadable')).toBe('keep newest-completed');
  });
});

describe('snapshots whose Backup is gone', () => {
  const orphan = (name: string, age: number, options: { cluster?: string; markedFor?: string; deleting?: boolean } = {}) =>
    snapshotObject({ name, backupName: name, createdAt: NOW.getTime() - age, ...options });
  const decision = (name: string, action: 'keep' | 'delete', rule: string, marked = true) => ({
    name,
    backupName: name,
    action,
    rule,
    marked,
    content: `snapcontent-${name}`,
  });

  test.each(['managed', 'all'] as const)(
    'carrying the marks of the target, are swept under scope %s once older than keepWithin + failedKeep',
    (scope) => {
      const snapshots = [
        orphan('gone-old', 8 * DAY + HOUR, { markedFor: TARGET }),
        orphan('gone-recent', 8 * DAY - HOUR, { markedFor: TARGET }),
      ];
      const plan = planRetention(inputs({ snapshots, policy: policy({ keepWithin: '7d', failedKeep: '1d', scope }) }));
      expect(plan.snapshots).toEqual([
        decision('gone-recent', 'keep', 'orphan-within-grace'),
        decision('gone-old', 'delete', 'orphaned-snapshot'),
      ]);
    },
  );

  test('without the marks of the target (kept by a user, or of another target), are never deleted under scope managed', () => {
    const snapshots = [orphan('users', 60 * DAY), orphan('daily-targets', 60 * DAY, { markedFor: OTHER_TARGET })];
    const plan = planRetention(inputs({ snapshots, policy: policy({ scope: 'managed' }) }));
    expect(plan.snapshots).toEqual([
      decision('daily-targets', 'keep', 'out-of-scope', false),
      decision('users', 'keep', 'out-of-scope', false),
    ]);
  });

  test('without marks, are swept under scope all once older than keepWithin + failedKeep', () => {
    const plan = planRetention(inputs({ snapshots: [orphan('users', 60 * DAY)], policy: policy({ scope: 'all' }) }));
    expect(plan.snapshots).toEqual([decision('users', 'delete', 'orphaned-snapshot', false)]);
  });

  test('whose deletion the API server already accepted are reported as in progress, whatever their age', () => {
    const plan = planRetention(inputs({ snapshots: [orphan('going', HOUR, { markedFor: TARGET, deleting: true })] }));
    expect(plan.snapshots).toEqual([{ ...decision('going', 'delete', 'deletion-in-progress'), deleting: true }]);
  });

  test("are left alone when they are another cluster's, or were taken by hand without a backup label", () => {
    const snapshots = [
      orphan('jimi-gone', 60 * DAY, { cluster: OTHER_CLUSTER, markedFor: TARGET }),
      snapshotObject({ name: 'by-hand', backupName: null, createdAt: NOW.getTime() - 60 * DAY, markedFor: TARGET }),
    ];
    expect(planRetention(inputs({ snapshots })).snapshots).toEqual([]);
  });

  test('are kept while a restore still needs them', () => {
    const plan = planRetention(
      inputs({
        snapshots: [orphan('gone', 60 * DAY, { markedFor: TARGET })],
        clusters: [restoreCluster('r', { storage: 'gone' }, undefined)],
      }),
    );
    expect(verdict(plan, 'gone')).toBe('keep referenced-by-restore');
  });
});

describe('ownership under scope managed', () => {
  test("a Backup of another target of the same cluster is another target's to delete", () => {
    const backups = [completedAt('2026-11-25T11:00:00Z'), completedAt('2026-10-01T00:00:00Z', { name: 'daily', target: OTHER_TARGET })];
    const plan = planRetention(inputs({ backups, policy: policy({ minKeep: 1 }) }));
    expect(verdict(plan, 'daily')).toBe('keep out-of-scope');
  });

  test('a Backup of the target whose snapshots were never marked is deleted with them (they are marked just before)', () => {
    const old = completedAt('2026-10-01T00:00:00Z', { name: 'old' });
    const plan = planRetention(
      inputs({
        backups: [completedAt('2026-11-25T11:00:00Z'), old],
        snapshots: snapshotsOfBackup(old, undefined, { marked: false }),
        policy: policy({ minKeep: 1 }),
      }),
    );
    expect(plan.snapshots.map((s) => `${s.name} ${s.action} ${s.marked}`)).toEqual(['old delete false', 'old-wal delete false']);
  });

  test('a Backup some of whose snapshots are gone says which', () => {
    const old = completedAt('2026-10-01T00:00:00Z', { name: 'old' });
    const plan = planRetention(
      inputs({ backups: [completedAt('2026-11-25T11:00:00Z'), old], snapshots: snapshotsOfBackup(old).slice(0, 1) }),
    );
    expect(plan.backups.find((b) => b.name === 'old')).toMatchObject({ snapshots: ['old'], missingSnapshots: ['old-wal'] });
  });
});

describe('the plan', () => {
  test('counts the Backups and VolumeSnapshots it keeps and deletes', () => {
    const old = completedAt('2026-10-01T00:00:00Z', { name: 'old' });
    const backups = [completedAt('2026-11-25T11:00:00Z'), old];
    const plan = planRetention(inputs({ backups, snapshots: snapshotsOfBackup(old), policy: policy({ minKeep: 1 }) }));
    expect(deleted(plan)).toEqual(['old']);
    expect({ kept: plan.kept, deleted: plan.deleted }).toEqual({ kept: 1, deleted: 3 });
  });

  test('reports when each completed backup completed, and its snapshots', () => {
    const backup = completedAt('2026-11-25T11:00:00Z');
    const running = backupObject({ name: 'running', phase: BackupPhase.Started, createdAt: NOW.getTime() - 60_000 });
    const plan = planRetention(inputs({ backups: [backup, running], snapshots: snapshotsOfBackup(backup) }));
    expect(plan.backups).toEqual([
      { name: 'running', action: 'keep', rule: 'in-progress', phase: 'started', snapshots: [] },
      {
        name: 'b-202611251100',
        action: 'keep',
        rule: 'newest-completed',
        phase: 'completed',
        completedAt: '2026-11-25T11:00:00Z',
        snapshots: ['b-202611251100', 'b-202611251100-wal'],
      },
    ]);
    expect(kept(plan)).toEqual(['running', 'b-202611251100']);
  });
});
