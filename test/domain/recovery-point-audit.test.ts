import fc from 'fast-check';
import { auditRecoveryPoints, rpoShare, type AuditedTarget, type RecoveryPointRecord } from '../../lambdas/domain/recovery-point-audit';
import { recoveryPointEvents, recoveryPointMetrics } from '../../lambdas/domain/recovery-point-events';

const target = (name: string, rpoMinutes = 90): AuditedTarget => ({
  name,
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: name,
  rpoMinutes,
});
const now = new Date('2026-11-30T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
const completed = (name: string, minutes: number): RecoveryPointRecord => ({
  target: name,
  newestBackup: { name: `${name}-backup`, completedAt: minutesAgo(minutes) },
});

describe('recovery point audit', () => {
  test('a target whose newest backup is older than its RPO breaches, one within it does not', () => {
    const audit = auditRecoveryPoints([target('hendrix'), target('jimi')], [completed('hendrix', 91), completed('jimi', 89)], now);
    expect(audit.statuses.map((s) => [s.target.name, s.ageSeconds, s.breached])).toEqual([
      ['hendrix', 91 * 60, true],
      ['jimi', 89 * 60, false],
    ]);
    expect(audit.breaches.map((s) => s.target.name)).toEqual(['hendrix']);
    expect(audit.updates).toEqual([{ target: 'hendrix', breachedSince: now.toISOString() }]);
  });

  test('exactly the RPO is still within it', () => {
    expect(auditRecoveryPoints([target('hendrix')], [completed('hendrix', 90)], now).breaches).toEqual([]);
  });

  test('a breach is reported once, when it begins', () => {
    const record = { ...completed('hendrix', 200), breachedSince: minutesAgo(100) };
    const audit = auditRecoveryPoints([target('hendrix')], [record], now);
    expect(audit.statuses[0]!.breached).toBe(true);
    expect(audit.breaches).toEqual([]);
    expect(audit.updates).toEqual([]);
  });

  test('a breached target that completes a backup recovers, and says so once', () => {
    const record = { ...completed('hendrix', 3), breachedSince: minutesAgo(100) };
    const audit = auditRecoveryPoints([target('hendrix')], [record], now);
    expect(audit.recoveries.map((s) => s.target.name)).toEqual(['hendrix']);
    expect(audit.updates).toEqual([{ target: 'hendrix', breachedSince: null }]);
  });

  test('a target never backed up is counted from the first audit that saw it', () => {
    const first = auditRecoveryPoints([target('new')], [], now);
    expect(first.statuses[0]).toMatchObject({ ageSeconds: 0, breached: false });
    expect(first.updates).toEqual([{ target: 'new', firstAuditedAt: now.toISOString() }]);
    const later = auditRecoveryPoints([target('new')], [{ target: 'new', firstAuditedAt: minutesAgo(95) }], now);
    expect(later.breaches.map((s) => [s.target.name, s.ageSeconds])).toEqual([['new', 95 * 60]]);
    expect(later.updates).toEqual([{ target: 'new', breachedSince: now.toISOString() }]);
  });

  test('records of targets no longer configured are ignored', () => {
    expect(auditRecoveryPoints([], [completed('gone', 5000)], now)).toEqual({ statuses: [], breaches: [], recoveries: [], updates: [] });
  });

  test('the worst offender comes first: the largest share of its own RPO', () => {
    const audit = auditRecoveryPoints(
      [target('hourly', 90), target('daily', 1500), target('fresh', 90)],
      [completed('hourly', 60), completed('daily', 1400), completed('fresh', 1)],
      now,
    );
    expect(audit.statuses.map((s) => s.target.name)).toEqual(['daily', 'hourly', 'fresh']);
  });

  test('events name the target and say how old its recovery point is; metrics count targets and breaches', () => {
    const audit = auditRecoveryPoints([target('hendrix'), target('jimi')], [completed('hendrix', 125), completed('jimi', 2)], now);
    expect(recoveryPointEvents(audit)).toEqual([
      {
        detailType: 'RPO Breached',
        detail: {
          target: 'hendrix',
          eksCluster: 'prod-eks',
          namespace: 'demo',
          cluster: 'hendrix',
          rpoMinutes: 90,
          recoveryPointAgeMinutes: 125,
          newestBackup: 'hendrix-backup',
          newestBackupCompletedAt: minutesAgo(125),
        },
      },
    ]);
    expect(recoveryPointMetrics(audit)).toEqual([
      { name: 'TargetsAudited', value: 2, unit: 'Count' },
      { name: 'TargetsBreachingRpo', value: 1, unit: 'Count' },
    ]);
  });

  test('property: every breach is notified exactly once and every recovery once, whatever the audit times', () => {
    // One target, a history of completions, audits at random times applying their own updates: the notifications
    // alternate breach, recovery, breach..., and a breach is notified at the first audit that sees it.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 48 * 60 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 48 * 60 }), { minLength: 1, maxLength: 60 }),
        (completionMinutes, auditMinutes) => {
          const start = Date.parse('2026-11-01T00:00:00Z');
          const completions = [...completionMinutes].sort((a, b) => a - b);
          let record: RecoveryPointRecord = { target: 'hendrix' };
          const notified: string[] = [];
          for (const minute of [...new Set(auditMinutes)].sort((a, b) => a - b)) {
            const newest = completions.filter((c) => c <= minute).at(-1);
            if (newest !== undefined)
              record = { ...record, newestBackup: { name: `b${newest}`, completedAt: new Date(start + newest * 60_000).toISOString() } };
            const audit = auditRecoveryPoints([target('hendrix')], [record], new Date(start + minute * 60_000));
            const status = audit.statuses[0]!;
            expect(status.breached).toBe(rpoShare(status) > 1);
            notified.push(...audit.breaches.map(() => 'breach'), ...audit.recoveries.map(() => 'recovery'));
            for (const update of audit.updates) {
              if (update.firstAuditedAt) record = { ...record, firstAuditedAt: update.firstAuditedAt };
              if (update.breachedSince === null) {
                record = { ...record };
                delete record.breachedSince;
              } else if (update.breachedSince) record = { ...record, breachedSince: update.breachedSince };
            }
            expect(Boolean(record.breachedSince)).toBe(status.breached);
          }
          notified.forEach((kind, i) => expect(kind).toBe(i % 2 === 0 ? 'breach' : 'recovery'));
        },
      ),
    );
  });
});
