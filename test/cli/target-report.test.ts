import { TargetSpecSchema } from '../../lambdas/domain/target-spec';
import type { RetentionPlan } from '../../lambdas/domain/retention-plan';
import { formatLastDrill, targetStatus } from '../../cli/target-report';

const NOW = new Date('2026-11-30T12:00:00Z');
const HENDRIX = TargetSpecSchema.parse({
  name: 'hendrix',
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  drill: { maxAgeDays: 8 },
});
const NO_BACKUPS: RetentionPlan = { backups: [], snapshots: [], kept: 0, deleted: 0 };

const status = (ledger: Parameters<typeof targetStatus>[3], target = HENDRIX) => targetStatus(target, NO_BACKUPS, NOW, ledger);

describe("status's last drill, from the recovery point ledger", () => {
  test('a drill within drill.maxAgeDays shows its age; older than that, the age and overdue, as the drill age audit judges', () => {
    const recent = status([{ target: 'hendrix', lastDrill: { execution: 'drill-1', completedAt: '2026-11-27T08:00:00Z' } }]);
    expect(recent).toMatchObject({
      drills: 'on',
      lastDrill: { execution: 'drill-1' },
      lastDrillAgeMinutes: (3 * 24 + 4) * 60,
      drillOverdue: false,
    });
    expect(formatLastDrill(recent)).toBe('3d4h');
    const old = status([{ target: 'hendrix', lastDrill: { execution: 'drill-0', completedAt: '2026-11-21T12:00:00Z' } }]);
    expect(old).toMatchObject({ lastDrillAgeMinutes: 9 * 24 * 60, drillOverdue: true });
    expect(formatLastDrill(old)).toBe('9d (overdue)');
  });

  test('exactly drill.maxAgeDays old is not yet overdue (the audit alarms past it)', () => {
    const edge = status([{ target: 'hendrix', lastDrill: { execution: 'drill-0', completedAt: '2026-11-22T12:00:00Z' } }]);
    expect(formatLastDrill(edge)).toBe('8d');
  });

  test('never drilled: never, and overdue once the audit has seen it undrilled for drill.maxAgeDays', () => {
    expect(formatLastDrill(status([]))).toBe('never');
    expect(formatLastDrill(status([{ target: 'hendrix', firstAuditedAt: '2026-11-20T00:00:00Z' }]))).toBe('never (overdue)');
    expect(status([])).not.toHaveProperty('lastDrill');
  });

  test('drills off in the spec: off, whatever the ledger holds; no ledger (kubeconfig mode): -', () => {
    const off = TargetSpecSchema.parse({ ...HENDRIX, drill: { enabled: false } });
    expect(formatLastDrill(status([{ target: 'hendrix', lastDrill: { execution: 'd', completedAt: '2026-11-29T00:00:00Z' } }], off))).toBe(
      'off',
    );
    expect(status(undefined)).toEqual(expect.objectContaining({ drills: 'unknown' }));
    expect(formatLastDrill(status(undefined))).toBe('-');
  });
});
