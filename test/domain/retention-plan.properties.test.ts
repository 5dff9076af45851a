import fc from 'fast-check';
import { durationSeconds, type Duration } from '../../lambdas/domain/duration';
import type { Backup } from '../../lambdas/domain/kube-objects';
import { planRetention, type RetentionInputs, type RetentionPlan } from '../../lambdas/domain/retention-plan';
import { historyArbitrary } from './retention-arbitraries';

const RUNS = { numRuns: 300 };
const IN_PROGRESS = new Set(['pending', 'started', 'running', 'finalizing', 'invalid backup definition', '']);

const deletedBackups = (plan: RetentionPlan) => new Set(plan.backups.filter((b) => b.action === 'delete').map((b) => b.name));
const deletedSnapshots = (plan: RetentionPlan) => new Set(plan.snapshots.filter((s) => s.action === 'delete').map((s) => s.name));
const completedAt = (b: Backup) => new Date(b.status?.stoppedAt ?? b.metadata.creationTimestamp!).getTime();

/** What the executor does with a plan: the namespace afterwards. */
function apply(inputs: RetentionInputs, plan: RetentionPlan): RetentionInputs {
  const backups = deletedBackups(plan);
  const snapshots = deletedSnapshots(plan);
  return {
    ...inputs,
    backups: inputs.backups.filter((b) => !backups.has(b.metadata.name!)),
    snapshots: inputs.snapshots.filter((s) => !snapshots.has(s.metadata.name!)),
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = (seed * (i + 7)) % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('retention never deletes what it must keep (property tests over random histories)', () => {
  test('a pending, started, finalizing or otherwise unfinished backup is never deleted', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const doomed = deletedBackups(planRetention(inputs));
        for (const backup of inputs.backups)
          if (IN_PROGRESS.has(backup.status?.phase ?? '')) expect(doomed.has(backup.metadata.name!)).toBe(false);
      }),
      RUNS,
    );
  });

  test('a completed backup inside keepWithin is never deleted', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const doomed = deletedBackups(planRetention(inputs));
        const windowStart = inputs.now.getTime() - durationSeconds(inputs.policy.keepWithin as Duration) * 1000;
        for (const backup of inputs.backups)
          if (backup.status?.phase === 'completed' && completedAt(backup) > windowStart)
            expect(doomed.has(backup.metadata.name!)).toBe(false);
      }),
      RUNS,
    );
  });

  test('the newest completed backup, and the newest minKeep completed ones, are never deleted', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const doomed = deletedBackups(planRetention(inputs));
        const completed = inputs.backups
          .filter((b) => b.spec.cluster.name === inputs.cluster && b.status?.phase === 'completed')
          .sort((a, b) => completedAt(b) - completedAt(a) || b.metadata.name!.localeCompare(a.metadata.name!));
        if (completed.length > 0) expect(doomed.has(completed[0]!.metadata.name!)).toBe(false);
        for (const backup of completed.slice(0, inputs.policy.minKeep)) expect(doomed.has(backup.metadata.name!)).toBe(false);
      }),
      RUNS,
    );
  });

  test('the snapshots of a kept backup are never deleted', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const plan = planRetention(inputs);
        const doomed = deletedBackups(plan);
        const doomedSnapshots = deletedSnapshots(plan);
        const existing = new Set(inputs.backups.map((b) => b.metadata.name!));
        for (const snapshot of inputs.snapshots) {
          const owner = snapshot.metadata.labels?.['cnpg.io/backupName'];
          if (owner && existing.has(owner) && !doomed.has(owner)) expect(doomedSnapshots.has(snapshot.metadata.name!)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  test('a snapshot a recovering cluster or a Pending claim needs is never deleted, nor is its backup', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const plan = planRetention(inputs);
        const needed = new Set([
          ...inputs.clusters
            .filter((c) => c.status?.phase !== 'Cluster in healthy state')
            .map(
              (c) =>
                (c.spec.bootstrap as { recovery: { volumeSnapshots: { storage: { name: string } } } }).recovery.volumeSnapshots.storage
                  .name,
            ),
          ...inputs.claims.filter((c) => c.status?.phase === 'Pending').map((c) => c.spec.dataSource!.name),
        ]);
        const doomedSnapshots = deletedSnapshots(plan);
        for (const name of needed) expect(doomedSnapshots.has(name)).toBe(false);
        const doomed = deletedBackups(plan);
        for (const snapshot of inputs.snapshots.filter((s) => needed.has(s.metadata.name!)))
          expect(doomed.has(snapshot.metadata.labels!['cnpg.io/backupName']!)).toBe(false);
      }),
      RUNS,
    );
  });

  test('backups of other clusters and other methods, and unmanaged ones under scope managed, are never touched', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const plan = planRetention(inputs);
        const doomed = deletedBackups(plan);
        const doomedSnapshots = deletedSnapshots(plan);
        for (const backup of inputs.backups) {
          const foreign =
            backup.spec.cluster.name !== inputs.cluster ||
            (inputs.policy.scope === 'managed' && backup.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'cnpg-snapshot-scheduler');
          if (foreign) expect(doomed.has(backup.metadata.name!)).toBe(false);
        }
        for (const snapshot of inputs.snapshots)
          if (snapshot.metadata.labels?.['cnpg.io/cluster'] !== inputs.cluster)
            expect(doomedSnapshots.has(snapshot.metadata.name!)).toBe(false);
      }),
      RUNS,
    );
  });

  test('a failed backup never counts toward minKeep or a tier', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const plan = planRetention(inputs);
        for (const decision of plan.backups.filter((b) => b.phase === 'failed'))
          expect(['min-keep', 'newest-completed', 'within-keep-window', 'daily-tier', 'weekly-tier', 'monthly-tier']).not.toContain(
            decision.rule,
          );
        // Adding failed backups never changes which completed backups are kept.
        const withoutFailed = planRetention({ ...inputs, backups: inputs.backups.filter((b) => b.status?.phase !== 'failed') });
        const keptCompleted = (p: RetentionPlan) =>
          p.backups.filter((b) => b.phase === 'completed' && b.action === 'keep').map((b) => b.name);
        expect(keptCompleted(plan)).toEqual(keptCompleted(withoutFailed));
      }),
      RUNS,
    );
  });

  test('a failed backup is kept for failedKeep, and deleted with its snapshots after it', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const plan = planRetention(inputs);
        const failedKeepMs = durationSeconds(inputs.policy.failedKeep as Duration) * 1000;
        for (const decision of plan.backups.filter((b) => b.phase === 'failed')) {
          const young = new Date(decision.time).getTime() > inputs.now.getTime() - failedKeepMs;
          if (young) expect(decision.action).toBe('keep');
          if (decision.action === 'delete') for (const s of decision.snapshots) expect(deletedSnapshots(plan).has(s)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  test('a second plan on the result of the first deletes nothing (idempotent)', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const second = planRetention(apply(inputs, planRetention(inputs)));
        expect(second.backups.filter((b) => b.action === 'delete')).toEqual([]);
        expect(second.snapshots.filter((s) => s.action === 'delete')).toEqual([]);
      }),
      RUNS,
    );
  });

  test('the plan depends only on its inputs: same inputs in any order give the same plan', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.integer({ min: 1, max: 1000 }), (inputs, seed) => {
        const plan = planRetention(inputs);
        expect(planRetention(structuredClone(inputs))).toEqual(plan);
        const reordered = {
          ...inputs,
          backups: shuffled(inputs.backups, seed),
          snapshots: shuffled(inputs.snapshots, seed + 1),
          clusters: shuffled(inputs.clusters, seed + 2),
          claims: shuffled(inputs.claims, seed + 3),
        };
        expect(planRetention(reordered)).toEqual(plan);
      }),
      RUNS,
    );
  });

  test('every snapshot it deletes belongs to a deleted backup or is an orphan older than keepWithin', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        const plan = planRetention(inputs);
        const doomed = deletedBackups(plan);
        const existing = new Set(inputs.backups.map((b) => b.metadata.name!));
        const windowStart = inputs.now.getTime() - durationSeconds(inputs.policy.keepWithin as Duration) * 1000;
        for (const name of deletedSnapshots(plan)) {
          const snapshot = inputs.snapshots.find((s) => s.metadata.name === name)!;
          const owner = snapshot.metadata.labels!['cnpg.io/backupName']!;
          if (existing.has(owner)) expect(doomed.has(owner)).toBe(true);
          else expect(new Date(snapshot.metadata.creationTimestamp!).getTime()).toBeLessThanOrEqual(windowStart);
        }
      }),
      RUNS,
    );
  });
});
