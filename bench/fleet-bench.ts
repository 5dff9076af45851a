/**
 * One deployment for many databases: the stack's size at 10, 100 and 1,000 targets, and one tick of 1,000 targets
 * through the local runner against one Kubernetes API test server per EKS cluster. Numbers, never assertions.
 */
import { statSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseDeploymentConfig } from '../lib/deployment-config';
import { SnapshotSchedulerStack } from '../lib/snapshot-scheduler-stack';
import { LocalScheduler } from '../simulator/local-scheduler';
import { VirtualClock } from '../simulator/virtual-clock';
import { TEST_ACCOUNT, TEST_REGION } from '../simulator/workflow-runner/state-machine-definition';

const EKS_CLUSTERS = ['eks-a', 'eks-b', 'eks-c'];
const HOURLY = 'cron(0 * * * ? *)';

type Row = (label: string, value: string) => void;

function targetsOver(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    name: `db-${String(i).padStart(4, '0')}`,
    eksCluster: EKS_CLUSTERS[i % EKS_CLUSTERS.length]!,
    // One namespace: the test servers apply the RBAC and admission policy generated for these targets.
    namespace: 'demo',
    cluster: `db-${String(i).padStart(4, '0')}`,
  }));
}

function synthSize(count: number) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SnapshotSchedulerStack(app, 'Bench', {
    config: parseDeploymentConfig({ targets: targetsOver(count) }),
    env: { account: TEST_ACCOUNT, region: TEST_REGION },
  });
  const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string }> };
  const types = Object.values(template.Resources).map((r) => r.Type);
  return {
    resources: types.length,
    bytes: JSON.stringify(template).length,
    alarms: types.filter((t) => t === 'AWS::CloudWatch::Alarm').length,
    schedules: types.filter((t) => t === 'AWS::Scheduler::Schedule').length,
    catalogBytes: statSync(stack.scheduler.targetCatalog.path).size,
  };
}

async function tick(count: number) {
  const slot = new Date('2026-11-02T05:00:00Z');
  const local = await LocalScheduler.start({ clock: new VirtualClock(slot), eksClusters: EKS_CLUSTERS, targets: targetsOver(count) });
  try {
    const servers = [...local.servers.values()];
    const before = servers.map((s) => s.requests.length);
    for (const server of servers) server.peakConcurrentRequests = 0;
    const began = performance.now();
    await local.fireExpression('backup', HOURLY, slot, { runStarted: false });
    const seconds = (performance.now() - began) / 1000;
    const requests = servers.reduce((sum, s, i) => sum + s.requests.length - before[i]!, 0);
    const summary = local.events.ofType('Fan-out Completed').at(-1)!.detail;
    return {
      seconds,
      requests,
      peaks: servers.map((s) => s.peakConcurrentRequests),
      started: Number(summary.started),
      failedToStart: Number(summary.failedToStart),
    };
  } finally {
    await local.close();
  }
}

export async function fleetBench(row: Row): Promise<void> {
  console.log('\nOne deployment for many targets (3 EKS clusters): the synthesized stack');
  row('targets', 'resources   template bytes   alarms   schedules   catalog bytes');
  for (const count of [10, 100, 1000]) {
    const size = synthSize(count);
    row(
      String(count),
      `${String(size.resources).padStart(9)}   ${String(size.bytes).padStart(14)}   ${String(size.alarms).padStart(6)}   ${String(size.schedules).padStart(9)}   ${String(size.catalogBytes).padStart(13)}`,
    );
  }
  console.log('\nOne tick of the hourly schedule through the local runner (3 EKS clusters, 5 lanes each)');
  const small = await tick(100);
  const large = await tick(1000);
  for (const [count, result] of [
    [100, small],
    [1000, large],
  ] as const) {
    row(
      `${count} targets: every backup started after`,
      `${result.seconds.toFixed(1)} s local (${result.started} started, ${result.failedToStart} failed to start)`,
    );
    row(`${count} targets: Kubernetes requests per target`, (result.requests / count).toFixed(1));
    row(`${count} targets: peak concurrent requests per EKS cluster`, result.peaks.join(' / '));
  }
  row('time per target, 1,000 vs 100 targets', `${(large.seconds / 1000 / (small.seconds / 100)).toFixed(2)}x`);
}
