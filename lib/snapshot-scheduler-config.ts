/**
 * The deployment config as a CDK user writes it in `new SnapshotScheduler(scope, id, { config })`, field by field
 * with its default: what an editor shows on hover. It is exactly the input type of DeploymentConfigSchema
 * (lib/deployment-config.ts checks that at compile time), so the schema stays the one definition of what is valid.
 * README, "Configuration reference", has the same table.
 */

/** The whole deployment: account-wide settings, the targets by name, and the policies and discovery that add more. */
export interface SnapshotSchedulerConfig {
  /**
   * The EventBridge bus that receives the scheduler's events (Backup Completed, RPO Breached, ...).
   * @default 'default'
   */
  eventBusName?: string;
  /**
   * Where alarms go, besides the alarm topic the scheduler creates.
   * @default {} (no subscription)
   */
  notifications?: NotificationsConfig;
  /**
   * Puts the Kubernetes-facing Lambdas in the EKS cluster's VPC, for a private API endpoint.
   * @default none: the Lambdas run outside any VPC
   */
  network?: NetworkConfig;
  /**
   * Retention of every log group, in days.
   * @default 30
   */
  logRetentionDays?: 7 | 14 | 30 | 90 | 365;
  /**
   * How a schedule firing is dealt out to the due targets.
   * @default { concurrencyPerEksCluster: 5 }
   */
  fanOut?: FanOutConfig;
  /**
   * One entry per CNPG Cluster backed up by name; at least one target, or a `discovery` entry. Names are unique.
   * @default []
   */
  targets?: TargetConfig[];
  /**
   * By name: what a Cluster labelled `cnpg-snapshot-scheduler/policy=<name>` on an EKS cluster under `discovery` is
   * backed up with. A name is a lowercase RFC 1123 label; `retention.scope` must be `managed`.
   * @default {}
   */
  policies?: Record<string, PolicyConfig>;
  /**
   * The EKS clusters, each listed once, whose labelled Clusters in the given namespaces are targets. Needs a policy.
   * @default []
   */
  discovery?: DiscoveryConfig[];
  /**
   * Ships source maps and runs the Lambdas with `--enable-source-maps`: stack traces name lambdas/*.ts lines, paid for
   * at every cold start. Only from a checkout: the installed package's Lambdas are prebundled without source maps.
   * @default false
   */
  lambdaSourceMaps?: boolean;
  /**
   * Where the deployment comes back when its Region is lost: the recovery-point catalog becomes a DynamoDB global table
   * with a replica in `region`, and `cdk deploy --all` also deploys a standby stack there that restores from the
   * backups' copies in that Region, into the EKS clusters and namespaces listed here only.
   * @default none: no replica, no standby
   */
  disasterRecovery?: DisasterRecoveryConfig;
}

/** The disaster recovery Region and what the standby there may restore into. */
export interface DisasterRecoveryConfig {
  /** The AWS Region of the standby and of the catalog's replica; not the deployment's own. */
  region: string;
  /** The EKS clusters of that Region to restore into, each listed once, with the namespaces the standby writes in. */
  eksClusters: DisasterRecoveryEksClusterConfig[];
  /**
   * Puts the standby's Kubernetes-facing Lambdas in a VPC of that Region, for a private API endpoint.
   * @default none: the Lambdas run outside any VPC
   */
  network?: NetworkConfig;
}

export interface DisasterRecoveryEksClusterConfig {
  /** The EKS cluster's name. */
  name: string;
  /** The namespaces a restore may create its Cluster and snapshots in (unique DNS labels). */
  namespaces: string[];
}

export interface NotificationsConfig {
  /**
   * An e-mail address subscribed to the alarm topic.
   * @default none
   */
  email?: string;
  /**
   * An existing SNS topic (its ARN) that receives the alarms too.
   * @default none
   */
  snsTopicArn?: string;
}

export interface NetworkConfig {
  /** The VPC id, `vpc-0123456789abcdef0`. */
  vpcId: string;
  /** At least one subnet id, `subnet-...`, with a route to the EKS API, EventBridge and Step Functions. */
  subnetIds: string[];
  /** At least one security group id, `sg-...`, allowed into the cluster security group on TCP 443. */
  securityGroupIds: string[];
}

export interface FanOutConfig {
  /**
   * 1 to 40: lanes per EKS cluster in a tick, so at most this many targets' requests at once.
   * @default 5
   */
  concurrencyPerEksCluster?: number;
}

/** How a Lambda reaches a cluster's Kubernetes API. */
export type KubeAuthConfig =
  /** An IAM token for the EKS cluster, signed with the Lambda's role: the only kind a deployment accepts. */
  | { kind: 'eks' }
  /** A kubeconfig file, for local runs only (the CLI); the construct refuses it. */
  | { kind: 'kubeconfig'; path: string; context?: string };

/** A CNPG Cluster on an EKS cluster, with its schedule, backup options, retention, RPO and drill. */
export interface TargetConfig {
  /** The target's name: unique, lowercase RFC 1123, at most 40 characters. Workflow inputs name it. */
  name: string;
  /** The EKS cluster's name. */
  eksCluster: string;
  /** The namespace of the CNPG Cluster. */
  namespace: string;
  /** The name of the CNPG Cluster. */
  cluster: string;
  /**
   * How the Lambdas reach the cluster's API.
   * @default { kind: 'eks' }
   */
  auth?: KubeAuthConfig;
  /**
   * EventBridge cron expression (UTC) of the backups.
   * @default 'cron(0 * * * ? *)' (hourly)
   */
  schedule?: string;
  /**
   * How CNPG takes the backup, and how long the scheduler waits for it.
   * @default { notStartedTimeoutMinutes: 45, runningTimeoutMinutes: 1440 } and the Cluster's own settings
   */
  backup?: BackupConfig;
  /**
   * Which backups are kept, and when retention sweeps.
   * @default keep 7 days and at least 3 backups, failed ones 1 day, swept daily at 03:30 UTC
   */
  retention?: RetentionConfig;
  /**
   * 5 to 43,200: `RPO Breached` is notified when the newest completed backup is older than this many minutes.
   * @default 90
   */
  rpoMinutes?: number;
  /**
   * The target's restore drill.
   * @default weekly, Sunday 04:00 UTC, no checks
   */
  drill?: DrillConfig;
  /**
   * Copies of the backups' EBS snapshots in a disaster recovery Region, with their own KMS key and retention.
   * @default none: no copies
   */
  copies?: CopiesConfig;
}

/**
 * Disaster recovery copies: after a completed backup, each of its EBS snapshots is copied to `region`, encrypted
 * there under `kmsKeyArn`, and kept `keepDays` (the source's retention does not apply to the copies).
 */
export interface CopiesConfig {
  /** The Region the copies are made in (`us-west-2`): not the stack's own Region. */
  region: string;
  /** The copies' KMS key: a key ARN in `region` (not an alias), whose key policy lets the scheduler's role use it. */
  kmsKeyArn: string;
  /**
   * `day`: the first completed backup of each UTC day is copied; `backup`: every completed backup.
   * @default 'day'
   */
  every?: 'backup' | 'day';
  /**
   * 1 to 3650: a copy is deleted this many days after its backup completed (the newest completed copy of a target
   * is kept whatever its age).
   * @default 30
   */
  keepDays?: number;
  /**
   * Keep the copies in another AWS account (a vault account), so that they survive losing or a compromise of the
   * scheduler's own: each source snapshot is shared with that account, copied there through `roleArn`, and the share
   * removed once the copy completes. `kmsKeyArn` must then be a key of that account. See README, "Copies into
   * another account", for the role to create there and the source snapshots' KMS key.
   * @default none: the copies are kept in the scheduler's own account
   */
  account?: CopiesAccountConfig;
}

/** The other account the copies are kept in, and the role there the scheduler's functions assume. */
export interface CopiesAccountConfig {
  /** The account id: 12 digits. */
  id: string;
  /**
   * A role of that account (`arn:aws:iam::<id>:role/...`) whose trust policy lets the scheduler's copy functions
   * assume it, allowed to copy, describe and delete the copies there (README, "Copies into another account").
   */
  roleArn: string;
}

export interface BackupConfig {
  /**
   * Hot (`true`) or cold (`false`) backup.
   * @default the Cluster's setting
   */
  online?: boolean;
  /**
   * The instance the backup is taken from.
   * @default the Cluster's setting
   */
  target?: 'primary' | 'prefer-standby';
  /**
   * Immediate checkpoint for hot backups.
   * @default the Cluster's setting
   */
  immediateCheckpoint?: boolean;
  /**
   * 1 to 1440: `cnpg.io/volumeSnapshotDeadline`, how long CNPG retries snapshot errors, in minutes.
   * @default CNPG's 10
   */
  snapshotDeadlineMinutes?: number;
  /**
   * 1 to 1440: a Backup CNPG has not started this many minutes after its creation is reported timed out and
   * deleted, so it cannot hold CNPG's queue.
   * @default 45
   */
  notStartedTimeoutMinutes?: number;
  /**
   * 5 to 2880: a started Backup not completed this many minutes after its start is reported timed out (CNPG goes on
   * with it). Sized for a first full EBS snapshot, which can take hours.
   * @default 1440
   */
  runningTimeoutMinutes?: number;
}

/** Durations are a whole number and a unit: `90m`, `36h`, `7d`, `2w`. */
export interface RetentionConfig {
  /**
   * Every completed backup younger than this is kept.
   * @default '7d'
   */
  keepWithin?: string;
  /**
   * 1 to 10,000: the newest this many completed backups are kept whatever their age.
   * @default 3
   */
  minKeep?: number;
  /**
   * Beyond the window, the newest backup of this many UTC days is kept.
   * @default 0
   */
  daily?: number;
  /**
   * Beyond the window, the newest backup of this many ISO weeks is kept.
   * @default 0
   */
  weekly?: number;
  /**
   * Beyond the window, the newest backup of this many months is kept.
   * @default 0
   */
  monthly?: number;
  /**
   * Failed backups are kept this long for diagnosis, then deleted with their snapshots.
   * @default '1d'
   */
  failedKeep?: string;
  /**
   * `managed`: only the Backups this scheduler created; `all`: every volumeSnapshot Backup of the Cluster.
   * @default 'managed'
   */
  scope?: 'managed' | 'all';
  /**
   * EventBridge cron expression (UTC) of the retention sweep.
   * @default 'cron(30 3 * * ? *)' (daily at 03:30)
   */
  schedule?: string;
}

/**
 * The restore drill: on `schedule`, the latest completed backup is restored into a throwaway one-instance Cluster,
 * verified on its data, reported and torn down.
 */
export interface DrillConfig {
  /**
   * Scheduled drills; `false` takes the target off its drill schedule (a drill on demand still runs).
   * @default true
   */
  enabled?: boolean;
  /**
   * EventBridge cron expression (UTC) of the drills.
   * @default 'cron(0 4 ? * SUN *)' (Sunday 04:00)
   */
  schedule?: string;
  /**
   * 1 to 1440: a drill whose Cluster took longer than this many minutes to become ready fails.
   * @default 60
   */
  maxRtoMinutes?: number;
  /**
   * 1 to 90: the most days a target may go without a successful drill before it is alarmed on.
   * @default 8
   */
  maxAgeDays?: number;
  /**
   * 5 to 1440: a drill Cluster not ready after this many minutes times out (and is torn down).
   * @default 120
   */
  timeoutMinutes?: number;
  /**
   * At most 8, with unique names: SQL run in the restored database, each compared with what it must print.
   * @default []
   */
  checks?: DrillCheckConfig[];
  /**
   * One query returning the newest row's timestamp: the drill reports the data's age at the backup (the achieved RPO).
   * @default none
   */
  freshnessQuery?: string;
}

export interface DrillCheckConfig {
  /** A DNS label of at most 50 characters (it names the check's container, `check-<name>`). */
  name: string;
  /** One statement, run with psql in the restored Cluster's application database. */
  sql: string;
  /** What psql prints for it (unaligned, tuples only: `t` for true, fields joined by `|`, one row per line), trimmed. */
  expected: string;
}

/** What a discovered target is backed up with: a target's schedule, backup options, retention, RPO and copies (no drills). */
export type PolicyConfig = Pick<TargetConfig, 'schedule' | 'backup' | 'retention' | 'rpoMinutes' | 'copies'>;

export interface DiscoveryConfig {
  /** The EKS cluster's name. */
  eksCluster: string;
  /**
   * How the Lambdas reach the cluster's API.
   * @default { kind: 'eks' }
   */
  auth?: KubeAuthConfig;
  /** The namespaces discovered in, at least one, unique: the RBAC and the admission policy allow writes there. */
  namespaces: string[];
}
