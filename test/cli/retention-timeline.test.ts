import { BackupPhase } from '../../lambdas/domain/cnpg-api';
import { planRetention } from '../../lambdas/domain/retention-plan';
import { RetentionPolicySchema } from '../../lambdas/domain/target-spec';
import { CATEGORY_STYLE, retentionTimelineHtml, retentionTimelineSvg, timelineCategory } from '../../cli/retention-timeline';
import { BACKUP_DURATION, CLUSTER, DAY, TARGET, backupObject, snapshotsOfBackup } from '../domain/retention-arbitraries';

const NOW = new Date('2026-11-30T12:00:00Z');

/** Daily backups for five weeks, plus one failed backup: kept by the window, the weekly tier, or deleted. */
function fiveWeeksPlan() {
  const backups = Array.from({ length: 35 }, (_, day) =>
    backupObject({
      name: `b-day-${String(day).padStart(2, '0')}`,
      phase: BackupPhase.Completed,
      createdAt: NOW.getTime() - (day + 1) * DAY - BACKUP_DURATION,
    }),
  );
  backups.push(backupObject({ name: 'b-failed', phase: BackupPhase.Failed, createdAt: NOW.getTime() - DAY / 2 }));
  return planRetention({
    target: TARGET,
    cluster: CLUSTER,
    backups,
    snapshots: backups.flatMap((b) => snapshotsOfBackup(b)),
    clusters: [],
    claims: [],
    policy: RetentionPolicySchema.parse({ keepWithin: '7d', minKeep: 3, weekly: 3 }),
    now: NOW,
  });
}

/** The mark drawn for one backup: its attributes as a map. */
function markOf(svg: string, backup: string): Record<string, string> {
  const element = new RegExp(`<(circle|g) [^>]*data-backup="${backup}"[^>]*>`).exec(svg)?.[0];
  if (!element) throw new Error(`no mark for ${backup}`);
  return Object.fromEntries([...element.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('the retention timeline picture', () => {
  const plan = fiveWeeksPlan();
  const svg = retentionTimelineSvg({ title: 'hendrix', plan, now: NOW, rpoMinutes: 90 });

  test('every backup of the plan is drawn once, with the rule the plan gave it', () => {
    for (const backup of plan.backups) expect(markOf(svg, backup.name)['data-rule']).toBe(backup.rule);
    expect(svg.match(/data-backup=/g)).toHaveLength(plan.backups.length);
  });

  test('a backup kept by the weekly tier is drawn in the weekly colour, one the plan deletes as a deletion', () => {
    const weekly = plan.backups.find((b) => b.rule === 'weekly-tier')!;
    expect(markOf(svg, weekly.name)).toMatchObject({ 'data-category': 'weekly', fill: CATEGORY_STYLE.weekly.colour });
    const doomed = plan.backups.find((b) => b.action === 'delete')!;
    expect(markOf(svg, doomed.name)).toMatchObject({ 'data-category': 'delete', stroke: CATEGORY_STYLE.delete.colour });
  });

  test('window and failed backups are told apart, and the RPO window is shaded', () => {
    const inWindow = plan.backups.find((b) => b.rule === 'within-keep-window')!;
    expect(markOf(svg, inWindow.name)['data-category']).toBe('window');
    expect(markOf(svg, 'b-failed')).toMatchObject({ 'data-category': 'failed-kept', cy: '70' });
    expect(svg).toContain('data-rpo-window="90"');
  });

  test('each decision maps to exactly one category', () => {
    expect(timelineCategory({ action: 'delete', rule: 'expired' })).toBe('delete');
    expect(timelineCategory({ action: 'keep', rule: 'monthly-tier' })).toBe('monthly');
    expect(timelineCategory({ action: 'keep', rule: 'referenced-by-restore' })).toBe('protected');
  });

  test('the html page carries the picture and a row per backup', () => {
    const html = retentionTimelineHtml({ title: 'hendrix', plan, now: NOW, rpoMinutes: 90 });
    expect(html).toContain('<svg');
    expect(html.match(/<tr><td>/g)).toHaveLength(plan.backups.length);
  });
});
