import { readFileSync } from 'node:fs';
import type { Backup, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { planRetention } from '../../lambdas/domain/retention-plan';
import type { TargetSpecInput } from '../../lambdas/domain/target-spec';
import type { CheckBackupResult } from '../../lambdas/handlers/check-backup';
import type { StartBackupResult } from '../../lambdas/handlers/start-backup';
import { HENDRIX, LocalScheduler, WORKFLOW_PRINCIPAL } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * Faults, each through the deployed workflows against the Kubernetes API test server. Every scenario must end in the
 * right state, and afterwards every backup the retention policy keeps (as planned on the state before the fault)
 * must still be there with its snapshots.
 */

const HOUR = 3_600_000;
const SHIPPED_RBAC = 'k8s/prod-eks.yaml';

interface Scenario {
  name: string;
  target?: Partial<TargetSpecInput>;
  cluster?: Record<string, unknown>;
  run: (local: LocalScheduler, target: string) => Promise<string>;
  expected: string;
}

const backup = async (local: LocalScheduler, target: string, input: Record<string, unknown> = {}) => {
  const execution = await local.runWorkflow('backup', { target: target, ...input });
  return execution.status === 'SUCCEEDED' ? 'backup succeeded' : `backup failed: ${execution.error}`;
};
const restore = async (local: LocalScheduler, payload: Record<string, unknown>) => {
  try {
    const result = await local.requestRestore(payload);
    const execution = local.execution(result.executionName!)!;
    return execution.status === 'SUCCEEDED' ? 'restore succeeded' : `restore failed: ${execution.error}`;
  } catch (error) {
    return `restore refused: ${(error as Error).name}`;
  }
};

const SCENARIOS: Scenario[] = [
  {
    name: '429 storm on creating the Backup',
    run: async (local, t) => {
      local.server.faults.add({ verb: 'create', resource: 'backups', times: 4, response: { status: 429, retryAfterSeconds: 5 } });
      return backup(local, t);
    },
    expected: 'backup succeeded',
  },
  {
    name: 'a quarter of all requests throttled',
    run: async (local, t) => {
      local.server.faults.add({ fraction: 0.25, response: { status: 429 } });
      return backup(local, t);
    },
    expected: 'backup succeeded',
  },
  {
    name: '500 on reading the Backup',
    run: async (local, t) => {
      local.server.faults.add({ verb: 'get', resource: 'backups', times: 2, response: { status: 500 } });
      return backup(local, t);
    },
    expected: 'backup succeeded',
  },
  {
    name: '503 on listing Backups',
    run: async (local, t) => {
      local.server.faults.add({ verb: 'list', resource: 'backups', times: 3, response: { status: 503 } });
      return backup(local, t);
    },
    expected: 'backup succeeded',
  },
  {
    name: 'connection reset while reading the Cluster',
    run: async (local, t) => {
      local.server.faults.add({ verb: 'get', resource: 'clusters', times: 2, response: { reset: true } });
      return backup(local, t);
    },
    expected: 'backup succeeded',
  },
  {
    name: 'a slow API server (every answer 30 ms late)',
    run: async (local, t) => {
      local.server.faults.add({ response: { latencyMs: 30 } });
      return backup(local, t);
    },
    expected: 'backup succeeded',
  },
  {
    name: 'the token expires mid-workflow',
    run: async (local, t) => {
      // Tokens carry their signing time to the second (X-Amz-Date): revoke at a whole second, as a fresh one is signed.
      local.clock.advanceTo(Math.ceil(local.clock.nowMs() / 1000) * 1000);
      local.server.revokeTokensIssuedBefore(local.clock.now());
      return backup(local, t);
    },
    expected: 'backup succeeded',
  },
  {
    name: 'duplicate delivery of a schedule',
    run: async (local, t) => {
      const slot = new Date(Math.ceil(local.clock.nowMs() / HOUR) * HOUR);
      local.clock.advanceTo(slot);
      const first = await local.fireSchedule('backup', t, slot);
      const second = await local.fireSchedule('backup', t, slot);
      return `${first.started ? 'started' : 'skipped'} then ${second.started ? 'started' : 'skipped'}`;
    },
    expected: 'started then skipped',
  },
  {
    name: 'a manual run and the scheduled run of the same slot at once',
    run: async (local, t) => {
      const scheduledTime = new Date(Math.ceil(local.clock.nowMs() / HOUR) * HOUR);
      local.clock.advanceTo(scheduledTime);
      const outcomes = await Promise.all([
        backup(local, t, { scheduledTime: scheduledTime.toISOString() }),
        backup(local, t, { scheduledTime: scheduledTime.toISOString() }),
      ]);
      const sameSlot = local.server
        .objects<Backup>('backups', 'demo')
        .filter(
          (b) =>
            b.metadata.annotations?.['cnpg-snapshot-scheduler/scheduled-time'] === scheduledTime.toISOString() && b.spec.cluster.name === t,
        );
      return `${outcomes.join(', ')}; ${sameSlot.length} Backup`;
    },
    expected: 'backup succeeded, backup succeeded; 1 Backup',
  },
  {
    name: 'the CSI driver fails the snapshot',
    run: async (local, t) => {
      local.server.cnpg.configure('demo', t, { csiError: 'rpc error: code = ResourceExhausted desc = SnapshotLimitExceeded' });
      return backup(local, t);
    },
    expected: 'backup failed: BackupFailed',
  },
  {
    name: 'the operator never starts the backup',
    run: async (local, t) => {
      local.server.cnpg.configure('demo', t, { stuckPending: true });
      return backup(local, t);
    },
    expected: 'backup failed: BackupTimedOut',
  },
  {
    name: 'finalizing takes 40 minutes',
    run: async (local, t) => {
      local.server.cnpg.configure('demo', t, { finalizingSeconds: 2400 });
      return backup(local, t);
    },
    expected: 'backup succeeded',
  },
  {
    name: 'throttling outlasts the retry budget',
    run: async (local, t) => {
      local.server.faults.add({ verb: 'get', resource: 'clusters', response: { status: 429 } });
      const outcome = await backup(local, t);
      return `${outcome}; ${local.events.ofType('Backup Failed').filter((e) => e.detail.target === t).length} failure event`;
    },
    expected: 'backup failed: TransientError; 1 failure event',
  },
  {
    name: 'the RBAC binding is missing',
    run: async (local, t) => {
      local.server.replaceRbac('');
      try {
        return await backup(local, t);
      } finally {
        local.server.replaceRbac(readFileSync(SHIPPED_RBAC, 'utf8'));
      }
    },
    expected: 'backup failed: KubernetesApiError',
  },
  {
    name: 'the Backup is deleted while it is followed',
    run: async (local, t) => {
      const start = (await local.invoke('startBackup', {
        input: { target: t },
        executionName: 'manual-delete',
      })) as StartBackupResult;
      const kube = await local.kube(t);
      await kube.delete('backups', 'demo', start.follow.name);
      local.clock.advance(start.progress.state === 'waiting' ? start.progress.waitSeconds * 1000 : 0);
      const check = (await local.invoke('checkBackup', { target: t, follow: start.follow })) as CheckBackupResult;
      return `${check.progress.state}: ${check.progress.phase}`;
    },
    expected: 'failed: deleted',
  },
  {
    name: 'the Cluster was hibernated',
    cluster: { hibernated: true },
    run: (local, t) => backup(local, t),
    expected: 'backup failed: PreconditionFailedError',
  },
  {
    name: 'EventBridge refuses the completion event once',
    run: async (local, t) => {
      const completions = () => local.events.ofType('Backup Completed').filter((e) => e.detail.target === t).length;
      const before = completions();
      local.events.failNext(1);
      const outcome = await backup(local, t);
      return `${outcome}; ${completions() - before} completion event`;
    },
    expected: 'backup succeeded; 1 completion event',
  },
  {
    name: 'a crash between deleting a Backup and its snapshots',
    target: { retention: { keepWithin: '1h', minKeep: 1, failedKeep: '1h' } },
    run: async (local, t) => {
      // A new backup makes the older one expire; its retention step then dies between the two deletes.
      const crash = local.server.faults.add({ verb: 'delete', resource: 'volumesnapshots', response: { reset: true } });
      const crashed = await local.runWorkflow('backup', { target: t });
      crash.remove();
      local.clock.advance(3 * HOUR);
      const repaired = await local.runWorkflow('retention', { target: t });
      const orphans = local.server
        .objects<VolumeSnapshot>('volumesnapshots', 'demo')
        .filter((s) => s.metadata.labels?.['cnpg.io/cluster'] === t)
        .filter(
          (s) =>
            !local.server.objects<Backup>('backups', 'demo').some((b) => b.metadata.name === s.metadata.labels?.['cnpg.io/backupName']),
        );
      return `${crashed.status} then ${repaired.status}; ${orphans.length} orphans`;
    },
    // The backup itself completed, so its execution succeeds whatever its retention step met; the next run repairs.
    expected: 'SUCCEEDED then SUCCEEDED; 0 orphans',
  },
  {
    name: 'the API server resets every snapshot listing during retention',
    run: async (local, t) => {
      local.server.faults.add({ verb: 'list', resource: 'volumesnapshots', response: { reset: true } });
      return (await local.runWorkflow('retention', { target: t })).error ?? 'no error';
    },
    expected: 'TransientError',
  },
  {
    name: 'the Backup name is taken by an object the scheduler did not create',
    run: async (local, t) => {
      const slot = new Date(Math.ceil(local.clock.nowMs() / HOUR) * HOUR);
      const foreign: Backup = {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Backup',
        metadata: { name: `${t}-${slot.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`, namespace: 'demo' },
        spec: { cluster: { name: t }, method: 'volumeSnapshot' },
      };
      local.server.seed(foreign);
      local.clock.advanceTo(slot);
      return backup(local, t, { scheduledTime: slot.toISOString() });
    },
    expected: 'backup failed: ConflictError',
  },
  {
    name: 'a snapshot is deleted before a restore',
    run: async (local, t) => {
      const latest = local.server
        .objects<Backup>('backups', 'demo')
        .filter((b) => b.spec.cluster.name === t)
        .sort((a, b) => b.metadata.name.localeCompare(a.metadata.name))[0]!;
      await (await local.kube(t)).delete('volumesnapshots', 'demo', `${latest.metadata.name}-wal`);
      return restore(local, { target: t, clusterName: `${t}-restore` });
    },
    expected: 'restore refused: PreconditionFailedError',
  },
  {
    name: 'the snapshot-recovery Job fails',
    run: async (local, t) => {
      local.server.cnpg.configure('demo', `${t}-restore`, { restoreFailure: 'job-failed' });
      return restore(local, { target: t, clusterName: `${t}-restore` });
    },
    expected: 'restore failed: RestoreFailed',
  },
  {
    name: 'the restored cluster never becomes ready',
    run: async (local, t) => {
      local.server.cnpg.configure('demo', `${t}-restore`, { restoreFailure: 'never-ready' });
      return restore(local, { target: t, clusterName: `${t}-restore`, timeoutMinutes: 10 });
    },
    expected: 'restore failed: RestoreTimedOut',
  },
];

const targetName = (index: number) => `fault-${String(index + 1).padStart(2, '0')}`;

describe('fault scenarios', () => {
  let local: LocalScheduler;

  beforeAll(async () => {
    local = await LocalScheduler.start({
      clock: new VirtualClock(new Date('2026-11-02T00:00:00Z')),
      targets: SCENARIOS.map((scenario, index) => ({
        ...HENDRIX,
        name: targetName(index),
        cluster: targetName(index),
        // An expression of its own, so that firing one scenario's schedule starts no other.
        schedule: `cron(${index} * * * ? *)`,
        ...scenario.target,
      })),
      clusterOptions: Object.fromEntries(
        SCENARIOS.map((scenario, index) => [targetName(index), { walArchive: 'plugin', ...scenario.cluster }]),
      ),
    });
    // A little history for every target: three completed hourly backups.
    for (let hour = 0; hour < 3; hour += 1) {
      local.clock.advanceTo(new Date(Date.parse('2026-11-02T00:00:00Z') + hour * HOUR));
      for (let index = 0; index < SCENARIOS.length; index += 1) {
        if (SCENARIOS[index]!.cluster?.hibernated) continue;
        await local.runWorkflow('backup', { target: targetName(index) });
      }
    }
    local.clock.advance(HOUR);
  });
  afterAll(() => local.close());

  test('there are at least twenty', () => expect(SCENARIOS.length).toBeGreaterThanOrEqual(20));

  test.each(SCENARIOS.map((scenario, index) => [scenario.name, scenario, targetName(index)] as const))(
    '%s',
    async (_name, scenario, target) => {
      const before = {
        backups: local.server.objects<Backup>('backups', 'demo').filter((b) => b.spec.cluster.name === target),
        snapshots: local.server
          .objects<VolumeSnapshot>('volumesnapshots', 'demo')
          .filter((s) => s.metadata.labels?.['cnpg.io/cluster'] === target),
      };
      try {
        expect(await scenario.run(local, target)).toBe(scenario.expected);
      } finally {
        local.server.faults.clear();
      }
      // Planned over every Backup and snapshot seen before or after, as of now: what the policy keeps must all be there.
      const after = {
        backups: local.server.objects<Backup>('backups', 'demo').filter((b) => b.spec.cluster.name === target),
        snapshots: local.server
          .objects<VolumeSnapshot>('volumesnapshots', 'demo')
          .filter((s) => s.metadata.labels?.['cnpg.io/cluster'] === target),
      };
      const union = <T extends { metadata: { name: string } }>(a: T[], b: T[]) => [
        ...new Map([...a, ...b].map((o) => [o.metadata.name, o])).values(),
      ];
      const plan = planRetention({
        target,
        cluster: local.target(target).cluster,
        backups: union(before.backups, after.backups),
        snapshots: union(before.snapshots, after.snapshots),
        clusters: [],
        claims: [],
        policy: local.target(target).retention,
        now: local.clock.now(),
      });
      const backupsNow = new Set(after.backups.map((b) => b.metadata.name));
      const snapshotsNow = new Set(after.snapshots.map((s) => s.metadata.name));
      const deletedByScenario = scenario.name === 'a snapshot is deleted before a restore' ? 1 : 0;
      const keptBackups = plan.backups.filter((b) => b.action === 'keep');
      expect(keptBackups.filter((b) => !backupsNow.has(b.name))).toEqual([]);
      expect(keptBackups.flatMap((b) => b.snapshots).filter((s) => !snapshotsNow.has(s))).toHaveLength(deletedByScenario);
    },
  );

  test('no token, signature or secret reached a log line, an event or an execution result', () => {
    const captured = JSON.stringify([local.log.entries, local.events.events, local.executions, local.metrics.points]);
    expect(captured).not.toContain('k8s-aws-v1.');
    expect(captured).not.toContain('X-Amz-Signature');
    expect(captured).not.toContain(WORKFLOW_PRINCIPAL.secretAccessKey);
    expect(captured).not.toContain('local-session-token');
    expect(local.log.entries.length).toBeGreaterThan(100);
  });
});
