import fc from 'fast-check';
import type { VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { scheduleDeletions, type DeletionSchedule, type RetentionStep } from '../../lambdas/domain/retention-deletions';
import { planRetention, type RetentionInputs, type RetentionPlan } from '../../lambdas/domain/retention-plan';
import { historyArbitrary, rfc3339 } from './retention-arbitraries';

const RUNS = { numRuns: 300 };
const UNLIMITED = Number.MAX_SAFE_INTEGER;
const TARGET_LABEL = 'cnpg-snapshot-scheduler/target';

const doomed = (decisions: ReadonlyArray<{ name: string; action: string }>) =>
  decisions.filter((d) => d.action === 'delete').map((d) => d.name);
const deletes = (schedule: DeletionSchedule, resource: RetentionStep['resource']) =>
  schedule.steps.filter((s) => s.verb === 'delete' && s.resource === resource).map((s) => s.name);
const sorted = (names: Iterable<string>) => [...names].sort();
/** A snapshot's mark is the target label alone: its managed-by label is CNPG's and must stay so. */
const hasMarks = (inputs: RetentionInputs, snapshot: VolumeSnapshot) => snapshot.metadata.labels?.[TARGET_LABEL] === inputs.target;

const withBudget = fc.tuple(historyArbitrary, fc.integer({ min: 0, max: 60 }));

/**
 * The namespace after the first `count` steps, as the API server would leave it: a mark sets the labels; a delete
 * removes the object, or leaves it with a deletionTimestamp when `held(i)` (finalizers). Records each delete of
 * a snapshot that carried no marks at that moment.
 */
function applySteps(inputs: RetentionInputs, steps: readonly RetentionStep[], count: number, held: (step: number) => boolean) {
  let backups = [...inputs.backups];
  let snapshots = [...inputs.snapshots];
  const unmarkedDeletes: string[] = [];
  const at = rfc3339(inputs.now.getTime());
  steps.slice(0, count).forEach((step, index) => {
    if (step.verb === 'release') return; // a content's deletionPolicy: not part of the plan's inputs
    if (step.verb === 'mark') {
      snapshots = snapshots.map((s) =>
        s.metadata.name === step.name
          ? {
              ...s,
              metadata: {
                ...s.metadata,
                labels: { ...s.metadata.labels, [TARGET_LABEL]: inputs.target },
              },
            }
          : s,
      );
      return;
    }
    const gone = (o: { metadata: { name?: string } }) => o.metadata.name === step.name;
    const stay = <T extends { metadata: { name?: string; deletionTimestamp?: string } }>(o: T): T =>
      gone(o) ? { ...o, metadata: { ...o.metadata, deletionTimestamp: at } } : o;
    if (step.resource === 'volumesnapshots') {
      const snapshot = snapshots.find(gone);
      if (snapshot && !hasMarks(inputs, snapshot)) unmarkedDeletes.push(step.name);
      snapshots = held(index) ? snapshots.map(stay) : snapshots.filter((s) => !gone(s));
    } else backups = held(index) ? backups.map(stay) : backups.filter((b) => !gone(b));
  });
  return { inputs: { ...inputs, backups, snapshots }, unmarkedDeletes };
}

const forEverySchedule = (check: (inputs: RetentionInputs, plan: RetentionPlan, schedule: DeletionSchedule, budget: number) => void) =>
  fc.assert(
    fc.property(withBudget, ([inputs, budget]) => {
      const plan = planRetention(inputs);
      check(inputs, plan, scheduleDeletions(plan, { scope: inputs.policy.scope, budget }), budget);
    }),
    RUNS,
  );

describe('the deletion schedule of a plan, over random histories and budgets', () => {
  test('never sends more requests than the budget', () => {
    forEverySchedule((_inputs, _plan, schedule, budget) => expect(schedule.steps.length).toBeLessThanOrEqual(budget));
  });

  test('never touches a Backup or snapshot the plan keeps, so never a snapshot of a kept backup', () => {
    forEverySchedule((_inputs, plan, schedule) => {
      const doomedBackups = new Set(doomed(plan.backups));
      const doomedSnapshots = new Set(doomed(plan.snapshots));
      const kept = new Set(plan.backups.filter((b) => b.action === 'keep').map((b) => b.name));
      const contentOf = new Map(plan.snapshots.flatMap((s) => (s.content === undefined ? [] : [[s.content, s.name] as const])));
      for (const step of schedule.steps) {
        if (step.resource === 'backups') expect(doomedBackups.has(step.name)).toBe(true);
        else if (step.resource === 'volumesnapshotcontents') expect(doomedSnapshots.has(contentOf.get(step.name)!)).toBe(true);
        else {
          expect(doomedSnapshots.has(step.name)).toBe(true);
          expect(kept.has(plan.snapshots.find((s) => s.name === step.name)!.backupName)).toBe(false);
        }
      }
    });
  });

  test('defers exactly what is doomed and neither done nor in progress: deferred = doomed - done', () => {
    forEverySchedule((_inputs, plan, schedule) => {
      for (const [resource, decisions, kind] of [
        ['backups', plan.backups, 'backups'],
        ['volumesnapshots', plan.snapshots, 'snapshots'],
      ] as const) {
        const done = [...deletes(schedule, resource), ...schedule.inProgress[kind]];
        expect(new Set(done).size).toBe(done.length);
        expect(sorted([...done, ...schedule.deferred[kind]])).toEqual(sorted(doomed(decisions)));
        for (const name of schedule.deferred[kind]) expect(done).not.toContain(name);
      }
    });
  });

  test('never requests the deletion of what the API server is already deleting', () => {
    forEverySchedule((_inputs, plan, schedule) => {
      // A PGDATA snapshot is named after its Backup: compare by resource and name.
      const deleting = new Set([
        ...plan.backups.filter((d) => d.deleting).map((d) => `backups/${d.name}`),
        ...plan.snapshots.filter((d) => d.deleting).map((d) => `volumesnapshots/${d.name}`),
      ]);
      const contentOf = new Map(plan.snapshots.flatMap((s) => (s.content === undefined ? [] : [[s.content, s.name] as const])));
      for (const step of schedule.steps) {
        const subject = step.verb === 'release' ? `volumesnapshots/${contentOf.get(step.name)!}` : `${step.resource}/${step.name}`;
        expect(deleting.has(subject)).toBe(false);
      }
    });
  });

  test('deletes a Backup only after every doomed snapshot of it is deleted or being deleted, so no deletion of ours leaves snapshots without their Backup', () => {
    forEverySchedule((_inputs, plan, schedule) => {
      schedule.steps.forEach((step, index) => {
        if (step.resource !== 'backups') return;
        const before = new Set(
          schedule.steps
            .slice(0, index)
            .filter((s) => s.resource === 'volumesnapshots')
            .map((s) => s.name),
        );
        for (const snapshot of plan.snapshots.filter((s) => s.backupName === step.name && s.action === 'delete'))
          expect(snapshot.deleting === true || before.has(snapshot.name)).toBe(true);
      });
    });
  });

  test('under scope managed, deletes only snapshots that carry the marks of the target, marking unmarked ones just before', () => {
    forEverySchedule((inputs, plan, schedule) => {
      if (inputs.policy.scope !== 'managed') return;
      const marked = new Set(plan.snapshots.filter((s) => s.marked).map((s) => s.name));
      schedule.steps.forEach((step, index) => {
        if (step.verb !== 'delete' || step.resource !== 'volumesnapshots' || marked.has(step.name)) return;
        const content = plan.snapshots.find((s) => s.name === step.name)!.content;
        const markAt = content === undefined ? index - 1 : index - 2;
        expect(schedule.steps[markAt]).toEqual({ verb: 'mark', resource: 'volumesnapshots', name: step.name });
      });
      expect(applySteps(inputs, schedule.steps, schedule.steps.length, () => false).unmarkedDeletes).toEqual([]);
    });
  });

  test('releases the content of each snapshot of ours just before deleting it, and never the content of a snapshot not ours', () => {
    forEverySchedule((_inputs, plan, schedule) => {
      const byName = new Map(plan.snapshots.map((s) => [s.name, s]));
      const marked = new Set<string>();
      const released: string[] = [];
      schedule.steps.forEach((step, index) => {
        if (step.verb === 'mark') marked.add(step.name);
        if (step.verb === 'release') released.push(step.name);
        if (step.verb !== 'delete' || step.resource !== 'volumesnapshots') return;
        const snapshot = byName.get(step.name)!;
        const ours = snapshot.marked || marked.has(step.name);
        if (ours && snapshot.content !== undefined)
          expect(schedule.steps[index - 1]).toEqual({ verb: 'release', resource: 'volumesnapshotcontents', name: snapshot.content });
        else expect(schedule.steps[index - 1]?.verb).not.toBe('release');
      });
      const releasedOf = new Set(released);
      const ofOurDeletes = schedule.steps.flatMap((step) => {
        if (step.verb !== 'delete' || step.resource !== 'volumesnapshots') return [];
        const { content } = byName.get(step.name)!;
        return content !== undefined && releasedOf.has(content) ? [content] : [];
      });
      expect(sorted(released)).toEqual(sorted(ofOurDeletes));
    });
  });

  test('a run cut short by its budget has deleted older backups than it deferred, unfinished work first', () => {
    forEverySchedule((_inputs, plan, schedule) => {
      const position = new Map(plan.backups.map((b, index) => [b.name, index]));
      const unfinished = (name: string) => {
        const backup = plan.backups[position.get(name)!]!;
        return (
          backup.deleting ||
          backup.missingSnapshots ||
          plan.snapshots.some((s) => s.backupName === name && s.deleting && s.action === 'delete')
        );
      };
      const started = plan.backups.filter((b) => b.action === 'delete' && !schedule.deferred.backups.includes(b.name)).map((b) => b.name);
      for (const deferred of schedule.deferred.backups.filter((name) => !unfinished(name)))
        for (const done of started.filter((name) => !unfinished(name)))
          expect(position.get(done)!).toBeGreaterThan(position.get(deferred)!);
    });
  });

  test('a run interrupted at any request is completed by the next run: everything the first plan doomed is gone or being deleted', () => {
    fc.assert(
      fc.property(withBudget, fc.nat(), fc.func(fc.boolean()), ([inputs, budget], cut, heldBy) => {
        const plan = planRetention(inputs);
        const first = scheduleDeletions(plan, { scope: inputs.policy.scope, budget });
        const held = (step: number) => heldBy(step);
        const crashed = applySteps(inputs, first.steps, first.steps.length === 0 ? 0 : cut % (first.steps.length + 1), held);
        const replan = planRetention(crashed.inputs);
        const second = scheduleDeletions(replan, { scope: inputs.policy.scope, budget: UNLIMITED });
        expect(second.deferred).toEqual({ backups: [], snapshots: [] });
        const finished = applySteps(crashed.inputs, second.steps, second.steps.length, held);
        const remaining = [...finished.inputs.backups, ...finished.inputs.snapshots].filter(
          (o) => o.metadata.deletionTimestamp === undefined,
        );
        const left = new Set(remaining.map((o) => o.metadata.name));
        for (const name of [...doomed(plan.backups), ...doomed(plan.snapshots)]) expect(left.has(name)).toBe(false);
        expect([...crashed.unmarkedDeletes, ...finished.unmarkedDeletes].length === 0 || inputs.policy.scope === 'all').toBe(true);
      }),
      RUNS,
    );
  });
});
