import * as z from 'zod';
import { CopyPolicySchema } from './copy-policy';
import { cronProblem } from './eventbridge-cron';
import { isDuration } from './duration';
import { DNS_LABEL_RULE, isDnsLabel } from './kube-names';

/**
 * One backup target: a CNPG Cluster on an EKS cluster, with its schedule, backup options and retention.
 * The deployment config lists targets; the deployment ships them to its Lambdas (see target-catalog.ts), and every
 * workflow input names the target it works on.
 */

const dnsLabel = z.string().refine(isDnsLabel, { message: DNS_LABEL_RULE });
const duration = z.string().refine(isDuration, { message: 'must be a duration such as 90m, 36h, 7d or 2w' });
const cron = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; example: cron(0 * * * ? *) for hourly` });
});

export const TARGET_NAME_MAX = 40;

export const KubeAuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('eks') }),
  z.strictObject({
    kind: z.literal('kubeconfig'),
    path: z.string().min(1),
    context: z.string().min(1).optional(),
  }),
]);
export type KubeAuth = z.infer<typeof KubeAuthSchema>;

export const BackupOptionsSchema = z.strictObject({
  online: z.boolean().optional(),
  target: z.enum(['primary', 'prefer-standby']).optional(),
  immediateCheckpoint: z.boolean().optional(),
  snapshotDeadlineMinutes: z.int().min(1).max(1440).optional(),
  /** A Backup CNPG has not started this long after its creation is timed out and removed from the cluster's queue. */
  notStartedTimeoutMinutes: z.int().min(1).max(1440).default(45),
  /** A started Backup not done this long after it started is timed out; a first full EBS snapshot can take hours. */
  runningTimeoutMinutes: z.int().min(5).max(2880).default(1440),
});
export type BackupOptions = z.infer<typeof BackupOptionsSchema>;

export const RetentionPolicySchema = z.strictObject({
  keepWithin: duration.default('7d'),
  minKeep: z.int().min(1).max(10_000).default(3),
  daily: z.int().min(0).max(3650).default(0),
  weekly: z.int().min(0).max(520).default(0),
  monthly: z.int().min(0).max(1200).default(0),
  failedKeep: duration.default('1d'),
  scope: z.enum(['managed', 'all']).default('managed'),
  schedule: cron.default('cron(30 3 * * ? *)'),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;

/** A target's name: what workflow inputs carry, never the target's spec. */
export const TargetNameSchema = dnsLabel.refine((name) => name.length <= TARGET_NAME_MAX, {
  message: `must be at most ${TARGET_NAME_MAX} characters (it prefixes workflow execution names)`,
});

/** At most this many checks per drill: each runs in a container of the verification Job's one pod. */
export const DRILL_CHECKS_MAX = 8;
/** A check's name becomes its container's name, `check-<name>`: a DNS label of at most 63. */
const DRILL_CHECK_NAME_MAX = 50;
const drillSql = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .transform((sql) => sql.replace(/;\s*$/, ''));

export const DrillCheckSchema = z.strictObject({
  name: dnsLabel.refine((name) => name.length <= DRILL_CHECK_NAME_MAX, {
    message: `must be at most ${DRILL_CHECK_NAME_MAX} characters (it names a container, check-<name>)`,
  }),
  /** One statement, run with psql in the restored cluster's application database. */
  sql: drillSql,
  /** What psql prints for it (unaligned, tuples only: `t` for true, fields joined by `|`, one row per line), trimmed. */
  expected: z.string(),
});
export type DrillCheck = z.infer<typeof DrillCheckSchema>;

/**
 * The target's restore drill: on `schedule`, its latest completed backup is restored into a throwaway one-instance
 * Cluster, verified on its data, reported and torn down. Sunday 04:00 UTC by default, weekly, at a quiet hour.
 */
export const DrillPolicySchema = z.strictObject({
  enabled: z.boolean().default(true),
  schedule: cron.default('cron(0 4 ? * SUN *)'),
  /** A drill whose recovery time (creation to ready) is longer than this is reported and alarmed on. */
  maxRtoMinutes: z.int().min(1).max(1440).default(60),
  /** No drill succeeded for this long: alarmed on (a drill that never runs does not look healthy). */
  maxAgeDays: z.int().min(1).max(90).default(8),
  /** How long the drill cluster may take to become ready before the drill fails as timed out. */
  timeoutMinutes: z.int().min(5).max(1440).default(120),
  checks: z
    .array(DrillCheckSchema)
    .max(DRILL_CHECKS_MAX)
    .refine((checks) => new Set(checks.map((check) => check.name)).size === checks.length, { message: 'check names must be unique' })
    .default([]),
  /** A query returning the newest row's time: the drill reports the data's age at the backup (the achieved RPO). */
  freshnessQuery: drillSql.optional(),
});
export type DrillPolicy = z.infer<typeof DrillPolicySchema>;

export const TargetSpecSchema = z.strictObject({
  name: TargetNameSchema,
  eksCluster: z
    .string()
    .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name: letters, digits, "-" and "_", at most 100'),
  namespace: dnsLabel,
  cluster: dnsLabel,
  auth: KubeAuthSchema.default({ kind: 'eks' }),
  schedule: cron.default('cron(0 * * * ? *)'),
  // prefault: an omitted section is parsed as {}, which fills in its defaults, when a target is parsed rather than
  // when the module loads (every function bundle imports this module).
  backup: BackupOptionsSchema.prefault({}),
  retention: RetentionPolicySchema.prefault({}),
  rpoMinutes: z.int().min(5).max(43_200).default(90),
  drill: DrillPolicySchema.prefault({}),
  /** Copies of the backups' storage snapshots in a disaster recovery Region; absent: none. */
  copies: CopyPolicySchema.optional(),
});
/** A target as written in the config (defaults optional). */
export type TargetSpecInput = z.input<typeof TargetSpecSchema>;
/** A validated target with every default applied. */
export type TargetSpec = z.infer<typeof TargetSpecSchema>;
