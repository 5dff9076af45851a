import fc from 'fast-check';
import { durationSeconds, type Duration } from '../../lambdas/domain/duration';
import type { Backup, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { periodOf, type TierPeriod } from '../../lambdas/domain/retention-periods';
import { planRetention, type RetentionInputs, type RetentionPlan } from '../../lambdas/domain/retention-plan';
import { crdSchemaViolations } from '../../simulator/crd-schemas';
import { historyArbitrary } from './retention-arbitraries';

const RUNS = { numRuns: 300 };
const UNFINISHED = new Set(['pending', 'started', 'running', 'finalizing', 'invalid backup definition', undefined]);
const MANAGED_BY = 'app.kubernetes.io/managed-by';

const name = (object: { metadata: { name: string } }) => object.metadata.name;
const ms = (text: string) => durationSeconds(text as Duration) * 1000;
const completedAt = (b: Backup) => Date.parse(b.status?.stoppedAt ?? b.metadata.creationTimestamp!);
const ownerOf = (snapshot: { metadata: { labels?: Record<string, string> } }) => snapshot.metadata.labels?.['cnpg.io/backupName'];
const deletedBackups = (plan: RetentionPlan) => new Set(plan.backups.filter((b) => b.action === 'delete').map((b) => b.name));
const deletedSnapshots = (plan: RetentionPlan) => new Set(plan.snapshots.filter((s) => s.action === 'delete').map((s) => s.name));

const isPlanned = (inputs: RetentionInputs, b: Backup) => b.spec.cluster.name === inputs.cluster && b.spec.method === 'volumeSnapshot';
/** Scope managed: a Backup carrying both marks of the target, read straight from the labels. */
const isMarked = (inputs: RetentionInputs, o: Backup) =>
  o.metadata.labels?.[MANAGED_BY] === 'cnpg-snapshot-scheduler' && o.metadata.labels['cnpg-snapshot-scheduler/target'] === inputs.target;
/** A snapshot's mark is the target label alone (its managed-by label is CNPG's). */
const isSnapshotMarked = (inputs: RetentionInputs, o: VolumeSnapshot) =>
  o.metadata.labels?.['cnpg-snapshot-scheduler/target'] === inputs.target;
const isInScope = (inputs: RetentionInputs, o: Backup) => inputs.policy.scope === 'all' || isMarked(inputs, o);
const isSnapshotInScope = (inputs: RetentionInputs, o: VolumeSnapshot) => inputs.policy.scope === 'all' || isSnapshotMarked(inputs, o);

/** Snapshots and Backups a restore under way names, read straight from the fixtures. */
function neededByRestores(inputs: RetentionInputs): { snapshots: Set<string>; backups: Set<string> } {
  const snapshots = new Set<string>();
  const backups = new Set<string>();
  for (const cluster of inputs.clusters.filter((c) => c.status?.phase !== 'Cluster in healthy state')) {
    const { recovery } = cluster.spec.bootstrap as {
      recovery: {
        backup?: { name: string };
        volumeSnapshots?: {
          storage: { name: string };
          walStorage?: { name: string };
          tablespaceStorage?: Record<string, { name: string }>;
        };
      };
    };
    if (recovery.backup) backups.add(recovery.backup.name);
    const refs = recovery.volumeSnapshots;
    if (refs)
      for (const ref of [refs.storage, refs.walStorage, ...Object.values(refs.tablespaceStorage ?? {})]) if (ref) snapshots.add(ref.name);
  }
  for (const claim of inputs.claims)
    if ((claim.status?.phase ?? 'Pending') === 'Pending') snapshots.add((claim.spec.dataSource ?? claim.spec.dataSourceRef)!.name);
  for (const snapshot of inputs.snapshots) if (snapshots.has(name(snapshot)) && ownerOf(snapshot)) backups.add(ownerOf(snapshot)!);
  return { snapshots, backups };
}

/** The completed backups the policy keeps, worked out by grouping periods rather than walking the history. */
function completedThePolicyKeeps(inputs: RetentionInputs): Set<string> {
  const { policy } = inputs;
  const windowStart = inputs.now.getTime() - ms(policy.keepWithin);
  const completed = inputs.backups
    .filter((b) => isPlanned(inputs, b) && isInScope(inputs, b) && b.status?.phase === 'completed')
    .sort((a, b) => completedAt(b) - completedAt(a) || (name(a) < name(b) ? 1 : -1));
  const keep = new Set([...completed.slice(0, policy.minKeep), ...completed.filter((b) => completedAt(b) > windowStart)].map(name));
  const beyondWindow = completed.filter((b) => completedAt(b) <= windowStart);
  for (const tier of ['daily', 'weekly', 'monthly'] as const satisfies readonly TierPeriod[]) {
    const newestOfPeriod = new Map<string, Backup>();
    for (const backup of [...beyondWindow].reverse()) newestOfPeriod.set(periodOf(tier, new Date(completedAt(backup))), backup);
    const recent = [...newestOfPeriod.keys()].sort().reverse().slice(0, policy[tier]);
    for (const period of recent) keep.add(name(newestOfPeriod.get(period)!));
  }
  return keep;
}

/** What the retention executor leaves: the namespace without what the plan deletes. */
function applyPlan(inputs: RetentionInputs, plan: RetentionPlan): RetentionInputs {
  const backups = deletedBackups(plan);
  const snapshots = deletedSnapshots(plan);
  return {
    ...inputs,
    backups: inputs.backups.filter((b) => !backups.has(name(b))),
    snapshots: inputs.snapshots.filter((s) => !snapshots.has(name(s))),
  };
}

const forEveryHistory = (check: (inputs: RetentionInputs, plan: RetentionPlan) => void) =>
  fc.assert(
    fc.property(historyArbitrary, (inputs) => check(inputs, planRetention(inputs))),
    RUNS,
  );

describe('random histories (fixtures)', () => {
  test('are made of Backups, VolumeSnapshots and Clusters the upstream CRD schemas accept', () => {
    fc.assert(
      fc.property(historyArbitrary, (inputs) => {
        for (const backup of inputs.backups) expect(crdSchemaViolations('Backup', backup)).toEqual([]);
        for (const snapshot of inputs.snapshots) expect(crdSchemaViolations('VolumeSnapshot', snapshot)).toEqual([]);
        for (const cluster of inputs.clusters) expect(crdSchemaViolations('Cluster', cluster)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the retention plan, over random histories', () => {
  test('never deletes a backup that is pending, started, running, finalizing, invalid or without a phase', () => {
    forEveryHistory((inputs, plan) => {
      const doomed = deletedBackups(plan);
      for (const backup of inputs.backups) if (UNFINISHED.has(backup.status?.phase)) expect(doomed.has(name(backup))).toBe(false);
    });
  });

  test('never deletes a completed backup younger than keepWithin', () => {
    forEveryHistory((inputs, plan) => {
      const doomed = deletedBackups(plan);
      const windowStart = inputs.now.getTime() - ms(inputs.policy.keepWithin);
      for (const backup of inputs.backups)
        if (backup.status?.phase === 'completed' && completedAt(backup) > windowStart) expect(doomed.has(name(backup))).toBe(false);
    });
  });

  test('never deletes the newest completed backup, nor any of the newest minKeep', () => {
    forEveryHistory((inputs, plan) => {
      const doomed = deletedBackups(plan);
      const newestFirst = inputs.backups
        .filter((b) => isPlanned(inputs, b) && b.status?.phase === 'completed')
        .sort((a, b) => completedAt(b) - completedAt(a) || (name(a) < name(b) ? 1 : -1));
      for (const backup of newestFirst.slice(0, inputs.policy.minKeep)) expect(doomed.has(name(backup))).toBe(false);
    });
  });

  test('never deletes a snapshot of a backup it keeps', () => {
    forEveryHistory((inputs, plan) => {
      const doomedSnapshots = deletedSnapshots(plan);
      for (const backup of plan.backups.filter((b) => b.action === 'keep'))
        for (const snapshot of inputs.snapshots.filter((s) => ownerOf(s) === backup.name))
          expect(doomedSnapshots.has(name(snapshot))).toBe(false);
    });
  });

  test('never deletes a snapshot a recovering Cluster or a Pending claim names, nor its Backup, nor a Backup a recovery names', () => {
    forEveryHistory((inputs, plan) => {
      const needed = neededByRestores(inputs);
      const doomedSnapshots = deletedSnapshots(plan);
      const doomed = deletedBackups(plan);
      for (const snapshot of needed.snapshots) expect(doomedSnapshots.has(snapshot)).toBe(false);
      for (const backup of needed.backups) expect(doomed.has(backup)).toBe(false);
    });
  });

  test('plans exactly the volume-snapshot Backups of the cluster, and touches nothing out of scope', () => {
    forEveryHistory((inputs, plan) => {
      const planned = inputs.backups.filter((b) => isPlanned(inputs, b)).map(name);
      expect(plan.backups.map((b) => b.name).sort()).toEqual(planned.sort());
      const outOfScope = new Set(inputs.backups.filter((b) => !isPlanned(inputs, b) || !isInScope(inputs, b)).map(name));
      for (const decision of plan.backups.filter((b) => outOfScope.has(b.name))) expect(decision.action).toBe('keep');
      const doomedSnapshots = deletedSnapshots(plan);
      for (const snapshot of inputs.snapshots)
        if (outOfScope.has(ownerOf(snapshot) ?? '') || ownerOf(snapshot) === undefined)
          expect(doomedSnapshots.has(name(snapshot))).toBe(false);
    });
  });

  test('keeps and deletes the completed backups in scope exactly as the policy says', () => {
    forEveryHistory((inputs, plan) => {
      const keep = completedThePolicyKeeps(inputs);
      const needed = neededByRestores(inputs).backups;
      const inScope = new Set(inputs.backups.filter((b) => isInScope(inputs, b)).map(name));
      for (const decision of plan.backups)
        if (decision.phase === 'completed' && inScope.has(decision.name) && !needed.has(decision.name))
          expect([decision.name, decision.action]).toEqual([decision.name, keep.has(decision.name) ? 'keep' : 'delete']);
    });
  });

  test('never counts a failed backup toward minKeep or a tier', () => {
    forEveryHistory((inputs, plan) => {
      const withoutFailed = planRetention({ ...inputs, backups: inputs.backups.filter((b) => b.status?.phase !== 'failed') });
      const completedVerdicts = (p: RetentionPlan) => p.backups.filter((b) => b.phase === 'completed');
      expect(completedVerdicts(plan)).toEqual(completedVerdicts(withoutFailed));
    });
  });

  test('keeps a failed backup for failedKeep, and after that deletes it with its snapshots unless a restore needs them', () => {
    forEveryHistory((inputs, plan) => {
      const failedKeepStart = inputs.now.getTime() - ms(inputs.policy.failedKeep);
      const needed = neededByRestores(inputs).backups;
      const doomedSnapshots = deletedSnapshots(plan);
      for (const backup of inputs.backups.filter((b) => isPlanned(inputs, b) && b.status?.phase === 'failed')) {
        const decision = plan.backups.find((d) => d.name === name(backup))!;
        const expired = Date.parse(backup.metadata.creationTimestamp!) <= failedKeepStart;
        expect(decision.action).toBe(expired && isInScope(inputs, backup) && !needed.has(name(backup)) ? 'delete' : 'keep');
        if (decision.action === 'delete') for (const snapshot of decision.snapshots) expect(doomedSnapshots.has(snapshot)).toBe(true);
      }
    });
  });

  test('deletes a snapshot only with its deleted Backup, or as an orphan of this cluster in scope, older than keepWithin + failedKeep or already being deleted', () => {
    forEveryHistory((inputs, plan) => {
      const doomed = deletedBackups(plan);
      const existing = new Set(inputs.backups.map(name));
      const graceStart = inputs.now.getTime() - ms(inputs.policy.keepWithin) - ms(inputs.policy.failedKeep);
      for (const snapshotName of deletedSnapshots(plan)) {
        const snapshot = inputs.snapshots.find((s) => name(s) === snapshotName)!;
        const owner = ownerOf(snapshot)!;
        if (existing.has(owner)) expect(doomed.has(owner)).toBe(true);
        else {
          expect(snapshot.metadata.labels?.['cnpg.io/cluster']).toBe(inputs.cluster);
          expect(isSnapshotInScope(inputs, snapshot)).toBe(true);
          if (snapshot.metadata.deletionTimestamp === undefined)
            expect(Date.parse(snapshot.metadata.creationTimestamp!)).toBeLessThanOrEqual(graceStart);
        }
      }
    });
  });

  test('under scope managed, deletes a snapshot only if it carries the marks of the target or belongs to a doomed Backup of the target', () => {
    forEveryHistory((inputs, plan) => {
      if (inputs.policy.scope !== 'managed') return;
      const ownDoomed = new Set(inputs.backups.filter((b) => isMarked(inputs, b) && deletedBackups(plan).has(name(b))).map(name));
      for (const snapshot of inputs.snapshots.filter((s) => deletedSnapshots(plan).has(name(s))))
        expect(isSnapshotMarked(inputs, snapshot) || ownDoomed.has(ownerOf(snapshot)!)).toBe(true);
    });
  });

  test('sweeps every unneeded orphan of this cluster in scope older than keepWithin + failedKeep', () => {
    forEveryHistory((inputs, plan) => {
      const existing = new Set(inputs.backups.map(name));
      const needed = neededByRestores(inputs).snapshots;
      const graceStart = inputs.now.getTime() - ms(inputs.policy.keepWithin) - ms(inputs.policy.failedKeep);
      const doomedSnapshots = deletedSnapshots(plan);
      for (const snapshot of inputs.snapshots) {
        const owner = ownerOf(snapshot);
        const sweepable =
          owner !== undefined &&
          !existing.has(owner) &&
          snapshot.metadata.labels?.['cnpg.io/cluster'] === inputs.cluster &&
          isSnapshotInScope(inputs, snapshot) &&
          Date.parse(snapshot.metadata.creationTimestamp!) <= graceStart &&
          !needed.has(name(snapshot));
        if (sweepable) expect(doomedSnapshots.has(name(snapshot))).toBe(true);
      }
    });
  });

  test('lists backups newest first and counts what it keeps and deletes', () => {
    forEveryHistory((inputs, plan) => {
      const times = plan.backups.map((d) => completedAt(inputs.backups.find((b) => name(b) === d.name)!));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const decisions = [...plan.backups, ...plan.snapshots];
      expect(plan.deleted).toBe(decisions.filter((d) => d.action === 'delete').length);
      expect(plan.kept + plan.deleted).toBe(decisions.length);
    });
  });

  test('deletes nothing more when planned again on what applying it leaves (idempotent)', () => {
    forEveryHistory((inputs, plan) => {
      const second = planRetention(applyPlan(inputs, plan));
      expect(second.deleted).toBe(0);
      expect(second.backups.filter((b) => b.action === 'delete')).toEqual([]);
    });
  });

  test('depends only on its inputs: the same namespace, copied or listed in another order, gives the same plan', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.nat(), (inputs, seed) => {
        const plan = planRetention(inputs);
        expect(planRetention(structuredClone(inputs))).toEqual(plan);
        const shuffle = <T>(items: readonly T[], salt: number) =>
          fc.sample(fc.shuffledSubarray([...items], { minLength: items.length }), { numRuns: 1, seed: seed + salt })[0]!;
        const reordered = {
          ...inputs,
          backups: shuffle(inputs.backups, 1),
          snapshots: shuffle(inputs.snapshots, 2),
          clusters: shuffle(inputs.clusters, 3),
          claims: shuffle(inputs.claims, 4),
        };
        expect(planRetention(reordered)).toEqual(plan);
      }),
      RUNS,
    );
  });

  test('gives the same plan for the namespace listed by name, as the API server lists it, as in any other order', () => {
    const byName = <T extends { metadata: { name: string } }>(items: readonly T[]) =>
      [...items].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
    fc.assert(
      fc.property(historyArbitrary, fc.nat(), (inputs, seed) => {
        const plan = planRetention(inputs);
        const listed = { ...inputs, backups: byName(inputs.backups), snapshots: byName(inputs.snapshots) };
        expect(planRetention(listed)).toEqual(plan);
        const shuffled = fc.sample(fc.shuffledSubarray([...listed.backups], { minLength: listed.backups.length }), {
          numRuns: 1,
          seed,
        })[0]!;
        expect(planRetention({ ...listed, backups: shuffled })).toEqual(plan);
        expect(planRetention({ ...listed, backups: [...listed.backups].reverse() })).toEqual(plan);
      }),
      RUNS,
    );
  });
});
