import { CnpgLabel } from '../lambdas/domain/cnpg-api';
import { nextCronSlot } from '../lambdas/domain/cron-slots';
import { auditDrillAges } from '../lambdas/domain/drill-age-audit';
import { quantityBytes } from '../lambdas/domain/kube-quantity';
import type { VolumeSnapshot } from '../lambdas/domain/kube-objects';
import type { RecoveryPointRecord } from '../lambdas/domain/recovery-point-audit';
import type { RetentionPlan, RetentionRule } from '../lambdas/domain/retention-plan';
import type { TargetSpec } from '../lambdas/domain/target-spec';

/**
 * What `status` and `backups` show of one target, computed from its retention plan, its snapshots and its record in
 * the recovery point ledger. Pure.
 */

export type TargetState = 'ok' | 'late' | 'failing' | 'no backup';

export interface TargetStatus {
  target: string;
  location: string;
  lastBackup?: string;
  lastCompletedAt?: string;
  ageMinutes?: number;
  rpoMinutes: number;
  nextSlot?: string;
  backupsKept: number;
  state: TargetState;
  /** The target's restore drills: off in its spec, unknown where the mode has no recovery point ledger, else on. */
  drills: 'on' | 'off' | 'unknown';
  /** The newest successful drill, as the recovery point ledger keeps it. */
  lastDrill?: { execution: string; completedAt: string };
  lastDrillAgeMinutes?: number;
  /** Drills on and none succeeded within drill.maxAgeDays: the drill age audit's verdict (it alarms on it). */
  drillOverdue?: boolean;
}

export interface BackupRow {
  name: string;
  phase: string;
  completedAt?: string;
  /** Sum of the snapshots' status.restoreSize, in bytes. */
  sizeBytes?: number;
  retention: 'keep' | 'delete';
  rule: RetentionRule;
}

/** `ledger`: every record of the recovery point ledger, or undefined where the mode has none (no drills known). */
export function targetStatus(
  target: TargetSpec,
  plan: RetentionPlan,
  now: Date,
  ledger: readonly RecoveryPointRecord[] | undefined,
): TargetStatus {
  const completed = plan.backups.filter((b) => b.phase === 'completed' && b.completedAt !== undefined);
  const latest = completed.reduce<(typeof completed)[number] | undefined>(
    (best, b) => (best === undefined || Date.parse(b.completedAt!) > Date.parse(best.completedAt!) ? b : best),
    undefined,
  );
  const ageMinutes = latest && Math.max(0, Math.floor((now.getTime() - Date.parse(latest.completedAt!)) / 60_000));
  const finished = plan.backups.filter((b) => b.phase === 'completed' || b.phase === 'failed');
  const newestFinished = finished.reduce<(typeof finished)[number] | undefined>(
    (best, b) => (best === undefined || Date.parse(b.completedAt ?? '') > Date.parse(best.completedAt ?? '') ? b : best),
    undefined,
  );
  const state: TargetState =
    newestFinished?.phase === 'failed'
      ? 'failing'
      : ageMinutes === undefined
        ? 'no backup'
        : ageMinutes > target.rpoMinutes
          ? 'late'
          : 'ok';
  const next = nextCronSlot(target.schedule, now);
  return {
    target: target.name,
    location: `${target.eksCluster}/${target.namespace}/${target.cluster}`,
    ...(latest && { lastBackup: latest.name, lastCompletedAt: latest.completedAt }),
    ...(ageMinutes !== undefined && { ageMinutes }),
    rpoMinutes: target.rpoMinutes,
    ...(next && { nextSlot: next.toISOString() }),
    backupsKept: completed.filter((b) => b.action === 'keep').length,
    state,
    ...drillStatus(target, ledger, now),
  };
}

/** The last drill of a target, aged and judged overdue by the drill age audit itself (one rule for both). */
function drillStatus(
  target: TargetSpec,
  ledger: readonly RecoveryPointRecord[] | undefined,
  now: Date,
): Pick<TargetStatus, 'drills' | 'lastDrill' | 'lastDrillAgeMinutes' | 'drillOverdue'> {
  if (!target.drill.enabled) return { drills: 'off' };
  if (!ledger) return { drills: 'unknown' };
  const [audited] = auditDrillAges([target], ledger, now).statuses;
  if (!audited) throw new Error(`the drill age audit left out target ${target.name}, whose drills are on`);
  return {
    drills: 'on',
    ...(audited.lastDrill && { lastDrill: audited.lastDrill, lastDrillAgeMinutes: Math.floor(audited.ageSeconds / 60) }),
    drillOverdue: audited.overdue,
  };
}

/** The last-drill column: the age of the newest successful drill, `never`, `off`, or `-` where the mode cannot know. */
export function formatLastDrill(status: TargetStatus): string {
  if (status.drills === 'off') return 'off';
  if (status.drills === 'unknown') return '-';
  const age = status.lastDrillAgeMinutes === undefined ? 'never' : formatMinutes(status.lastDrillAgeMinutes);
  return status.drillOverdue ? `${age} (overdue)` : age;
}

export function backupRows(plan: RetentionPlan, snapshots: readonly VolumeSnapshot[]): BackupRow[] {
  const sizes = new Map<string, number>();
  for (const snapshot of snapshots) {
    const backup = snapshot.metadata.labels?.[CnpgLabel.BackupName];
    const size = snapshot.status?.restoreSize;
    if (backup && size) sizes.set(backup, (sizes.get(backup) ?? 0) + quantityBytes(size));
  }
  return plan.backups.map((b) => ({
    name: b.name,
    phase: b.phase || '-',
    ...(b.completedAt !== undefined && { completedAt: b.completedAt }),
    ...(sizes.has(b.name) && { sizeBytes: sizes.get(b.name) }),
    retention: b.action,
    rule: b.rule,
  }));
}

/** 1.5Gi-style sizes, as kubectl prints quantities. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)}${units[unit]}`;
}

/** 45m, 3h10m, 2d4h: the age column of kubectl. */
export function formatMinutes(minutes: number | undefined): string {
  if (minutes === undefined) return '-';
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  const hours = Math.floor(minutes / 60);
  return `${Math.floor(hours / 24)}d${hours % 24 ? `${hours % 24}h` : ''}`;
}
