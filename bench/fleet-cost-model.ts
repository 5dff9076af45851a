/**
 * All-in AWS cost per target-month of hourly targets, printed by `npm run bench`. Every count is measured: one hourly
 * tick of a fleet and one daily retention tick run through the synthesized state machines on the local runner against
 * the test servers (Step Functions transitions and history, Lambda invocations with their local duration and the
 * memory the synthesized stack gives each function, events published, log lines written); monitoring comes from the
 * monitoring cost model. Prices are us-east-1 list prices, free tiers left out:
 * - Step Functions Standard (https://aws.amazon.com/step-functions/pricing/): $0.025 per 1,000 state transitions.
 * - Lambda (https://aws.amazon.com/lambda/pricing/), arm64: $0.20 per million requests, $0.0000133334 per GB-second,
 *   billed per ms.
 * - CloudWatch Logs (https://aws.amazon.com/cloudwatch/pricing/): $0.50 per GB ingested (Lambda logs, and the Step
 *   Functions execution logs, which log level ALL with execution data makes one line per history event), $0.03 per
 *   GB-month stored.
 * - EventBridge (https://aws.amazon.com/eventbridge/pricing/): $1.00 per million custom events published;
 *   EventBridge Scheduler $1.00 per million invocations.
 * - X-Ray (https://aws.amazon.com/xray/pricing/): $5.00 per million traces recorded (state machines trace each execution).
 * - DynamoDB on-demand, for the recovery-point catalog: the monitoring model's prices, applied to the read and write
 *   units a routine hourly backup run and a daily sweep consume in steady state (a week of history), as the catalog
 *   stand-in counts them.
 */
import type { LocalExecution } from '../simulator/workflow-runner/local-workflow-runner';
import { LocalScheduler, type LocalInvocation } from '../simulator/local-scheduler';
import { VirtualClock } from '../simulator/virtual-clock';
import type { ConsumedCapacity } from '../simulator/memory-recovery-point-catalog';
import type { CostLine } from './monitoring-cost-model';
import { PRICE } from './monitoring-cost-model';

const FLEET_PRICE = {
  transition: 0.025 / 1000,
  eventPublished: 1 / 1e6,
  schedulerInvocation: 1 / 1e6,
  trace: 5 / 1e6,
} as const;

const GB = 1024 ** 3;
const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = 30;
/** Lambda's own START / END / REPORT lines per invocation in JSON log format (about 250 bytes each). */
const PLATFORM_LOG_BYTES_PER_INVOCATION = 750;
/** What a Step Functions log line adds around an event's details (id, type, timestamps, execution ARN). */
const SFN_LOG_LINE_ENVELOPE_BYTES = 300;
/** What Powertools adds around a handler's log line (service, function, request id, timestamp, level). */
const POWERTOOLS_LINE_BYTES = 350;
const EKS_CLUSTERS = ['eks-a', 'eks-b', 'eks-c'];
const HOURLY = 'cron(0 * * * ? *)';
const SWEEP = 'cron(30 3 * * ? *)';

type Row = (label: string, value: string) => void;

/** What one target asks of the recovery-point catalog: per hourly backup run, and per daily retention sweep. */
export interface CatalogUsage {
  perBackupRun: ConsumedCapacity;
  perSweep: ConsumedCapacity;
}

/** What one phase (a tick and the executions it started) cost, per target. */
interface PhaseUsage {
  transitions: number;
  executions: number;
  sfnLogBytes: number;
  invocations: number;
  gbSeconds: number;
  lambdaLogBytes: number;
  events: number;
}

async function measurePhase(local: LocalScheduler, targets: number, run: () => Promise<unknown>): Promise<PhaseUsage> {
  const executions = local.executions.length;
  const invocations = local.invocations.length;
  const events = local.events.events.length;
  const logEntries = local.log.entries.length;
  await run();
  const ran: LocalExecution[] = local.executions.slice(executions);
  const invoked: LocalInvocation[] = local.invocations.slice(invocations);
  const logBytes = local.log.entries
    .slice(logEntries)
    .reduce((n, entry) => n + JSON.stringify({ message: entry.message, ...entry.keys, ...Object.assign({}, ...entry.extra) }).length, 0);
  return {
    transitions: ran.reduce((n, e) => n + e.transitions, 0) / targets,
    executions: ran.length / targets,
    sfnLogBytes: ran.reduce((n, e) => n + e.historyBytes + e.historyEvents * SFN_LOG_LINE_ENVELOPE_BYTES, 0) / targets,
    invocations: invoked.length / targets,
    gbSeconds:
      invoked.reduce((n, i) => n + (Math.max(1, Math.ceil(i.ms)) / 1000) * (local.synthesized.lambdaMemoryMb[i.fn] / 1024), 0) / targets,
    lambdaLogBytes:
      (logBytes + (local.log.entries.length - logEntries) * POWERTOOLS_LINE_BYTES + invoked.length * PLATFORM_LOG_BYTES_PER_INVOCATION) /
      targets,
    events: (local.events.events.length - events) / targets,
  };
}

function costLines(
  backup: PhaseUsage,
  retention: PhaseUsage,
  fleet: number,
  monitoringPerTarget: number,
  catalog: CatalogUsage,
): CostLine[] {
  const catalogUnits = (pick: (c: ConsumedCapacity) => number) =>
    HOURS_PER_MONTH * pick(catalog.perBackupRun) + DAYS_PER_MONTH * pick(catalog.perSweep);
  const monthly = (pick: (u: PhaseUsage) => number) => HOURS_PER_MONTH * pick(backup) + DAYS_PER_MONTH * pick(retention);
  const logGb = (monthly((u) => u.sfnLogBytes) + monthly((u) => u.lambdaLogBytes)) / GB;
  // One schedule per expression: an hourly and a daily one fire for the whole fleet.
  const schedulerInvocations = (HOURS_PER_MONTH + DAYS_PER_MONTH) / fleet;
  return [
    {
      item: `Step Functions (${monthly((u) => u.transitions).toFixed(0)} transitions)`,
      monthly: monthly((u) => u.transitions) * FLEET_PRICE.transition,
    },
    {
      item: `Lambda (${monthly((u) => u.invocations).toFixed(0)} requests, ${monthly((u) => u.gbSeconds).toFixed(1)} GB-s)`,
      monthly: monthly((u) => u.invocations) * PRICE.lambdaRequest + monthly((u) => u.gbSeconds) * PRICE.lambdaGbSecond,
    },
    {
      item: `CloudWatch Logs of the workflows (${(logGb * 1024).toFixed(1)} MB: executions, Lambdas)`,
      monthly: logGb * PRICE.logIngestedGb + logGb * PRICE.logStoredGbMonth,
    },
    {
      item: `EventBridge events (${monthly((u) => u.events).toFixed(0)} published)`,
      monthly: monthly((u) => u.events) * FLEET_PRICE.eventPublished,
    },
    { item: 'EventBridge Scheduler (shared schedules)', monthly: schedulerInvocations * FLEET_PRICE.schedulerInvocation },
    {
      item: `X-Ray (${monthly((u) => u.executions).toFixed(0)} traced executions)`,
      monthly: monthly((u) => u.executions) * FLEET_PRICE.trace,
    },
    {
      item: `DynamoDB recovery-point catalog (${catalogUnits((c) => c.readUnits).toFixed(0)} read, ${catalogUnits((c) => c.writeUnits).toFixed(0)} write units)`,
      monthly: catalogUnits((c) => c.readUnits) * PRICE.dynamoReadUnit + catalogUnits((c) => c.writeUnits) * PRICE.dynamoWriteUnit,
    },
    { item: `monitoring (CloudWatch metrics, alarms, audit, at ${fleet} targets)`, monthly: monitoringPerTarget },
  ];
}

/**
 * Measures one hourly tick and one retention tick of `measured` targets over 3 EKS clusters, and prices a month of a
 * `fleet` of hourly targets (the per-target fan-out overhead of the measured tick, shared by fewer targets, is the
 * larger one).
 */
export async function fleetCostModel(
  row: Row,
  options: { measured: number; fleet: number; monitoringPerTargetMonth: number; catalog: CatalogUsage },
): Promise<void> {
  const slot = new Date('2026-11-02T05:00:00Z');
  const targets = Array.from({ length: options.measured }, (_, i) => ({
    name: `db-${String(i).padStart(4, '0')}`,
    eksCluster: EKS_CLUSTERS[i % EKS_CLUSTERS.length]!,
    namespace: 'demo',
    cluster: `db-${String(i).padStart(4, '0')}`,
  }));
  const local = await LocalScheduler.start({ clock: new VirtualClock(slot), eksClusters: EKS_CLUSTERS, targets });
  try {
    const backup = await measurePhase(local, options.measured, () => local.fireExpression('backup', HOURLY, slot));
    local.clock.advanceTo(new Date('2026-11-03T03:30:00Z'));
    const retention = await measurePhase(local, options.measured, () => local.fireExpression('retention', SWEEP, local.clock.now()));
    console.log(
      `\nAll-in cost per target-month, ${options.fleet} hourly targets (measured on ticks of ${options.measured} targets, us-east-1)`,
    );
    row(
      'per backup slot',
      `${backup.transitions.toFixed(1)} transitions, ${backup.invocations.toFixed(1)} Lambda requests, ${(backup.gbSeconds * 1000).toFixed(1)} GB-ms, ${backup.events.toFixed(1)} events`,
    );
    row(
      'per retention sweep',
      `${retention.transitions.toFixed(1)} transitions, ${retention.invocations.toFixed(1)} Lambda requests, ${(retention.gbSeconds * 1000).toFixed(1)} GB-ms`,
    );
    const lines = costLines(backup, retention, options.fleet, options.monitoringPerTargetMonth, options.catalog);
    for (const line of lines) row(line.item, `$${line.monthly.toFixed(4)}`);
    const total = lines.reduce((n, line) => n + line.monthly, 0);
    row('total per target-month', `$${total.toFixed(4)}`);
    const biggest = [...lines].sort((a, b) => b.monthly - a.monthly)[0]!;
    row('biggest driver', `${biggest.item}: ${((biggest.monthly / total) * 100).toFixed(0)}% of the total`);
  } finally {
    await local.close();
  }
}
