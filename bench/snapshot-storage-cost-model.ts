/**
 * What the backups themselves cost to keep: EBS snapshot storage (GB-month) of what the retention policy keeps in the
 * cluster's Region, and of the copies kept in a disaster recovery Region with the data transfer that makes them,
 * printed by `npm run bench`. The kept snapshots are the ones the product's retention tiers choose over a year of
 * hourly backups (lambdas/domain/retention-tiers.ts); what they occupy follows how EBS stores snapshots:
 * - Amazon EBS User Guide, "How Amazon EBS snapshots work": a volume's first snapshot holds every block written, each
 *   later one only the blocks changed since the snapshot before it; deleting a snapshot keeps the blocks a later one
 *   still needs. So the kept snapshots of a volume occupy its written size once, plus the blocks changed between each
 *   kept snapshot and the next older kept one.
 * - Amazon EBS User Guide, "Copy an Amazon EBS snapshot": the first copy of a volume's snapshot into a Region is a
 *   full copy, later copies of the same volume's snapshots are incremental when the previous copy is there (and
 *   encrypted under the same KMS key, as the scheduler's copies of a target are).
 * The workload is an assumption, printed with the figures: a share `r` of the written blocks changes each day,
 * independently, so `1 - (1 - r)^d` of them differ after `d` days. Prices, us-east-1 list prices:
 * - Amazon EBS pricing (https://aws.amazon.com/ebs/pricing/): snapshots, Standard tier, $0.05 per GB-month.
 * - Amazon EC2 On-Demand pricing (https://aws.amazon.com/ec2/pricing/on-demand/), Data Transfer: data transferred
 *   out of us-east-1 to another AWS Region, $0.02 per GB.
 */
import { keptCompletedBackups } from '../lambdas/domain/retention-tiers';
import { RetentionPolicySchema } from '../lambdas/domain/target-spec';
import { durationSeconds } from '../lambdas/domain/duration';

const PRICE = { snapshotGbMonth: 0.05, interRegionTransferGb: 0.02 } as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DAYS_PER_MONTH = 30;

type Row = (label: string, value: string) => void;

/** One volume of the database and how much of it changes. */
interface VolumeWorkload {
  role: string;
  writtenGb: number;
  /** The share of its written blocks that change in a day. */
  dailyChange: number;
}

/** The database the figures are for: what a modest production cluster writes. */
const WORKLOAD: VolumeWorkload[] = [
  { role: 'PG_DATA', writtenGb: 100, dailyChange: 0.03 },
  // WAL segments are recycled: most of the WAL volume's written blocks are rewritten within a day.
  { role: 'PG_WAL', writtenGb: 10, dailyChange: 0.8 },
];

/** The retention policy the figures are for: a week of hourly backups, then 30 daily, 12 weekly, 12 monthly. */
const POLICY = RetentionPolicySchema.parse({ keepWithin: '7d', daily: 30, weekly: 12, monthly: 12 });

/** The copies the figures are for: the first backup of each day copied to the DR Region, each kept 30 days. */
const COPIES = { everyDays: 1, keepDays: 30 } as const;

/** The share of a volume's written blocks that differ between two snapshots `days` apart. */
const changedShare = (dailyChange: number, days: number) => 1 - (1 - dailyChange) ** days;

/** GB the kept snapshots of one volume occupy, given when each was taken (ms since the epoch). */
function keptGb(volume: VolumeWorkload, takenAt: readonly number[]): number {
  const oldestFirst = [...takenAt].sort((a, b) => a - b);
  let gb = oldestFirst.length > 0 ? volume.writtenGb : 0;
  for (let i = 1; i < oldestFirst.length; i += 1)
    gb += volume.writtenGb * changedShare(volume.dailyChange, (oldestFirst[i]! - oldestFirst[i - 1]!) / DAY_MS);
  return gb;
}

/** When the backups that retention keeps at the end of a year of hourly backups were taken. */
function keptBackupTimes(): number[] {
  const now = Date.parse('2026-12-01T00:00:00Z');
  const hours = 366 * 24;
  const newestFirst = Array.from({ length: hours }, (_, i) => now - i * HOUR_MS);
  const windowStart = now - durationSeconds(POLICY.keepWithin) * 1000;
  const kept = keptCompletedBackups(newestFirst, POLICY, windowStart);
  return newestFirst.filter((_, at) => kept.has(at));
}

export function printSnapshotStorageCostModel(row: Row): void {
  const kept = keptBackupTimes();
  const copyTimes = Array.from({ length: COPIES.keepDays / COPIES.everyDays }, (_, i) => i * COPIES.everyDays * DAY_MS);
  const sourceGb = WORKLOAD.reduce((sum, volume) => sum + keptGb(volume, kept), 0);
  const copyGb = WORKLOAD.reduce((sum, volume) => sum + keptGb(volume, copyTimes), 0);
  // In steady state each new copy sends the blocks changed since the previous copy of the volume.
  const transferGbPerMonth = WORKLOAD.reduce(
    (sum, volume) => sum + (DAYS_PER_MONTH / COPIES.everyDays) * volume.writtenGb * changedShare(volume.dailyChange, COPIES.everyDays),
    0,
  );
  const writtenGb = WORKLOAD.reduce((sum, volume) => sum + volume.writtenGb, 0);
  console.log(`\nSnapshot storage of one target, steady state after a year of hourly backups (us-east-1 list prices, per month)`);
  row(
    'workload (assumed)',
    WORKLOAD.map((v) => `${v.role} ${v.writtenGb} GB written, ${(v.dailyChange * 100).toFixed(0)}% changed a day`).join('; '),
  );
  row('policy', `keepWithin ${POLICY.keepWithin}, daily ${POLICY.daily}, weekly ${POLICY.weekly}, monthly ${POLICY.monthly}`);
  row('backups kept (hourly backups, a year of history)', `${kept.length}`);
  row(
    'source Region: snapshot storage',
    `${sourceGb.toFixed(0)} GB, ${(sourceGb / writtenGb).toFixed(2)}x the data, $${(sourceGb * PRICE.snapshotGbMonth).toFixed(2)}`,
  );
  row(
    `DR Region: copies (one a day, kept ${COPIES.keepDays} days)`,
    `${copyGb.toFixed(0)} GB, $${(copyGb * PRICE.snapshotGbMonth).toFixed(2)}`,
  );
  row('DR Region: copy transfer', `${transferGbPerMonth.toFixed(0)} GB, $${(transferGbPerMonth * PRICE.interRegionTransferGb).toFixed(2)}`);
  const total = sourceGb * PRICE.snapshotGbMonth + copyGb * PRICE.snapshotGbMonth + transferGbPerMonth * PRICE.interRegionTransferGb;
  row('total', `$${total.toFixed(2)}`);
}
