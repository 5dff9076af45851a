import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DeploymentConfigError, loadDeploymentConfig } from '../lib/deployment-config';
import type { TargetSpec } from '../lambdas/domain/target-spec';
import { OUTPUT_FORMATS, renderList, type Column, type OutputFormat } from './output-format';
import { retentionTimelineHtml, retentionTimelineSvg } from './retention-timeline';
import type { SchedulerOperations } from './scheduler-operations';
import { backupRows, formatBytes, formatMinutes, targetStatus, type BackupRow, type TargetStatus } from './target-report';

/** Where the CLI writes and how it reaches a cluster; the process entry passes the real ones, tests their own. */
export interface CliEnvironment {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
  operations: (options: ConnectionOptions) => SchedulerOperations;
}

export interface ConnectionOptions {
  kubeconfig: string;
  context?: string;
}

/** A refusal the user can act on: printed as is, exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const STATUS_COLUMNS: ReadonlyArray<Column<TargetStatus>> = [
  { header: 'target', value: (s) => s.target },
  { header: 'cluster', value: (s) => s.location },
  { header: 'last backup', value: (s) => s.lastBackup ?? '-' },
  { header: 'age', value: (s) => formatMinutes(s.ageMinutes) },
  { header: 'rpo', value: (s) => formatMinutes(s.rpoMinutes) },
  { header: 'next slot', value: (s) => s.nextSlot?.replace('.000Z', 'Z') ?? '-' },
  { header: 'kept', value: (s) => String(s.backupsKept) },
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

interface GlobalOptions {
  config?: string;
  kubeconfig?: string;
  context?: string;
  at?: Date;
}

/** The `cnpg-snapshot-scheduler` command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], env: CliEnvironment): Promise<number> {
  const program = new Command('cnpg-snapshot-scheduler')
    .description('Backups, retention and restores of CloudNativePG clusters: what is kept, what is due, what retention will do')
    .option('-c, --config <file>', 'the deployment config (YAML or JSON) that lists the targets')
    .option('--kubeconfig <file>', 'reach the clusters with this kubeconfig instead of AWS (kind, k3s, minikube, any CNPG cluster)')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('--at <time>', 'evaluate as of this time instead of now (ISO 8601 with a zone)', parseTime)
    .configureOutput({ writeOut: env.stdout, writeErr: env.stderr })
    .exitOverride()
    .showHelpAfterError();

  const context = () => {
    const options = program.opts<GlobalOptions>();
    if (!options.config)
      throw new CliError('Which targets? Pass --config <file>: the deployment config you deploy with (e.g. config/example.yaml).');
    if (!options.kubeconfig)
      throw new CliError('How to reach the clusters? Pass --kubeconfig <file> (and --context <name>) to read them with a kubeconfig.');
    let targets: readonly TargetSpec[];
    try {
      targets = loadDeploymentConfig(options.config).targets;
    } catch (error) {
      if (error instanceof DeploymentConfigError) throw new CliError(error.message);
      throw error;
    }
    const operations = env.operations({ kubeconfig: options.kubeconfig, ...(options.context && { context: options.context }) });
    const target = (name: string): TargetSpec => {
      const found = targets.find((t) => t.name === name);
      if (!found)
        throw new CliError(`Unknown target "${name}". The targets of ${options.config} are: ${targets.map((t) => t.name).join(', ')}.`);
      return found;
    };
    return { targets, operations, target, at: options.at ?? env.now() };
  };
  const outputOption = () => new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table');

  program
    .command('status')
    .description('one line per target: last completed backup and its age against the RPO, next slot, backups kept, state')
    .addOption(outputOption())
    .action(async (options: { output: OutputFormat }) => {
      const { targets, operations, at } = context();
      const rows = await Promise.all(targets.map(async (t) => targetStatus(t, await operations.retentionPlan(t, at), at)));
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

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    env.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
