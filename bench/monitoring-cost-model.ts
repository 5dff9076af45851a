/**
 * What monitoring costs in CloudWatch (and the little it needs besides), per target-month, printed by `npm run bench`.
 * Counts of metrics and alarms come from the synthesized template, log bytes from lines the real adapters print;
 * prices are us-east-1 list prices:
 * - CloudWatch (https://aws.amazon.com/cloudwatch/pricing/): custom metrics $0.30 per metric-month (first 10,000);
 *   standard-resolution alarms $0.10 per alarm metric-month (a metric-math alarm pays for each metric it reads);
 *   dashboards $3.00 per month beyond the account's first three; Logs (Standard class) $0.50 per GB ingested,
 *   $0.03 per GB-month stored; Logs Insights $0.005 per GB scanned.
 * - Lambda (https://aws.amazon.com/lambda/pricing/), arm64: $0.20 per million requests, $0.0000133334 per GB-second.
 * - DynamoDB on-demand (https://aws.amazon.com/dynamodb/pricing/on-demand/): $0.625 per million write request units,
 *   $0.125 per million read request units; an eventually consistent read of up to 4 KB is half a unit.
 * - KMS (https://aws.amazon.com/kms/pricing/): $1.00 per customer managed key-month.
 * EventBridge scheduled rules, rule matching and deliveries to Lambda and SNS carry no charge of their own; the
 * `Backup Completed` events the ledger reads are published by the backup workflow anyway.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { RECOVERY_POINT_AUDIT_INTERVAL } from '../lib/scheduler-monitoring';
import { PowertoolsMetricsRecorder } from '../lambdas/adapters/powertools-metrics-recorder';
import { METRIC_NAMESPACE } from '../lambdas/domain/scheduler-metrics';
import { createAuditRecoveryPoints } from '../lambdas/handlers/audit-recovery-points';
import type { RecoveryPointRecord } from '../lambdas/domain/recovery-point-record';
import { createRecordRecoveryPoint } from '../lambdas/handlers/record-recovery-point';
import { HENDRIX, LocalScheduler } from '../simulator/local-scheduler';
import { MemoryRecoveryPointCatalog } from '../simulator/memory-recovery-point-catalog';
import { MemoryRecoveryPointLedger } from '../simulator/memory-recovery-point-ledger';
import { RecordingEventPublisher } from '../simulator/recording-event-publisher';
import { RecordingMetrics } from '../simulator/recording-metrics';
import { VirtualClock } from '../simulator/virtual-clock';

export const PRICE = {
  customMetricMonth: 0.3,
  alarmMetricMonth: 0.1,
  dashboardMonth: 3,
  logIngestedGb: 0.5,
  logStoredGbMonth: 0.03,
  logInsightsScannedGb: 0.005,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  kmsKeyMonth: 1,
} as const;

const GB = 1024 ** 3;
const HOURS_PER_MONTH = 730;
const LAMBDA_GB = 0.25; // every function has 256 MB
/** Lambda's own START / END / REPORT lines per invocation in JSON log format (about 250 bytes each). */
const PLATFORM_LOG_BYTES_PER_INVOCATION = 750;

export interface MonitoringUsage {
  targets: number;
  /** Hourly backups: one completed backup per target-hour. */
  backupsPerTargetMonth: number;
  /** Distinct metrics (name and dimension set) the Lambdas emit, and alarm metrics, from the synthesized stack. */
  customMetrics: number;
  alarmMetrics: number;
  auditIntervalMinutes: number;
  /** Measured: EMF bytes the Lambdas print for one backup run (all its metric lines). */
  emfBytesPerBackupRun: number;
  /** Measured: the audit's log line for one target. */
  auditLogBytesPerTarget: number;
  /** Measured: the recorder's log lines for one completed backup, its storage described. */
  recorderLogBytesPerBackup: number;
  /**
   * Assumed: how long the functions run (the audit reads one table scan; the recorder writes the ledger, reads and
   * updates the catalog record, and makes one EC2 DescribeSnapshots call, which EC2 does not charge for).
   */
  auditSeconds: number;
  recorderSeconds: number;
  /** Assumed: dashboard views a month, each scanning the audit's logs over the dashboard's 7 days. */
  dashboardViewsPerMonth: number;
  logRetentionDays: number;
}

export interface CostLine {
  item: string;
  monthly: number;
}

export function monitoringCost(usage: MonitoringUsage): { lines: CostLine[]; monthly: number; perTargetMonth: number } {
  const auditsPerMonth = (HOURS_PER_MONTH * 60) / usage.auditIntervalMinutes;
  const backups = usage.targets * usage.backupsPerTargetMonth;
  const auditLogBytes = auditsPerMonth * (usage.targets * usage.auditLogBytesPerTarget + PLATFORM_LOG_BYTES_PER_INVOCATION);
  const recorderLogBytes = backups * (usage.recorderLogBytesPerBackup + PLATFORM_LOG_BYTES_PER_INVOCATION);
  const emfBytes = backups * usage.emfBytesPerBackupRun;
  const ingested = (auditLogBytes + recorderLogBytes + emfBytes) / GB;
  // Steady state: a retention window's worth of a month's logs is stored (before the ~0.15 compression CloudWatch bills on).
  const stored = ingested * (usage.logRetentionDays / 30);
  const scanned = (usage.dashboardViewsPerMonth * (auditLogBytes * 7)) / 30 / GB;
  const ledgerItemBytes = 200;
  const scanReadUnits = Math.max(0.5, Math.ceil((usage.targets * ledgerItemBytes) / 4096) / 2);
  const lines: CostLine[] = [
    { item: `custom metrics (${usage.customMetrics}, none per target)`, monthly: usage.customMetrics * PRICE.customMetricMonth },
    { item: `alarm metrics (${usage.alarmMetrics}, none per target)`, monthly: usage.alarmMetrics * PRICE.alarmMetricMonth },
    { item: 'dashboard (1)', monthly: PRICE.dashboardMonth },
    { item: `logs ingested (${ingested.toFixed(2)} GB: audit, recorder, EMF)`, monthly: ingested * PRICE.logIngestedGb },
    { item: `logs stored (${stored.toFixed(2)} GB)`, monthly: stored * PRICE.logStoredGbMonth },
    { item: `Logs Insights for the dashboard (${scanned.toFixed(1)} GB scanned)`, monthly: scanned * PRICE.logInsightsScannedGb },
    {
      item: `Lambda: audit every ${usage.auditIntervalMinutes} min, recorder per backup`,
      monthly:
        (auditsPerMonth + backups) * PRICE.lambdaRequest +
        (auditsPerMonth * usage.auditSeconds + backups * usage.recorderSeconds) * LAMBDA_GB * PRICE.lambdaGbSecond,
    },
    {
      item: 'DynamoDB ledger (write per backup, scan per audit)',
      monthly: backups * PRICE.dynamoWriteUnit + auditsPerMonth * scanReadUnits * PRICE.dynamoReadUnit,
    },
    { item: 'KMS key of the alarm topic', monthly: PRICE.kmsKeyMonth },
  ];
  const monthly = lines.reduce((total, line) => total + line.monthly, 0);
  return { lines, monthly, perTargetMonth: monthly / usage.targets };
}

/** The design it replaces, as measured on the stack before: per target, 6 custom metrics and 3 alarms. */
const PER_TARGET_METRICS_AND_ALARMS = 6 * PRICE.customMetricMonth + 3 * PRICE.alarmMetricMonth;

/** Prints the model; returns its cost per target-month, which the all-in model adds. */
export function printMonitoringCostModel(usage: MonitoringUsage, row: (label: string, value: string) => void): number {
  const cost = monitoringCost(usage);
  console.log(`\nMonitoring cost model, ${usage.targets} hourly targets (us-east-1 list prices, per month)`);
  for (const line of cost.lines) row(line.item, `$${line.monthly.toFixed(2)}`);
  row('total', `$${cost.monthly.toFixed(2)}`);
  row('per target-month', `$${cost.perTargetMonth.toFixed(4)}`);
  row('per target-month with per-target metrics and alarms', `$${PER_TARGET_METRICS_AND_ALARMS.toFixed(4)} (before)`);
  const biggest = [...cost.lines].sort((a, b) => b.monthly - a.monthly)[0]!;
  row('biggest item', biggest.item);
  return cost.perTargetMonth;
}

/** Runs `fn` with stdout captured: the bytes Lambda would ship to CloudWatch Logs. */
async function capturedBytes(fn: () => Promise<unknown>): Promise<{ bytes: number; lines: string[] }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return { bytes: lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0), lines };
}

/** A Powertools Logger with the keys injectLambdaContext adds in Lambda, so its lines are as long as deployed ones. */
function lambdaLogger(functionName: string): Logger {
  const logger = new Logger({ serviceName: 'cnpg-snapshot-scheduler' });
  logger.addContext({
    functionName,
    functionVersion: '$LATEST',
    memoryLimitInMB: '256',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    awsRequestId: '5f1b6a1e-3c7d-4e0a-9b2f-0123456789ab',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/30/[$LATEST]0123456789abcdef0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  });
  return logger;
}

/** Measures what the model needs from the real adapters and the synthesized stack, for `targets` hourly targets. */
export async function measureMonitoringUsage(targets: number): Promise<MonitoringUsage> {
  const start = Date.parse('2026-11-02T00:00:00Z');
  const local = await LocalScheduler.start({
    clock: new VirtualClock(new Date(start)),
    targets: [HENDRIX],
    exportMetrics: new PowertoolsMetricsRecorder(),
  });
  const runs = 24;
  let emfBytes = 0;
  let newestRecord: RecoveryPointRecord;
  try {
    for (let hour = 0; hour < runs; hour += 1) {
      const slot = new Date(start + hour * 3_600_000);
      local.clock.advanceTo(slot);
      const { lines } = await capturedBytes(() => local.fireSchedule('backup', 'hendrix', slot));
      emfBytes += lines.filter((line) => line.includes('"_aws"')).reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);
    }
    newestRecord = (await local.recoveryPoints.recordsOf(HENDRIX.name)).at(-1)!;
  } finally {
    await local.close();
  }
  const resources = Object.values(local.synthesized.template.Resources);
  const alarmMetrics = resources
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .reduce(
      (n, r) =>
        n + (r.Properties.MetricName ? 1 : (r.Properties.Metrics as Array<{ MetricStat?: unknown }>).filter((m) => m.MetricStat).length),
      0,
    );
  const body = resources.find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!.Properties.DashboardBody as {
    'Fn::Join': [string, unknown[]];
  };
  const widgets = (
    JSON.parse(body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'token')).join('')) as {
      widgets: Array<{ properties: { metrics?: unknown[][] } }>;
    }
  ).widgets;
  // Every metric has the one dimension set {service}: a metric is a name in the namespace.
  const customMetrics = new Set(
    widgets.flatMap((w) => (w.properties.metrics ?? []).filter((row) => row[0] === METRIC_NAMESPACE).map((row) => row[1])),
  ).size;

  const auditTargets = Array.from({ length: targets }, (_, i) => ({
    name: `database-${String(i).padStart(4, '0')}`,
    eksCluster: `eks-${i % 3}`,
    namespace: `team-${i % 40}`,
    cluster: `database-${String(i).padStart(4, '0')}`,
    rpoMinutes: 90,
    drill: { enabled: true, maxAgeDays: 8 },
  }));
  const ledger = new MemoryRecoveryPointLedger();
  for (const target of auditTargets)
    await ledger.recordCompleted(target.name, { name: `${target.name}-20261130110000`, completedAt: '2026-11-30T11:03:00.000Z' });
  const audit = createAuditRecoveryPoints({
    targets: () => Promise.resolve(auditTargets),
    ledger,
    events: new RecordingEventPublisher(),
    metrics: new RecordingMetrics(),
    now: () => new Date('2026-11-30T12:00:00Z'),
    log: lambdaLogger('CnpgSnapshotScheduler-AuditRecoveryPoints'),
  });
  const audited = await capturedBytes(() => audit({ source: 'aws.events', 'detail-type': 'Scheduled Event' }));
  // The recorder's whole path: the ledger, then the catalog record CheckBackup wrote (a real one of the runs above, as
  // it was before EC2 described its storage), completed from DescribeSnapshots.
  const recoveryPoints = new MemoryRecoveryPointCatalog();
  await recoveryPoints.record({
    ...newestRecord,
    target: 'database-0000',
    backup: 'database-0000-20261130120000',
    volumes: newestRecord.volumes.map(({ encrypted: _encrypted, kmsKeyId: _kmsKeyId, ...volume }) => volume),
  });
  const described: string[] = [];
  const record = createRecordRecoveryPoint({
    ledger,
    recoveryPoints,
    storageSnapshots: {
      describe: (_region, ids) => {
        described.push(...ids);
        return Promise.resolve(
          ids.map((id) => ({
            id,
            region: 'us-east-1',
            state: 'completed',
            volumeSizeGiB: 50,
            startTime: '2026-11-30T12:00:05.000Z',
            encrypted: true,
            kmsKeyId: 'alias/aws/ebs',
            tags: {},
          })),
        );
      },
    },
    region: () => 'us-east-1',
    now: () => new Date('2026-11-30T12:04:00Z'),
    log: lambdaLogger('CnpgSnapshotScheduler-RecordRecoveryPoint'),
  });
  const recorded = await capturedBytes(() =>
    record({
      'detail-type': 'Backup Completed',
      time: '2026-11-30T12:04:00Z',
      detail: { target: 'database-0000', backup: 'database-0000-20261130120000', stoppedAt: '2026-11-30T12:03:00Z' },
    }),
  );
  if (described.length !== newestRecord.volumes.length) throw new Error("the recorder did not describe the backup's storage snapshots");
  return {
    targets,
    backupsPerTargetMonth: HOURS_PER_MONTH,
    customMetrics,
    alarmMetrics,
    auditIntervalMinutes: RECOVERY_POINT_AUDIT_INTERVAL.toMinutes(),
    emfBytesPerBackupRun: emfBytes / runs,
    auditLogBytesPerTarget: audited.bytes / targets,
    recorderLogBytesPerBackup: recorded.bytes,
    auditSeconds: 1,
    recorderSeconds: 0.1,
    dashboardViewsPerMonth: 100,
    logRetentionDays: 30,
  };
}
