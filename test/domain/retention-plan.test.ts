import { planRetention, type RetentionInputs } from '../../lambdas/domain/retention-plan';
import { RetentionPolicySchema } from '../../lambdas/domain/target-spec';
import type { RetentionPolicy } from '../../lambdas/domain/target-spec';
import { crdSchemaViolations } from '../support/crd-schemas';
import { backupObject, CLUSTER, pendingClaim, restoreCluster, snapshotObject } from './retention-arbitraries';

const HOUR = 3_600_000;
const policy = (raw: Partial<Record<keyof RetentionPolicy, unknown>> = {}) => RetentionPolicySchema.parse(raw);

/** Hourly completed backups ending at `now`, newest first in names: `h-<hours ago>`. */
function hourly(now: Date, hours: number, extra: Partial<Parameters<typeof backupObject>[0]> = {}) {
  const backups = Array.from({ length: hours }, (_, ago) =>
    backupObject({ name: `h-${ago}`, phase: 'completed', createdAt: now.getTime() - ago * HOUR - 180_000, ...extra }),
  );
  const snapshots = backups.flatMap((b) => [
    snapshotObject({ name: b.metadata.name!, backupName: b.metadata.name!, createdAt: Date.parse(b.metadata.creationTimestamp!) }),
    snapshotObject({
      name: `${b.metadata.name!}-wal`,
      backupName: b.metadata.name!,
      createdAt: Date.parse(b.metadata.creationTimestamp!),
      role: 'PG_WAL',
    }),
  ]);
  return { backups, snapshots };
}

function inputs(partial: Partial<RetentionInputs> & Pick<RetentionInputs, 'now'>): RetentionInputs {
  return { cluster: CLUSTER, backups: [], snapshots: [], clusters: [], claims: [], policy: policy(), ...partial };
}

const kept = (plan: ReturnType<typeof planRetention>) => plan.backups.filter((b) => b.action === 'keep').map((b) => b.name);
const ruleOf = (plan: ReturnType<typeof planRetention>, name: string) => plan.backups.find((b) => b.name === name)?.rule;

describe('the retention policy, field by field', () => {
  const now = new Date('2026-11-25T12:00:00Z');

  test('fixtures are realistic CNPG objects', () => {
    const { backups, snapshots } = hourly(now, 2);
    for (const b of backups) expect(crdSchemaViolations('Backup', b)).toEqual([]);
    for (const s of snapshots) expect(crdSchemaViolations('VolumeSnapshot', s)).toEqual([]);
  });

  test('a simulated week of hourly backups keeps exactly the 168 of the last 7 days, and their snapshots', () => {
    const { backups, snapshots } = hourly(now, 7 * 24 + 5);
    const plan = planRetention(inputs({ now, backups, snapshots }));
    expect(kept(plan)).toHaveLength(168);
    expect(kept(plan)).toEqual(Array.from({ length: 168 }, (_, ago) => `h-${ago}`));
    expect(plan.backups.filter((b) => b.action === 'delete').map((b) => b.name)).toEqual(['h-168', 'h-169', 'h-170', 'h-171', 'h-172']);
    expect(plan.snapshots.filter((s) => s.action === 'delete')).toHaveLength(10);
    expect(plan.snapshots.filter((s) => s.action === 'keep')).toHaveLength(336);
  });

  test('keepWithin: every completed backup younger than the window is kept', () => {
    const { backups } = hourly(now, 10);
    expect(kept(planRetention(inputs({ now, backups, policy: policy({ keepWithin: '5h', minKeep: 1 }) })))).toEqual([
      'h-0',
      'h-1',
      'h-2',
      'h-3',
      'h-4',
    ]);
  });

  test('minKeep: the newest N completed backups are kept whatever their age', () => {
    const { backups } = hourly(new Date(now.getTime() - 30 * 24 * HOUR), 6);
    const plan = planRetention(inputs({ now, backups, policy: policy({ keepWithin: '1d', minKeep: 4 }) }));
    expect(kept(plan)).toEqual(['h-0', 'h-1', 'h-2', 'h-3']);
    expect(ruleOf(plan, 'h-0')).toBe('newest-completed');
    expect(ruleOf(plan, 'h-3')).toBe('min-keep');
  });

  test('the newest completed backup is kept even when minKeep and the window would not keep it', () => {
    const old = backupObject({ name: 'old', phase: 'completed', createdAt: now.getTime() - 90 * 24 * HOUR });
    expect(kept(planRetention(inputs({ now, backups: [old], policy: policy({ keepWithin: '1h', minKeep: 1 }) })))).toEqual(['old']);
  });

  test('a month of hourly backups with daily 7, weekly 4 and monthly 3 keeps the window and one per period beyond it', () => {
    const monthNow = new Date('2026-11-30T23:30:00Z');
    const { backups } = hourly(monthNow, 24 * 62);
    const plan = planRetention(
      inputs({ now: monthNow, backups, policy: policy({ keepWithin: '7d', minKeep: 3, daily: 7, weekly: 4, monthly: 3 }) }),
    );
    // Expectation built by hand: the window holds h-0..h-167 (the latest ended at 23:27 on Nov 30).
    const windowKept = Array.from({ length: 168 }, (_, ago) => `h-${ago}`);
    // Beyond it, each period's newest backup is the one ending at 23:27 of its last day (h-<24k+0..>):
    // daily: Nov 23, 22, 21, 20, 19, 18, 17 -> 7, 8, ... 13 days ago at 23:27 = h-168, h-192, ..., h-312.
    const daily = [7, 8, 9, 10, 11, 12, 13].map((days) => `h-${days * 24}`);
    // weekly (ISO weeks end on Sunday): the week of Nov 23 (Mon 16 - Sun 22 Nov -> Sun 22 = 8 days ago), Nov 15, Nov 8, Nov 1.
    // Nov 23 itself is Monday of week 48, whose beyond-window newest is Mon 23 at 23:27 (7 days ago) = already daily.
    const weekly = [7, 8, 15, 22].map((days) => `h-${days * 24}`);
    // monthly: November's newest beyond the window is Nov 23 (7 days ago); October's is Oct 31 (30 days ago); September's is Sep 30 (61 days ago).
    const monthly = [7, 30, 61].map((days) => `h-${days * 24}`);
    const expected = [...new Set([...windowKept, ...daily, ...weekly, ...monthly])].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)));
    expect(kept(plan)).toEqual(expected);
    expect(ruleOf(plan, 'h-168')).toBe('daily-tier');
    expect(ruleOf(plan, 'h-360')).toBe('weekly-tier');
    expect(ruleOf(plan, 'h-720')).toBe('monthly-tier');
  });

  test('failedKeep: a failed backup is kept that long for diagnosis, then deleted with the snapshots it left', () => {
    const young = backupObject({ name: 'failed-young', phase: 'failed', createdAt: now.getTime() - 2 * HOUR });
    const old = backupObject({ name: 'failed-old', phase: 'failed', createdAt: now.getTime() - 30 * HOUR });
    const leftovers = [snapshotObject({ name: 'failed-old', backupName: 'failed-old', createdAt: now.getTime() - 30 * HOUR })];
    const plan = planRetention(inputs({ now, backups: [young, old], snapshots: leftovers, policy: policy({ failedKeep: '1d' }) }));
    expect(plan.backups.map((b) => [b.name, b.action, b.rule])).toEqual([
      ['failed-young', 'keep', 'failed-within-failed-keep'],
      ['failed-old', 'delete', 'failed-expired'],
    ]);
    expect(plan.snapshots).toEqual([{ name: 'failed-old', backupName: 'failed-old', action: 'delete', rule: 'failed-expired' }]);
  });

  test('scope managed leaves Backups the scheduler did not create alone; scope all plans them too', () => {
    const foreign = backupObject({ name: 'by-hand', phase: 'completed', createdAt: now.getTime() - 40 * 24 * HOUR, managed: false });
    const { backups } = hourly(now, 3);
    expect(ruleOf(planRetention(inputs({ now, backups: [...backups, foreign] })), 'by-hand')).toBe('out-of-scope');
    expect(ruleOf(planRetention(inputs({ now, backups: [...backups, foreign], policy: policy({ scope: 'all' }) })), 'by-hand')).toBe(
      'expired',
    );
  });

  test('running backups are kept whatever their age', () => {
    const stuck = backupObject({ name: 'stuck', phase: 'pending', createdAt: now.getTime() - 60 * 24 * HOUR });
    expect(ruleOf(planRetention(inputs({ now, backups: [stuck] })), 'stuck')).toBe('in-progress');
  });

  test('a snapshot a recovering cluster bootstraps from is kept with its backup until the cluster is healthy', () => {
    const { backups, snapshots } = hourly(new Date(now.getTime() - 20 * 24 * HOUR), 5);
    const recovering = planRetention(inputs({ now, backups, snapshots, clusters: [restoreCluster('hendrix-restore', 'h-4', false)] }));
    expect(ruleOf(recovering, 'h-4')).toBe('referenced-by-restore');
    expect(recovering.snapshots.find((s) => s.name === 'h-4')).toMatchObject({ action: 'keep', rule: 'referenced-by-restore' });
    const healthy = planRetention(inputs({ now, backups, snapshots, clusters: [restoreCluster('hendrix-restore', 'h-4', true)] }));
    expect(ruleOf(healthy, 'h-4')).toBe('expired');
  });

  test('a snapshot a Pending claim restores from is kept; a Bound claim no longer needs it', () => {
    const { backups, snapshots } = hourly(new Date(now.getTime() - 20 * 24 * HOUR), 5);
    expect(ruleOf(planRetention(inputs({ now, backups, snapshots, claims: [pendingClaim('data', 'h-3-wal', 'Pending')] })), 'h-3')).toBe(
      'referenced-by-pending-claim',
    );
    expect(ruleOf(planRetention(inputs({ now, backups, snapshots, claims: [pendingClaim('data', 'h-3-wal', 'Bound')] })), 'h-3')).toBe(
      'expired',
    );
  });

  test('snapshots whose Backup is gone are swept once older than keepWithin', () => {
    const orphans = [
      snapshotObject({ name: 'gone-old', backupName: 'gone-old', createdAt: now.getTime() - 8 * 24 * HOUR }),
      snapshotObject({ name: 'gone-new', backupName: 'gone-new', createdAt: now.getTime() - HOUR }),
      snapshotObject({ name: 'other-cluster', backupName: 'x', cluster: 'jimi', createdAt: now.getTime() - 30 * 24 * HOUR }),
    ];
    expect(planRetention(inputs({ now, snapshots: orphans })).snapshots).toEqual([
      { name: 'gone-new', backupName: 'gone-new', action: 'keep', rule: 'orphan-within-keep-window' },
      { name: 'gone-old', backupName: 'gone-old', action: 'delete', rule: 'orphaned-snapshot' },
    ]);
  });
});
