/**
 * What each Lambda bundle costs before it does any work: bytes, and module init time (a fresh Node 24 process
 * importing the bundle), each as a ratio to a bare baseline bundle built and timed in the same run with the same
 * options. Also the memory a cold function holds, and what source maps would add.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseDeploymentConfig } from '../lib/deployment-config';
import { buildLambdaBundle } from '../lib/lambda-bundle';
import { BUNDLE_FILE } from '../lib/lambda-bundle-layout';
import { SnapshotSchedulerStack } from '../lib/snapshot-scheduler-stack';

const RUNS = 9;

/** Each function's baseline: the bare client it cannot do without. */
const BASELINES = {
  'client-node': join(__dirname, 'baselines', 'bare-client-node.ts'),
  eventbridge: join(__dirname, 'baselines', 'bare-eventbridge.ts'),
  'step-functions': join(__dirname, 'baselines', 'bare-step-functions.ts'),
  ec2: join(__dirname, 'baselines', 'bare-ec2.ts'),
} as const;
type Baseline = keyof typeof BASELINES;

/** The AWS-only functions' baselines; every other function is Kubernetes-facing. */
const BASELINE_OF: Record<string, Baseline> = {
  reportFailure: 'eventbridge',
  reportFanOut: 'eventbridge',
  dispatchSchedule: 'step-functions',
  startSnapshotCopies: 'ec2',
  checkSnapshotCopies: 'ec2',
  applyCopyRetention: 'ec2',
  reconcileRecoveryPoints: 'ec2',
};
/** The baseline a function's bundle is compared with: its bare AWS client, or client-node for the Kubernetes-facing. */
const baselineOf = (name: string): Baseline => BASELINE_OF[name] ?? 'client-node';

const GOALS: Record<Baseline, { bytes: number; init: number }> = {
  'client-node': { bytes: 1.15, init: 1.2 },
  eventbridge: { bytes: 1.3, init: 1.3 },
  'step-functions': { bytes: 1.3, init: 1.3 },
  ec2: { bytes: 1.3, init: 1.3 },
};

/** Runs in the child: imports the bundle, then invokes it once with a malformed event (refused before any I/O). */
const PROBE = `
const began = performance.now();
const cpu = process.cpuUsage();
const { handler } = await import(process.argv[1]);
const spent = process.cpuUsage(cpu);
const initMs = (spent.user + spent.system) / 1000;
const wallMs = performance.now() - began;
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
try { await handler({ malformed: true }, { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 30000 }); } catch {}
// Peak RSS of this process image (VmHWM, proc(5)): getrusage's maxRSS keeps the peak of the process it was forked
// from across execve, so in a child of a large parent it reports the parent's size.
const { readFileSync } = await import('node:fs');
const peakKb = Number(/^VmHWM:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
console.log(JSON.stringify({ initMs, wallMs, heapMb, maxRssMb: peakKb / 1024 }));`;

interface Sample {
  /** CPU time of the import (read, parse, compile, evaluate): what a cold start spends, little moved by a busy machine. */
  initMs: number;
  wallMs: number;
  heapMb: number;
  maxRssMb: number;
}

interface Measured {
  label: string;
  file: string;
  nodeOptions: string[];
  samples: Sample[];
  /** Per round, this bundle's init over that of its baseline probed just before it (none for a baseline). */
  initRatios: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function probe(file: string, nodeOptions: string[]): Sample {
  const output = execFileSync(process.execPath, [...nodeOptions, '--input-type=module', '-e', PROBE, file], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', EVENT_BUS_NAME: 'default', TARGETS: '[]', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as Sample;
}

/** The entry point of every function of the stack, as the stack declares it: a target with copies has them all. */
function functionEntries(): Array<[string, string]> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const copies = { region: 'eu-central-1', kmsKeyArn: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' };
  const config = parseDeploymentConfig({
    targets: [{ name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix', copies }],
  });
  const stack = new SnapshotSchedulerStack(app, 'Bench', { config, env: { account: '123456789012', region: 'eu-west-1' } });
  const functions = { ...stack.scheduler.functions, ...stack.scheduler.copies?.functions };
  return Object.entries(functions).map(([name, fn]) => [name, fn.entry]);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`;

export async function lambdaBundleCosts(): Promise<void> {
  if (!process.version.startsWith('v24.')) throw new Error(`the bundle bench runs on Node 24 (npm run bench), not ${process.version}`);
  const outdir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const bundle = async (label: string, entry: string, sourceMap = false) => {
      await buildLambdaBundle(entry, join(outdir, label), { sourceMap });
      return join(outdir, label, BUNDLE_FILE);
    };
    const entries = functionEntries();
    const measured = new Map<string, Measured>();
    const add = (label: string, file: string, nodeOptions: string[] = []) =>
      measured.set(label, { label, file, nodeOptions, samples: [], initRatios: [] });
    for (const [name, entry] of Object.entries(BASELINES)) add(name, await bundle(name, entry));
    for (const [name, entry] of entries) add(name, await bundle(name, entry));
    const withMaps = 'startBackup-source-maps';
    const mapped = await bundle(withMaps, entries.find(([name]) => name === 'startBackup')![1], true);
    add(withMaps, mapped, ['--enable-source-maps']);

    // Each bundle is probed right after the bundle it is compared with, in every round: the ratio of each pair is
    // taken while the machine is in one state (on a shared machine a ratio of medians taken apart moved by a tenth
    // between bench runs), and the init ratio printed is the median of the pairs'.
    const comparedWith = (label: string): string | undefined =>
      label in BASELINES ? undefined : label === withMaps ? 'startBackup' : baselineOf(label);
    for (let round = 0; round < RUNS; round += 1)
      for (const m of measured.values()) {
        const base = comparedWith(m.label);
        if (base === undefined) continue;
        const b = measured.get(base)!;
        const before = probe(b.file, b.nodeOptions);
        b.samples.push(before);
        const sample = probe(m.file, m.nodeOptions);
        m.samples.push(sample);
        m.initRatios.push(sample.initMs / before.initMs);
      }

    const stats = new Map(
      [...measured.values()].map((m) => [
        m.label,
        {
          bytes: statSync(m.file).size,
          initMs: median(m.samples.map((s) => s.initMs)),
          initRatio: m.initRatios.length > 0 ? median(m.initRatios) : undefined,
          wallMs: median(m.samples.map((s) => s.wallMs)),
          heapMb: median(m.samples.map((s) => s.heapMb)),
          maxRssMb: median(m.samples.map((s) => s.maxRssMb)),
        },
      ]),
    );
    const of = (label: string) => stats.get(label)!;

    console.log(
      `\nLambda bundles (lib/lambda-bundle.ts; init = CPU time of the import in a fresh Node ${process.version}, median of ${RUNS} or more; ` +
        `init ratio = median of ${RUNS} ratios, each to the baseline probed just before)`,
    );
    console.log(
      `  ${'bundle'.padEnd(30)} ${'bytes'.padStart(9)} ${'ratio'.padStart(6)} ${'init'.padStart(9)} ${'ratio'.padStart(6)}  goal       heap   max RSS     wall`,
    );
    const line = (label: string, baseline: Baseline | undefined) => {
      const s = of(label);
      const base = baseline && of(baseline);
      const goal = baseline ? GOALS[baseline] : undefined;
      console.log(
        `  ${label.padEnd(30)} ${kb(s.bytes).padStart(9)} ${(base ? ratio(s.bytes, base.bytes) : '').padStart(6)} ` +
          `${`${s.initMs.toFixed(1)} ms`.padStart(9)} ${(s.initRatio === undefined ? '' : `${s.initRatio.toFixed(2)}x`).padStart(6)}  ` +
          `${(goal ? `${goal.bytes}x/${goal.init}x` : 'baseline').padEnd(10)} ${`${s.heapMb.toFixed(1)} MB`.padStart(8)} ${`${s.maxRssMb.toFixed(0)} MB`.padStart(7)} ${`${s.wallMs.toFixed(0)} ms`.padStart(8)}`,
      );
    };
    for (const name of Object.keys(BASELINES)) line(name, undefined);
    for (const [name] of entries) line(name, baselineOf(name));
    const maps = of(withMaps);
    console.log(
      `  startBackup with --enable-source-maps: init ${maps.initMs.toFixed(1)} ms (${maps.initRatio!.toFixed(2)}x), ` +
        `heap ${maps.heapMb.toFixed(1)} MB, max RSS ${maps.maxRssMb.toFixed(0)} MB, map ${kb(statSync(`${mapped}.map`).size)}`,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
