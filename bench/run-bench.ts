/**
 * `npm run bench`: what the workflows cost and how fast the hot paths are, printed as numbers (never asserted).
 * Costs come from the local runner against the Kubernetes API test server; prices are us-east-1 list prices.
 */
import { EksTokenProvider } from '../lambdas/adapters/eks-token';
import { lambdaBundleCosts } from './lambda-bundles-bench';
import { retentionBench } from './retention-bench';
import { HENDRIX, LocalScheduler } from '../simulator/local-scheduler';
import type { ConsumedCapacity } from '../simulator/memory-recovery-point-catalog';
import { VirtualClock } from '../simulator/virtual-clock';
import { throttledBackups } from './throttled-backups';
import { measureMonitoringUsage, printMonitoringCostModel } from './monitoring-cost-model';
import { fleetBench } from './fleet-bench';
import { fleetCostModel } from './fleet-cost-model';
import { printSnapshotStorageCostModel } from './snapshot-storage-cost-model';

const SFN_PRICE_PER_TRANSITION = 0.000025;
const LAMBDA_PRICE_PER_REQUEST = 0.0000002;
const HOURS_PER_MONTH = 730;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => unknown, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function timeAsync(fn: () => Promise<unknown>, runs: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function row(label: string, value: string): void {
  console.log(`  ${label.padEnd(52)} ${value}`);
}

/** One routine hourly backup of one target, measured in true steady state. */
interface SteadyStateBackup {
  transitions: number;
  invocations: number;
  apiCalls: number;
  breakdown: string;
  wallMs: number;
  /** What the runs asked of the recovery-point catalog (DynamoDB), per backup run. */
  catalog: ConsumedCapacity;
  /** What the daily retention sweep asked of it (reading every record, removing those routine runs left). */
  sweepCatalog: ConsumedCapacity;
}

const minus = (after: ConsumedCapacity, before: ConsumedCapacity): ConsumedCapacity => ({
  requests: after.requests - before.requests,
  readUnits: after.readUnits - before.readUnits,
  writeUnits: after.writeUnits - before.writeUnits,
});
const perRun = (total: ConsumedCapacity, runs: number): ConsumedCapacity => ({
  requests: total.requests / runs,
  readUnits: total.readUnits / runs,
  writeUnits: total.writeUnits / runs,
});
const plus = (a: ConsumedCapacity, b: ConsumedCapacity): ConsumedCapacity => ({
  requests: a.requests + b.requests,
  readUnits: a.readUnits + b.readUnits,
  writeUnits: a.writeUnits + b.writeUnits,
});

let steadyState: Promise<SteadyStateBackup> | undefined;

/** Measured once per bench run: the backup and cost sections both read it. */
function steadyStateBackup(): Promise<SteadyStateBackup> {
  steadyState ??= measureSteadyStateBackup();
  return steadyState;
}

async function measureSteadyStateBackup(): Promise<SteadyStateBackup> {
  const start = Date.parse('2026-11-02T00:00:00Z');
  const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(start)), targets: [HENDRIX] });
  try {
    // A week of history first: from then on every hourly retention deletes the backup that left the 7-day window.
    const warmup = 7 * 24 + 1;
    const measured = 48;
    let wall = 0;
    let requestsBefore = 0;
    let executionsBefore = 0;
    let catalogBefore: ConsumedCapacity = { ...local.recoveryPoints.consumed };
    // The daily sweep (at 03:30 UTC) runs at its time; what it costs is kept apart from the backup runs'.
    let sweepCatalog: ConsumedCapacity = { requests: 0, readUnits: 0, writeUnits: 0 };
    const sweepRequests = new Set<number>();
    const sweepExecutions = new Set<string>();
    for (let hour = 0; hour < warmup + measured; hour += 1) {
      if (hour === warmup) {
        requestsBefore = local.server.requests.length;
        executionsBefore = local.executions.length;
        catalogBefore = { ...local.recoveryPoints.consumed };
      }
      const slot = new Date(start + hour * 3_600_000);
      local.clock.advanceTo(slot);
      const began = performance.now();
      await local.fireSchedule('backup', 'hendrix', slot);
      if (hour >= warmup) wall += performance.now() - began;
      if (slot.getUTCHours() === 3) {
        const sweepTime = new Date(slot.getTime() + 30 * 60_000);
        local.clock.advanceTo(sweepTime);
        const catalog = { ...local.recoveryPoints.consumed };
        const [requests, executions] = [local.server.requests.length, local.executions.length];
        await local.fireSchedule('retention', HENDRIX.name, sweepTime);
        const swept = minus(local.recoveryPoints.consumed, catalog);
        if (hour < warmup) continue;
        sweepCatalog = swept;
        // Kept out of the backup runs' figures: counted from catalogBefore on, so it moves with the sweep.
        catalogBefore = plus(catalogBefore, swept);
        for (let i = requests; i < local.server.requests.length; i += 1) sweepRequests.add(i);
        for (const execution of local.executions.slice(executions)) sweepExecutions.add(execution.executionName);
      }
    }
    // A slot is its tick (the fan-out, which creates the Backup) and the backup execution it starts.
    const runs = local.executions.slice(executionsBefore).filter((e) => !sweepExecutions.has(e.executionName));
    const slots = measured;
    const lambdaSteps = new Set([
      'PlanFanOut',
      'CreateSlotBackup',
      'ReportFanOut',
      'StartBackup',
      'CheckBackup',
      'ApplyRetention',
      'ReportFailure',
      'RetentionReportFailure',
    ]);
    const requests = local.server.requests.filter((_, i) => i >= requestsBefore && !sweepRequests.has(i));
    const byCall = new Map<string, number>();
    for (const { verb, resource } of requests) byCall.set(`${verb} ${resource}`, (byCall.get(`${verb} ${resource}`) ?? 0) + 1);
    return {
      transitions: runs.reduce((n, e) => n + e.transitions, 0) / slots,
      invocations: runs.reduce((n, e) => n + e.statesEntered.filter((s) => lambdaSteps.has(s)).length, 0) / slots,
      apiCalls: requests.length / slots,
      breakdown: [...byCall].map(([call, n]) => `${call} ${(n / slots).toFixed(1)}`).join(', '),
      wallMs: wall / slots,
      catalog: perRun(minus(local.recoveryPoints.consumed, catalogBefore), slots),
      sweepCatalog,
    };
  } finally {
    await local.close();
  }
}

async function backupCosts(): Promise<void> {
  const run = await steadyStateBackup();
  console.log('\nHourly backup of one target, steady state (after a week of history: retention deletes every hour)');
  row('state transitions per backup run', run.transitions.toFixed(1));
  row('Lambda invocations per backup run', (run.invocations + 1).toFixed(1) + ' (incl. dispatcher)');
  row('Kubernetes API calls per backup run', run.apiCalls.toFixed(1));
  row('  of which', run.breakdown);
  row(
    'recovery-point catalog (DynamoDB) per backup run',
    `${run.catalog.requests.toFixed(1)} requests, ${run.catalog.readUnits.toFixed(1)} read units, ${run.catalog.writeUnits.toFixed(1)} write units`,
  );
  row(
    'recovery-point catalog (DynamoDB) per daily sweep',
    `${run.sweepCatalog.requests.toFixed(0)} requests, ${run.sweepCatalog.readUnits.toFixed(0)} read units, ${run.sweepCatalog.writeUnits.toFixed(0)} write units`,
  );
  row('local wall time per backup run (handlers + test server)', `${run.wallMs.toFixed(1)} ms`);
  const monthly = HOURS_PER_MONTH * (run.transitions * SFN_PRICE_PER_TRANSITION + (run.invocations + 1) * LAMBDA_PRICE_PER_REQUEST);
  row('Step Functions + Lambda request cost per target-month', `$${monthly.toFixed(4)}`);
}

async function restoreOverhead(): Promise<void> {
  console.log('\nRestore orchestration (simulated snapshot restore time -> measured RTO)');
  for (const restoreSeconds of [60, 125, 600]) {
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date('2026-11-02T00:00:00Z')), targets: [HENDRIX] });
    try {
      await local.runWorkflow('backup', { target: 'hendrix' });
      local.server.cnpg.configure('demo', 'hendrix-bench', { restoreSeconds });
      const requestsBefore = local.server.requests.length;
      const began = performance.now();
      const result = await local.requestRestore({ target: 'hendrix', clusterName: 'hendrix-bench' });
      const wall = performance.now() - began;
      const completed = local.events.ofType('Restore Completed')[0]!;
      const execution = local.execution(result.executionName!)!;
      row(
        `restore of ${restoreSeconds} s`,
        `RTO ${String(completed.detail.rtoSeconds)} s, seen ${String(completed.detail.detectionLagSeconds)} s later; ` +
          `${execution.transitions} transitions, ${local.server.requests.length - requestsBefore} API calls, ${wall.toFixed(0)} ms local`,
      );
    } finally {
      await local.close();
    }
  }
}

async function tokenSpeed(): Promise<void> {
  let now = Date.parse('2026-11-25T12:00:00Z');
  const provider = new EksTokenProvider({
    region: 'eu-west-1',
    clusterName: 'prod-eks',
    credentials: () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    now: () => new Date(now),
  });
  const runs = 2_000;
  const began = performance.now();
  for (let i = 0; i < runs; i += 1) {
    now += 15 * 60_000; // past the renewal point: every call signs
    await provider.token();
  }
  console.log('\nEKS token');
  row('presign GetCallerIdentity (fresh token)', `${(((performance.now() - began) / runs) * 1000).toFixed(0)} µs`);
}

/** The sections in the order they print; `npm run bench -- --only <name>` runs one. */
const SECTIONS: ReadonlyArray<[name: string, run: () => Promise<void>]> = [
  ['backup', backupCosts],
  ['throttling', () => throttledBackups(row)],
  [
    'cost',
    async () => {
      const monitoringPerTargetMonth = printMonitoringCostModel(await measureMonitoringUsage(1_000), row);
      const { catalog, sweepCatalog } = await steadyStateBackup();
      await fleetCostModel(row, {
        measured: 100,
        fleet: 1_000,
        monitoringPerTargetMonth,
        catalog: { perBackupRun: catalog, perSweep: sweepCatalog },
      });
      printSnapshotStorageCostModel(row);
    },
  ],
  ['restore', restoreOverhead],
  ['retention', () => retentionBench({ median: time, medianAsync: timeAsync, row })],
  ['token', tokenSpeed],
  ['bundles', lambdaBundleCosts],
  ['fleet', () => fleetBench(row)],
];

/** The sections `--only` names (all when absent); an unknown name is refused before anything runs. */
function selectedSections(args: readonly string[]): typeof SECTIONS {
  const at = args.indexOf('--only');
  if (at === -1) return SECTIONS;
  const name = args[at + 1];
  const section = SECTIONS.filter(([candidate]) => candidate === name);
  if (section.length === 0)
    throw new Error(`--only: expected one of ${SECTIONS.map(([candidate]) => candidate).join(', ')}, got ${name ?? 'nothing'}`);
  return section;
}

async function main(): Promise<void> {
  const sections = selectedSections(process.argv.slice(2));
  console.log('cnpg-snapshot-scheduler benchmarks');
  for (const [, run] of sections) await run();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
