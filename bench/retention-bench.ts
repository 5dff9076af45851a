import { MemoryRecoveryPointCatalog } from '../simulator/memory-recovery-point-catalog';
/**
 * Retention at scale: the pure planner, and the ApplyRetention handler end to end (plan and deletion schedule, a
 * dry run against an in-memory Kubernetes), each bundled with esbuild as the Lambda bundles it, over histories
 * parsed from JSON as the Kubernetes client parses them, timed at several sizes so that the growth shows. The
 * baseline, built in the same run, is one pass that any planner needs: read every object's name and labels, parse
 * every completion time once and sort the Backups by it.
 */
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { createApplyRetention as CreateApplyRetention } from '../lambdas/handlers/apply-retention';
import { backupNameFor } from '../lambdas/domain/backup-name';
import type { Backup, VolumeSnapshot } from '../lambdas/domain/kube-objects';
import type { planRetention as PlanRetention, RetentionInputs } from '../lambdas/domain/retention-plan';
import { RetentionPolicySchema, TargetSpecSchema } from '../lambdas/domain/target-spec';
import { FanOutSettingsSchema, TargetCatalog } from '../lambdas/domain/target-catalog';
import { CLUSTER, TARGET, backupObject, snapshotsOfBackup } from '../test/domain/retention-arbitraries';
import { MemoryLog } from '../simulator/memory-log';
import { RecordingEventPublisher } from '../simulator/recording-event-publisher';
import { RecordingMetrics } from '../simulator/recording-metrics';
import { InMemoryKubeResources } from './in-memory-kube-resources';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const HOUR = 3_600_000;
const RUNS = 7;
/**
 * Untimed runs before each size's timed ones: the first size would otherwise be timed while the code is still being
 * optimized, which makes the growth figure look better than linear.
 */
const WARM_UPS = 3;
const POLICY = { keepWithin: '7d', daily: 30, weekly: 12, monthly: 12 } as const;

export interface Timing {
  median(fn: () => unknown, runs: number): number;
  medianAsync(fn: () => Promise<unknown>, runs: number): Promise<number>;
  row(label: string, value: string): void;
}

/**
 * An hourly history of `count` completed Backups of the target with their PGDATA and WAL snapshots, named as the
 * scheduler names them and in the API server's order (by name, so oldest first), parsed from JSON.
 */
function hourlyHistory(count: number): { backups: Backup[]; snapshots: VolumeSnapshot[] } {
  const backups = Array.from({ length: count }, (_, i) => {
    const createdAt = NOW - (count - 1 - i) * HOUR;
    return backupObject({ name: backupNameFor(CLUSTER, new Date(createdAt)), phase: 'completed', createdAt });
  });
  return JSON.parse(JSON.stringify({ backups, snapshots: backups.flatMap((b) => snapshotsOfBackup(b)) })) as {
    backups: Backup[];
    snapshots: VolumeSnapshot[];
  };
}

/** The least a planner must do: a pass over every object and a sort of the Backups by completion time. */
function baselinePass(inputs: RetentionInputs): number {
  const times = inputs.backups.map((b) => ({ name: b.metadata.name, time: Date.parse(b.status?.stoppedAt ?? '') }));
  times.sort((a, b) => b.time - a.time);
  let labelled = 0;
  for (const snapshot of inputs.snapshots) if (snapshot.metadata.labels?.['cnpg.io/backupName'] !== undefined) labelled += 1;
  return labelled + times.length;
}

/** The modules as the Lambda bundles run them (one scope, no per-module indirection), loaded from a temporary file. */
async function bundled<T>(entry: string): Promise<T> {
  const output = buildSync({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', minify: true, write: false });
  const directory = mkdtempSync(join(tmpdir(), 'retention-bench-'));
  const file = join(directory, 'module.mjs');
  writeFileSync(file, output.outputFiles[0]!.text);
  try {
    return (await import(pathToFileURL(file).href)) as T;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * A full collection of the heap, through the `gc` function V8 exposes under --expose-gc. The flag is set at run time
 * (node's v8.setFlagsFromString) rather than on the command line: it only puts `gc` into contexts created after it,
 * and changes nothing in how V8 collects, so the other sections run as they did. Run once before each size's untimed
 * runs, outside any time, so that a size starts from a heap holding its own history only: the garbage an earlier
 * size left (over a gigabyte after the planner's 100,000 Backups) is otherwise never collected by a full collection
 * while a later size is timed, and each young-generation collection then took 2 to 33 ms (--trace-gc), which moved
 * the handler's figure at 40,000 Backups between 46 and 110 ms from one bench run to the next.
 */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function plannerSpeed(timing: Timing): Promise<void> {
  const { planRetention } = await bundled<{ planRetention: typeof PlanRetention }>('lambdas/domain/retention-plan.ts');
  const collect = fullCollection();
  console.log(`\nRetention planner (pure, as bundled), median of ${RUNS} runs after ${WARM_UPS} untimed`);
  const policy = RetentionPolicySchema.parse(POLICY);
  const perThousand: number[] = [];
  for (const count of [10_000, 40_000, 100_000]) {
    const inputs: RetentionInputs = {
      target: TARGET,
      cluster: CLUSTER,
      ...hourlyHistory(count),
      clusters: [],
      claims: [],
      policy,
      now: new Date(NOW),
    };
    collect();
    for (let i = 0; i < WARM_UPS; i += 1) {
      baselinePass(inputs);
      planRetention(inputs);
    }
    const baseline = timing.median(() => baselinePass(inputs), RUNS);
    const ms = timing.median(() => planRetention(inputs), RUNS);
    perThousand.push(ms / (count / 1000));
    timing.row(
      `${count} backups, ${inputs.snapshots.length} snapshots`,
      `${ms.toFixed(1)} ms, ${(ms / baseline).toFixed(1)}x the baseline pass (${baseline.toFixed(1)} ms)`,
    );
  }
  timing.row('growth: time per backup at 100,000 / at 10,000 (1.0 = linear)', (perThousand[2]! / perThousand[0]!).toFixed(2));
}

async function handlerSpeed(timing: Timing): Promise<void> {
  const collect = fullCollection();
  const { createApplyRetention } = await bundled<{ createApplyRetention: typeof CreateApplyRetention }>(
    'lambdas/handlers/apply-retention.ts',
  );
  console.log(
    `\nApplyRetention handler (dry run: plan + deletion schedule, in-memory Kubernetes), median of ${RUNS} runs after ${WARM_UPS} untimed`,
  );
  const target = TargetSpecSchema.parse({ name: TARGET, eksCluster: 'prod-eks', namespace: 'demo', cluster: CLUSTER, retention: POLICY });
  const perThousand: number[] = [];
  for (const count of [10_000, 40_000]) {
    const { backups, snapshots } = hourlyHistory(count);
    const kube = new InMemoryKubeResources({ backups, volumesnapshots: snapshots });
    const catalog = new TargetCatalog({ targets: [target], fanOut: FanOutSettingsSchema.parse({}), policies: {}, discovery: [] });
    const handler = createApplyRetention({
      catalog: () => catalog,
      kube: () => Promise.resolve(kube),
      events: new RecordingEventPublisher(),
      metrics: new RecordingMetrics(),
      now: () => new Date(NOW),
      recoveryPoints: new MemoryRecoveryPointCatalog(),
      log: new MemoryLog(),
    });
    const run = () => handler({ input: { target: target.name, dryRun: true }, trigger: 'manual' });
    collect();
    for (let i = 0; i < WARM_UPS; i += 1) await run();
    const ms = await timing.medianAsync(run, RUNS);
    perThousand.push(ms / (count / 1000));
    timing.row(`${count} backups, ${snapshots.length} snapshots`, `${ms.toFixed(1)} ms`);
  }
  timing.row('growth: time per backup at 40,000 / at 10,000 (1.0 = linear)', (perThousand[1]! / perThousand[0]!).toFixed(2));
}

export async function retentionBench(timing: Timing): Promise<void> {
  await plannerSpeed(timing);
  await handlerSpeed(timing);
}
