/** The calendar periods of the retention tiers, all in UTC. */

export type TierPeriod = 'daily' | 'weekly' | 'monthly';

/** `2026-11-25` */
function day(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** ISO 8601 week, e.g. `2026-W48`: weeks start on Monday and belong to the year of their Thursday. */
function isoWeek(time: Date): string {
  const date = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** `2026-11` */
function month(time: Date): string {
  return time.toISOString().slice(0, 7);
}

export function periodOf(tier: TierPeriod, time: Date): string {
  switch (tier) {
    case 'daily':
      return day(time);
    case 'weekly':
      return isoWeek(time);
    case 'monthly':
      return month(time);
  }
}
