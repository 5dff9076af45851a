import { periodOf, type TierPeriod } from './retention-periods';
import type { RetentionPolicy } from './target-spec';

/**
 * Which completed backups the policy keeps. The newest always; the newest `minKeep`; every one completed inside
 * `keepWithin`; and beyond that window, the newest of each of the most recent `daily` UTC days, `weekly` ISO weeks
 * and `monthly` calendar months that hold a completed backup. Periods are counted among periods that have a backup
 * beyond the window (as Kasten and AWS Backup do), not back from now: a gap in the history (backups paused, a
 * cluster stopped) never shortens how far back the tiers reach.
 */

export type CompletedKeepRule = 'newest-completed' | 'min-keep' | 'within-keep-window' | 'daily-tier' | 'weekly-tier' | 'monthly-tier';

export interface CompletedBackup {
  name: string;
  /** Milliseconds since the epoch. */
  completedAt: number;
}

const TIERS: ReadonlyArray<{ period: TierPeriod; rule: CompletedKeepRule }> = [
  { period: 'daily', rule: 'daily-tier' },
  { period: 'weekly', rule: 'weekly-tier' },
  { period: 'monthly', rule: 'monthly-tier' },
];

const DAY_MS = 86_400_000;

/**
 * The newest backup of each of the `count` most recent periods that hold one; `newestFirst` must be sorted so.
 * Every period is made of whole UTC days, so a backup of the same day as the one before it is of a period already
 * seen: its period is not worked out again (hourly backups would otherwise format a date each).
 */
function newestOfRecentPeriods(newestFirst: readonly CompletedBackup[], period: TierPeriod, count: number): CompletedBackup[] {
  const seen = new Set<string>();
  const chosen: CompletedBackup[] = [];
  let previousDay: number | undefined;
  for (const backup of newestFirst) {
    if (seen.size >= count) break;
    const day = Math.floor(backup.completedAt / DAY_MS);
    if (day === previousDay) continue;
    previousDay = day;
    const key = periodOf(period, new Date(backup.completedAt));
    if (seen.has(key)) continue;
    seen.add(key);
    chosen.push(backup);
  }
  return chosen;
}

/**
 * The completed backups to keep and the first rule (in the order above) that keeps each. `newestFirst` holds the
 * in-scope completed backups, newest first; `windowStart` is `now - keepWithin`.
 */
export function keptCompletedBackups(
  newestFirst: readonly CompletedBackup[],
  policy: Pick<RetentionPolicy, 'minKeep' | 'daily' | 'weekly' | 'monthly'>,
  windowStart: number,
): Map<string, CompletedKeepRule> {
  const kept = new Map<string, CompletedKeepRule>();
  newestFirst.forEach((backup, index) => {
    if (index === 0) kept.set(backup.name, 'newest-completed');
    else if (index < policy.minKeep) kept.set(backup.name, 'min-keep');
    else if (backup.completedAt > windowStart) kept.set(backup.name, 'within-keep-window');
  });
  const beyondWindow = newestFirst.filter((backup) => backup.completedAt <= windowStart);
  for (const { period, rule } of TIERS)
    for (const backup of newestOfRecentPeriods(beyondWindow, period, policy[period]))
      if (!kept.has(backup.name)) kept.set(backup.name, rule);
  return kept;
}
