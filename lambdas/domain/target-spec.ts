import * as z from './zod-mini';
import { CopyPolicySchema } from './copy-policy';
import { cronProblem } from './eventbridge-cron';
import { isDuration, type Duration } from './duration';
import { DNS_LABEL_RULE, isDnsLabel } from './kube-names';

/**
 * One backup target: a CNPG Cluster on an EKS cluster, with its schedule, backup options and retention.
 * The deployment config lists targets; the deployment ships them to its Lambdas (see target-catalog.ts), and every
 * workflow input names the target it works on.
 */

const dnsLabel = z.string().check(z.refine(isDnsLabel, { message: DNS_LABEL_RULE }));
// The refinement's type guard does not narrow in zod/mini: the pipe gives the checked text its type.
const duration = z.pipe(
  z.string().check(z.refine(isDuration, { message: 'must be a duration such as 90m, 36h, 7d or 2w' })),
  z.transform((text: string) => text as Duration),
);
const cron = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; example: cron(0 * * * ? *) for hourly` });
  }),
);

export const TARGET_NAME_MAX = 40;

/** An integer from `min` to `max`, with zod's own messages for either bound. */
const intIn = (min: number, max: number) => z.int().check(z.gte(min), z.lte(max));

export const KubeAuthSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('eks') }),
  z.strictObject({
    kind: z.literal('kubeconfig'),
    path: z.string().check(z.minLength(1)),
    context: z.optional(z.string().check(z.minLength(1))),
  }),
]);
export type KubeAuth = z.infer<typeof KubeAuthSchema>;

export const BackupOptionsSchema = z.strictObject({
  online: z.optional(z.boolean()),
  target: z.optional(z.enum(['primary', 'prefer-standby'])),
  immediateCheckpoint: z.optional(z.boolean()),
  snapshotDeadlineMinutes: z.optional(intIn(1, 1440)),
  /** A Backup CNPG has not started this long after its creation is timed out and removed from the cluster's queue. */
  notStartedTimeoutMinutes: z._default(intIn(1, 1440), 45),
  /** A started Backup not done this long after it started is timed out; a first full EBS snapshot can take hours. */
  runningTimeoutMinutes: z._default(intIn(5, 2880), 1440),
});
export type BackupOptions = z.infer<typeof BackupOptionsSchema>;

export const RetentionPolicySchema = z.strictObject({
  keepWithin: z._default(duration, '7d'),
  minKeep: z._default(intIn(1, 10_000), 3),
  daily: z._default(intIn(0, 3650), 0),
  weekly: z._default(intIn(0, 520), 0),
  monthly: z._default(intIn(0, 1200), 0),
  failedKeep: z._default(duration, '1d'),
  scope: z._default(z.enum(['managed', 'all']), 'managed'),
  schedule: z._default(cron, 'cron(30 3 * * ? *)'),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicySchema>;

/** A target's name: what workflow inputs carry, never the target's spec. */
export const TargetNameSchema = dnsLabel.check(
  z.refine((name) => name.length <= TARGET_NAME_MAX, {
    message: `must be at most ${TARGET_NAME_MAX} characters (it prefixes workflow execution names)`,
  }),
);

/** At most this many checks per drill: each runs in a container of the verification Job's one pod. */
export const DRILL_CHECKS_MAX = 8;
/** A check's name becomes its container's name, `check-<name>`: a DNS label of at most 63. */
const DRILL_CHECK_NAME_MAX = 50;
const drillSql = z.pipe(
  z.string().check(z.trim(), z.minLength(1), z.maxLength(2000)),
  z.transform((sql: string) => sql.replace(/;\s*$/, '')),
);

export const DrillCheckSchema = z.strictObject({
  name: dnsLabel.check(
    z.refine((name) => name.length <= DRILL_CHECK_NAME_MAX, {
      message: `must be at most ${DRILL_CHECK_NAME_MAX} characters (it names a container, check-<name>)`,
    }),
  ),
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
  enabled: z._default(z.boolean(), true),
  schedule: z._default(cron, 'cron(0 4 ? * SUN *)'),
  /** A drill whose recovery time (creation to ready) is longer than this is reported and alarmed on. */
  maxRtoMinutes: z._default(intIn(1, 1440), 60),
  /** No drill succeeded for this long: alarmed on (a drill that never runs does not look healthy). */
  maxAgeDays: z._default(intIn(1, 90), 8),
  /** How long the drill cluster may take to become ready before the drill fails as timed out. */
  timeoutMinutes: z._default(intIn(5, 1440), 120),
  checks: z._default(
    z.array(DrillCheckSchema).check(
      z.maxLength(DRILL_CHECKS_MAX),
      z.refine((checks) => new Set(checks.map((check) => check.name)).size === checks.length, { message: 'check names must be unique' }),
    ),
    [],
  ),
  /** A query returning the newest row's time: the drill reports the data's age at the backup (the achieved RPO). */
  freshnessQuery: z.optional(drillSql),
});
export type DrillPolicy = z.infer<typeof DrillPolicySchema>;

export const TargetSpecSchema = z.strictObject({
  name: TargetNameSchema,
  eksCluster: z
    .string()
    .check(z.regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name: letters, digits, "-" and "_", at most 100')),
  namespace: dnsLabel,
  cluster: dnsLabel,
  auth: z._default(KubeAuthSchema, { kind: 'eks' }),
  schedule: z._default(cron, 'cron(0 * * * ? *)'),
  // prefault: an omitted section is parsed as {}, which fills in its defaults, when a target is parsed rather than
  // when the module loads (every function bundle imports this module).
  backup: z.prefault(BackupOptionsSchema, {}),
  retention: z.prefault(RetentionPolicySchema, {}),
  rpoMinutes: z._default(intIn(5, 43_200), 90),
  drill: z.prefault(DrillPolicySchema, {}),
  /** Copies of the backups' storage snapshots in a disaster recovery Region; absent: none. */
  copies: z.optional(CopyPolicySchema),
});
/** A target as written in the config (defaults optional). */
export type TargetSpecInput = z.input<typeof TargetSpecSchema>;
/** A validated target with every default applied. */
export type TargetSpec = z.infer<typeof TargetSpecSchema>;
