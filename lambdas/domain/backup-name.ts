import { createHash } from 'node:crypto';
import { DNS_LABEL_MAX } from './kube-names';

/** `YYYYMMDDHHMMSS` in UTC, the compact ISO 8601 form CNPG and `kubectl cnpg backup` put in Backup names. */
export function formatCompactUtc(time: Date): string {
  return time.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const HASH_LENGTH = 6;

/**
 * The Backup name of one scheduled slot: `<cluster>-<YYYYMMDDHHMMSS>` (UTC), as `kubectl cnpg backup` names them.
 * The name is also the `cnpg.io/backupName` label value, so it never exceeds 63 characters: a cluster name too long
 * for that is cut and followed by a hash of the whole name, so long names sharing a prefix do not collide.
 * `cluster` is a DNS label (as TargetSpec guarantees), so the result is one too.
 */
export function backupNameFor(cluster: string, scheduledTime: Date): string {
  const stamp = formatCompactUtc(scheduledTime);
  const plain = `${cluster}-${stamp}`;
  if (plain.length <= DNS_LABEL_MAX) return plain;
  const hash = createHash('sha256').update(cluster).digest('hex').slice(0, HASH_LENGTH);
  const room = DNS_LABEL_MAX - stamp.length - HASH_LENGTH - '--'.length;
  const prefix = cluster.slice(0, room).replace(/-+$/, '');
  return `${prefix}-${hash}-${stamp}`;
}
