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

const TIERS: ReadonlyArray<{ period: TierPeriod; rule: CompletedKeepRule }> = [
  { period: 'daily', rule: 'daily-tier' },
  { period: 'weekly', rule: 'weekly-tier' },
  { period: 'monthly', rule: 'monthly-tier' },
];

const DAY_MS = 86_400_000;

/**
 * The places in `newestFirst` (completion times, newest first), from `from` on, of the newest backup of each of the
 * `count` most recent periods that hold one there. Every period is made of whole UTC days, so a backup of the same day as the one before
 * it is of a period already seen: its period is not worked out again (hourly backups would otherwise format a date
 * each).
 */
function newestOfRecentPeriods(newestFirst: ArrayLike<number>, from: number, period: TierPeriod, count: number): number[] {
  const seen = new Set<string>();
  const chosen: number[] = [];
  let previousDay: number | undefined;
  for (let at = from; at < newestFirst.length && seen.size < count; at += 1) {
    const completedAt = newestFirst[at]!;
    const day = Math.floor(completedAt / DAY_MS);
    if (day === previousDay) continue;
    previousDay = day;
    const key = periodOf(period, new Date(completedAt));
    if (seen.has(key)) continue;
    seen.add(key);
    chosen.push(at);
  }
  return chosen;
}

/**
 * The completed backups to keep and the first rule (in the order above) that keeps each, by their place in
 * `newestFirst`: the completion times (ms since the epoch) of the in-scope completed backups, newest first.
 * `windowStart` is `now - keepWithin`. Times and places, not objects: a large history holds a hundred thousand
 * backups, and those not kept cost nothing here but a read.
 */
export function keptCompletedBackups(
  newestFirst: ArrayLike<number>,
  policy: Pick<RetentionPolicy, 'minKeep' | 'daily' | 'weekly' | 'monthly'>,
  windowStart: number,
): Map<number, CompletedKeepRule> {
  const kept = new Map<number, CompletedKeepRule>();
  // Newest first, the backups completed inside the window come before all others.
  let windowEnd = 0;
  while (windowEnd < newestFirst.length && newestFirst[windowEnd]! > windowStart) windowEnd += 1;
  for (let at = 0; at < Math.max(1, policy.minKeep, windowEnd) && at < newestFirst.length; at += 1)
    kept.set(at, at === 0 ? 'newest-completed' : at < policy.minKeep ? 'min-keep' : 'within-keep-window');
  for (const { period, rule } of TIERS)
    for (const at of newestOfRecentPeriods(newestFirst, windowEnd, period, policy[period])) if (!kept.has(at)) kept.set(at, rule);
  return kept;
}
