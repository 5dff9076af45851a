import fc from 'fast-check';
import { planFanOut, type DueTarget } from '../../lambdas/domain/fan-out-plan';
import { fanOutScheduleId, fanOutSchedules, tickExecutionName } from '../../lambdas/domain/fan-out-schedule';

const SLOT = new Date('2026-11-25T05:00:00Z');

const targetsArbitrary = fc
  .uniqueArray(
    fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/), eksCluster: fc.constantFrom('eks-a', 'eks-b', 'eks-c') }),
    {
      selector: (t) => t.name,
      maxLength: 300,
    },
  )
  .map((targets): DueTarget[] => targets.map((t) => ({ ...t, ref: t.name })));

describe('dealing due targets into lanes', () => {
  test('every due target is in exactly one lane, of its own EKS cluster, under its slot execution name', () =>
    fc.assert(
      fc.property(targetsArbitrary, fc.integer({ min: 1, max: 40 }), (targets, concurrency) => {
        const lanes = planFanOut({ targets, workflow: 'backup', scheduledTime: SLOT, concurrencyPerEksCluster: concurrency });
        const placed = lanes.flatMap((lane) => lane.items.map((item) => ({ ...item, eksCluster: lane.eksCluster })));
        const byRef = new Map(targets.map((t) => [t.ref, t]));
        expect(placed.map((p) => byRef.get(p.target)?.name).sort()).toEqual(targets.map((t) => t.name).sort());
        for (const p of placed) {
          expect(p.eksCluster).toBe(byRef.get(p.target)?.eksCluster);
          expect(p.executionName).toBe(`${byRef.get(p.target)?.name}-backup-20261125050000`);
        }
      }),
    ));

  test('no EKS cluster gets more lanes than its concurrency, nor an empty lane, and lanes differ by at most one target', () =>
    fc.assert(
      fc.property(targetsArbitrary, fc.integer({ min: 1, max: 40 }), (targets, concurrency) => {
        const lanes = planFanOut({ targets, workflow: 'retention', scheduledTime: SLOT, concurrencyPerEksCluster: concurrency });
        for (const eksCluster of new Set(targets.map((t) => t.eksCluster))) {
          const own = lanes.filter((lane) => lane.eksCluster === eksCluster);
          expect(own.length).toBeLessThanOrEqual(concurrency);
          const sizes = own.map((lane) => lane.items.length);
          expect(Math.min(...sizes)).toBeGreaterThan(0);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        }
      }),
    ));

  test('the same targets in any order give the same lanes', () =>
    fc.assert(
      fc.property(targetsArbitrary, (targets) => {
        const plan = (list: DueTarget[]) =>
          planFanOut({ targets: list, workflow: 'backup', scheduledTime: SLOT, concurrencyPerEksCluster: 4 });
        expect(plan([...targets].reverse())).toEqual(plan(targets));
      }),
    ));

  test('no due target, no lane', () =>
    expect(planFanOut({ targets: [], workflow: 'backup', scheduledTime: SLOT, concurrencyPerEksCluster: 5 })).toEqual([]));
});

describe('schedules per expression', () => {
  test('one schedule per workflow and distinct expression, however many targets share it', () => {
    const hourly = Array.from({ length: 1000 }, () => 'cron(0 * * * ? *)');
    const schedules = fanOutSchedules({
      backup: [...hourly, 'cron(15 */2 * * ? *)'],
      retention: hourly.map(() => 'cron(30 3 * * ? *)'),
      drill: hourly.map(() => 'cron(0 4 ? * SUN *)'),
    });
    expect(schedules.map((s) => `${s.workflow} ${s.expression}`)).toEqual([
      'backup cron(0 * * * ? *)',
      'backup cron(15 */2 * * ? *)',
      'retention cron(30 3 * * ? *)',
      'drill cron(0 4 ? * SUN *)',
    ]);
    expect(new Set(schedules.map((s) => s.id)).size).toBe(4);
  });

  test('a schedule id is stable and a tick name is unique per firing, within the 80 characters of an execution name', () => {
    expect(fanOutScheduleId('backup', 'cron(0 * * * ? *)')).toBe(fanOutScheduleId('backup', 'cron(0 * * * ? *)'));
    expect(fanOutScheduleId('backup', 'cron(0 * * * ? *)')).not.toBe(fanOutScheduleId('retention', 'cron(0 * * * ? *)'));
    const tick = { workflow: 'backup' as const, schedule: 'cron(0 * * * ? *)', scheduledTime: '2026-11-25T05:00:00Z' };
    expect(tickExecutionName(tick)).toMatch(/^backup-[0-9a-f]{8}-20261125050000$/);
    expect(tickExecutionName({ ...tick, scheduledTime: '2026-11-25T06:00:00Z' })).not.toBe(tickExecutionName(tick));
  });
});
