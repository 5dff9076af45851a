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
function newestOfRecentPeriods<T extends CompletedBackup>(newestFirst: readonly T[], period: TierPeriod, count: number): T[] {
  const seen = new Set<string>();
  const chosen: T[] = [];
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
 * in-scope completed backups, newest first; `windowStart` is `now - keepWithin`. Keyed by the backups themselves:
 * looking up one that is not kept hashes nothing (a large history holds a hundred thousand names).
 */
export function keptCompletedBackups<T extends CompletedBackup>(
  newestFirst: readonly T[],
  policy: Pick<RetentionPolicy, 'minKeep' | 'daily' | 'weekly' | 'monthly'>,
  windowStart: number,
): Map<T, CompletedKeepRule> {
  const kept = new Map<T, CompletedKeepRule>();
  // Newest first, the backups completed inside the window come before all others.
  let windowEnd = 0;
  while (windowEnd < newestFirst.length && newestFirst[windowEnd]!.completedAt > windowStart) windowEnd += 1;
  for (let index = 0; index < Math.max(1, policy.minKeep, windowEnd) && index < newestFirst.length; index += 1)
    kept.set(newestFirst[index]!, index === 0 ? 'newest-completed' : index < policy.minKeep ? 'min-keep' : 'within-keep-window');
  const beyondWindow = newestFirst.slice(windowEnd);
  for (const { period, rule } of TIERS)
    for (const backup of newestOfRecentPeriods(beyondWindow, period, policy[period])) if (!kept.has(backup)) kept.set(backup, rule);
  return kept;
}
