import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DeploymentConfigError } from '../lib/deployment-config';
import { loadDeploymentConfig } from '../lib/load-deployment-config';
import type { TargetSpec } from '../lambdas/domain/target-spec';
import { OUTPUT_FORMATS, renderList, type Column, type OutputFormat } from './output-format';
import { retentionTimelineHtml, retentionTimelineSvg } from './retention-timeline';
import { CliError } from './cli-error';
import { followRun, type WaitClock } from './follow-run';
import { formatElapsed } from './progress';
import { restorePreviewText } from './restore-preview';
import type { SchedulerOperations } from './scheduler-operations';
import type { RestoreOrder, StartedRun } from './scheduler-run';
import { backupRows, formatBytes, formatLastDrill, formatMinutes, targetStatus, type BackupRow, type TargetStatus } from './target-report';

/** Where the CLI writes and how it reaches the scheduler; the process entry passes the real ones. */
export interface CliEnvironment {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
  /** The clock `--wait` looks again on. */
  clock: WaitClock;
  operations: (connection: Connection) => SchedulerOperations;
}

/** How the CLI reaches the scheduler: a kubeconfig (the handlers of the workflows run here), or a deployed stack (AWS). */
export type Connection = { kind: 'kubeconfig'; kubeconfig: string; context?: string } | { kind: 'stack'; stack: string; region?: string };

/** Exit codes: 0 done, 1 refused or failed, 2 a usage error, 3 `--wait` gave up while the run goes on. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_WAIT_TIMED_OUT = 3;

const STATUS_COLUMNS: ReadonlyArray<Column<TargetStatus>> = [
  { header: 'target', value: (s) => s.target },
  { header: 'cluster', value: (s) => s.location },
  { header: 'last backup', value: (s) => s.lastBackup ?? '-' },
  { header: 'age', value: (s) => formatMinutes(s.ageMinutes) },
  { header: 'rpo', value: (s) => formatMinutes(s.rpoMinutes) },
  { header: 'next slot', value: (s) => s.nextSlot?.replace('.000Z', 'Z') ?? '-' },
  { header: 'kept', value: (s) => String(s.backupsKept) },
  { header: 'last drill', value: formatLastDrill },
  { header: 'state', value: (s) => s.state },
];

const BACKUP_COLUMNS: ReadonlyArray<Column<BackupRow>> = [
  { header: 'name', value: (b) => b.name },
  { header: 'phase', value: (b) => b.phase },
  { header: 'completed', value: (b) => b.completedAt ?? '-' },
  { header: 'size', value: (b) => formatBytes(b.sizeBytes) },
  { header: 'retention', value: (b) => b.retention },
  { header: 'rule', value: (b) => b.rule },
];

const PLAN_FORMATS = ['text', 'svg', 'html'] as const;

function parseTime(value: string): Date {
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(time.getTime()))
    throw new InvalidArgumentError('must be an ISO 8601 time with a zone, e.g. 2026-11-25T05:00:00Z');
  return time;
}

/** `90s`, `30m`, `2h`: how long `--wait` follows a run. */
function parseWaitDuration(value: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(value);
  const seconds = match ? Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'] : 0;
  if (seconds <= 0) throw new InvalidArgumentError('must be a whole number of seconds, minutes or hours, e.g. 90s, 30m or 2h');
  return seconds * 1000;
}

function parseIntervalSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600)
    throw new InvalidArgumentError('must be a number of seconds from 0 to 3600, e.g. 5 or 0.5');
  return seconds * 1000;
}

interface GlobalOptions {
  config?: string;
  kubeconfig?: string;
  context?: string;
  stack?: string;
  region?: string;
  at?: Date;
}

interface WaitOptions {
  wait?: boolean;
  timeout: number;
  interval: number;
}

/** Thrown by an action to end with an exit code other than 0 after it has said why. */
class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** The `cnpg-snapshot-scheduler` command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], env: CliEnvironment): Promise<number> {
  const program = new Command('cnpg-snapshot-scheduler')
    .description('Backups, retention and restores of CloudNativePG clusters: what is kept, what is due, what retention will do')
    .option('-c, --config <file>', 'the deployment config (YAML or JSON) that lists the targets')
    .option('--kubeconfig <file>', 'reach the clusters with this kubeconfig instead of AWS (kind, k3s, minikube, any CNPG cluster)')
    .option('--context <name>', 'the kubeconfig context to use')
    .option(
      '--stack <name>',
      'use the deployed stack of this name (its outputs, the usual AWS credential chain): no Kubernetes access needed',
    )
    .option('--region <region>', "the AWS region of the stack (default: the AWS SDK's, e.g. AWS_REGION or the profile)")
    .option('--at <time>', 'evaluate as of this time instead of now (ISO 8601 with a zone)', parseTime)
    .configureOutput({ writeOut: env.stdout, writeErr: env.stderr })
    .exitOverride()
    .showHelpAfterError();

  const context = () => {
    const options = program.opts<GlobalOptions>();
    if (!options.config)
      throw new CliError('Which targets? Pass --config <file>: the deployment config you deploy with (e.g. config/example.yaml).');
    if (options.stack && options.kubeconfig)
      throw new CliError('Pass either --stack <name> (a deployed scheduler) or --kubeconfig <file> (a cluster, no AWS), not both.');
    if (!options.stack && !options.kubeconfig)
      throw new CliError(
        'How to reach the scheduler? Pass --stack <name> [--region <region>] for a deployed stack, or --kubeconfig <file> (and --context <name>) to work on a cluster with a kubeconfig.',
      );
    let targets: readonly TargetSpec[];
    try {
      targets = loadDeploymentConfig(options.config).targets;
    } catch (error) {
      if (error instanceof DeploymentConfigError) throw new CliError(error.message);
      throw error;
    }
    const connection: Connection = options.stack
      ? { kind: 'stack', stack: options.stack, ...(options.region && { region: options.region }) }
      : { kind: 'kubeconfig', kubeconfig: options.kubeconfig!, ...(options.context && { context: options.context }) };
    const operations = env.operations(connection);
    const target = (name: string): TargetSpec => {
      const found = targets.find((t) => t.name === name);
      if (!found)
        throw new CliError(`Unknown target "${name}". The targets of ${options.config} are: ${targets.map((t) => t.name).join(', ')}.`);
      return found;
    };
    return { targets, operations, target, at: options.at ?? env.now() };
  };
  const outputOption = () => new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table');
  const withWaitOptions = (command: Command, what: string) =>
    command
      .option('-w, --wait', `follow it until ${what}, printing its phase; exit 0 only if it succeeded`)
      .option(
        '--timeout <duration>',
        'with --wait: give up following after this long (90s, 30m, 2h); the run goes on',
        parseWaitDuration,
        2 * 3600_000,
      )
      .option('--interval <seconds>', 'with --wait: seconds between two looks', parseIntervalSeconds, 5000);

  /** Prints what was started; with --wait follows it to its end. */
  const report = async (run: StartedRun, options: WaitOptions, rto: boolean) => {
    env.stdout(`${run.started}\n`);
    if (!options.wait) {
      env.stdout(`${run.follow}\n`);
      return;
    }
    const outcome = await followRun(run, { intervalMs: options.interval, timeoutMs: options.timeout, clock: env.clock, write: env.stdout });
    if (!outcome.done) {
      env.stderr(`error: still ${outcome.phase || 'pending'} after ${formatElapsed(outcome.waitedMs)}; it goes on. ${run.follow}\n`);
      throw new ExitCode(EXIT_WAIT_TIMED_OUT);
    }
    if (!outcome.ok) {
      env.stderr(`error: ${outcome.reason}\n`);
      throw new ExitCode(EXIT_FAILED);
    }
    env.stdout(`${outcome.summary}\n`);
    if (rto && outcome.rtoSeconds !== undefined) env.stdout(`RTO ${outcome.rtoSeconds} s (the new cluster's creation to Ready)\n`);
  };

  program
    .command('status')
    .description(
      'one line per target: last completed backup and its age against the RPO, next slot, backups kept, last successful drill, state. ' +
        'Drills are a feature of the deployed stack: with --stack the last drill is read from its recovery point ledger; with --kubeconfig it is "-"',
    )
    .addOption(outputOption())
    .action(async (options: { output: OutputFormat }) => {
      const { targets, operations, at } = context();
      const ledger = await operations.ledgerRecords();
      const rows = await Promise.all(targets.map(async (t) => targetStatus(t, await operations.retentionPlan(t, at), at, ledger)));
      env.stdout(`${renderList(options.output, rows, STATUS_COLUMNS)}\n`);
    });

  program
    .command('backups <target>')
    .description('every backup of a target: phase, end time, size, and whether retention keeps it and by which rule')
    .addOption(outputOption())
    .action(async (name: string, options: { output: OutputFormat }) => {
      const { operations, target, at } = context();
      const spec = target(name);
      const [plan, snapshots] = await Promise.all([operations.retentionPlan(spec, at), operations.snapshots(spec)]);
      env.stdout(`${renderList(options.output, backupRows(plan, snapshots), BACKUP_COLUMNS)}\n`);
    });

  program
    .command('plan <target>')
    .description('the retention dry run: what the policy keeps and deletes, and why; --format svg|html draws it')
    .addOption(new Option('-f, --format <format>', 'text, or a picture of the timeline').choices(PLAN_FORMATS).default('text'))
    .option('--out <file>', 'write the svg or html to this file instead of standard output')
    .action(async (name: string, options: { format: (typeof PLAN_FORMATS)[number]; out?: string }) => {
      const { operations, target, at } = context();
      const spec = target(name);
      const plan = await operations.retentionPlan(spec, at);
      const title = `Retention of ${spec.name} (${spec.namespace}/${spec.cluster}) at ${at.toISOString()}`;
      const picture = { title, plan, now: at, rpoMinutes: spec.rpoMinutes };
      const text =
        options.format === 'svg'
          ? retentionTimelineSvg(picture)
          : options.format === 'html'
            ? retentionTimelineHtml(picture)
            : renderList(
                'table',
                backupRows(plan, []),
                BACKUP_COLUMNS.filter((c) => c.header !== 'size'),
              ) +
              `\n\n${plan.backups.filter((b) => b.action === 'keep').length} kept, ${plan.deleted} objects to delete (Backups and VolumeSnapshots)`;
      if (options.out) {
        writeFileSync(options.out, `${text}\n`);
        env.stdout(`wrote ${options.out}\n`);
      } else env.stdout(`${text}\n`);
    });

  withWaitOptions(
    program
      .command('backup <target>')
      .description('take a backup of a target now, as the backup workflow does; --wait follows it to completed'),
    'the Backup completed',
  ).action(async (name: string, options: WaitOptions) => {
    const { operations, target } = context();
    await report(await operations.backup(target(name)), options, false);
  });

  withWaitOptions(
    program
      .command('restore <target>')
      .description(
        'restore a backup of a target into a new Cluster (the latest completed one unless told otherwise); --wait follows it to ready',
      )
      .option('--backup <name>', 'the Backup to restore (default: the latest completed one)')
      .option('--before <time>', 'the latest completed backup that ended at or before this time (ISO 8601 with a zone)', parseTime)
      .option(
        '--point-in-time <time>',
        "replay WAL from the source's archive to this time (ISO 8601 with a zone; needs a WAL archive)",
        parseTime,
      )
      .option('--cluster-name <name>', "the new Cluster's name (default <cluster>-restore-<YYYYMMDDHHMMSS>)")
      .option(
        '--to-namespace <namespace>',
        'another namespace of the deployment to restore into, from the recovery-point catalog (--stack only)',
      )
      .addOption(new Option('--dry-run', 'answer which backup it would restore, and from where, and change nothing').conflicts('wait'))
      .option(
        '--to-eks-cluster <name>',
        'another EKS cluster of the deployment to restore into, from the recovery-point catalog (--stack only); with a standby stack (<stack>-Standby, --region its Region) one of disasterRecovery.eksClusters',
      ),
    'the restored cluster is ready',
  ).action(
    async (
      name: string,
      options: WaitOptions & {
        backup?: string;
        before?: Date;
        pointInTime?: Date;
        clusterName?: string;
        toNamespace?: string;
        toEksCluster?: string;
        dryRun?: boolean;
      },
    ) => {
      const { operations, target } = context();
      const spec = target(name);
      const order: RestoreOrder = {
        ...(options.backup !== undefined && { backup: options.backup }),
        ...(options.before && { before: options.before.toISOString() }),
        ...(options.pointInTime && { pointInTime: options.pointInTime.toISOString() }),
        ...(options.clusterName !== undefined && { clusterName: options.clusterName }),
        ...(options.toNamespace !== undefined && { toNamespace: options.toNamespace }),
        ...(options.toEksCluster !== undefined && { toEksCluster: options.toEksCluster }),
      };
      if (options.dryRun) env.stdout(`${restorePreviewText(await operations.previewRestore(spec, order))}\n`);
      else await report(await operations.restore(spec, order), options, true);
    },
  );

  withWaitOptions(
    program
      .command('drill <target>')
      .description('run a restore drill of a target now with the deployed drill workflow (--stack only); --wait follows it to its verdict'),
    'the drill passed',
  ).action(async (name: string, options: WaitOptions) => {
    const { operations, target } = context();
    await report(await operations.drill(target(name)), options, true);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof ExitCode) return error.code;
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    env.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
}
