import type { Backup } from '../../lambdas/domain/kube-objects';
import type { TargetSpecInput } from '../../lambdas/domain/target-spec';
import { LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * One schedule per expression: a tick finds the due targets and starts them in lanes per EKS cluster, through the
 * synthesized fan-out workflows on the local runner, against one test server per EKS cluster.
 */

const HOURLY = 'cron(0 * * * ? *)';
const SWEEP = 'cron(30 3 * * ? *)';
const SLOT = new Date('2026-11-02T03:00:00Z');
const CONCURRENCY = 2;

const names = ['ella', 'nina', 'billie', 'sarah', 'aretha', 'dinah', 'etta'];
const targets: TargetSpecInput[] = [
  ...names.map((name, i) => ({ name, eksCluster: i % 2 === 0 ? 'eks-a' : 'eks-b', namespace: 'demo', cluster: name })),
  { name: 'miles', eksCluster: 'eks-a', namespace: 'demo', cluster: 'miles', schedule: 'cron(15 */2 * * ? *)', drill: { enabled: false } },
];

describe('fan-out of a schedule firing', () => {
  let local: LocalScheduler;
  beforeAll(async () => {
    local = await LocalScheduler.start({
      clock: new VirtualClock(SLOT),
      eksClusters: ['eks-a', 'eks-b'],
      targets,
      config: { fanOut: { concurrencyPerEksCluster: CONCURRENCY } },
      clusterOptions: { etta: { hibernated: true } },
    });
  });
  afterAll(() => local.close());

  const backupsOn = (eksCluster: string) => local.servers.get(eksCluster)!.objects<Backup>('backups', 'demo');
  const summaries = () => local.events.ofType('Fan-out Completed').map((e) => e.detail);

  test('one tick starts the backup of every target due on the expression, and of no other', async () => {
    const tick = await local.fireExpression('backup', HOURLY, SLOT);
    expect(tick.started).toBe(true);
    const created = [...backupsOn('eks-a'), ...backupsOn('eks-b')].map((b) => b.metadata.name).sort();
    expect(created).toEqual(
      names
        .filter((n) => n !== 'etta')
        .map((n) => `${n}-20261102030000`)
        .sort(),
    );
    for (const name of names.filter((n) => n !== 'etta'))
      expect(local.execution(`${name}-backup-20261102030000`)).toMatchObject({ status: 'SUCCEEDED' });
    expect(local.execution('miles-backup-20261102030000')).toBeUndefined();
  });

  test('a target whose Backup cannot be created still gets its slot execution, which fails with the cause', () => {
    const execution = local.execution('etta-backup-20261102030000')!;
    expect(execution).toMatchObject({ status: 'FAILED', error: 'PreconditionFailedError' });
    expect(execution.cause).toContain('hibernated');
    expect(local.events.ofType('Backup Failed').map((e) => e.detail.target)).toEqual(['etta']);
  });

  test('the summary event counts what became of every due target', () => {
    expect(summaries()).toEqual([
      {
        workflow: 'backup',
        schedule: HOURLY,
        scheduledTime: SLOT.toISOString(),
        due: 7,
        started: 6,
        alreadyStarted: 0,
        failedToStart: 1,
        conflicts: [],
      },
    ]);
  });

  test('no EKS cluster served more requests at once than its lanes', () => {
    for (const server of local.servers.values()) expect(server.peakConcurrentRequests).toBeLessThanOrEqual(CONCURRENCY);
  });

  test('the same firing delivered again starts no tick; a second tick of the slot starts no execution', async () => {
    const executions = local.executions.length;
    expect((await local.fireExpression('backup', HOURLY, SLOT)).started).toBe(false);
    const rerun = await local.runWorkflow('backupFanOut', { workflow: 'backup', schedule: HOURLY, scheduledTime: SLOT.toISOString() });
    await local.runStartedExecutions();
    expect(rerun.status).toBe('SUCCEEDED');
    expect(local.executions.length).toBe(executions + 1);
    expect(summaries().at(-1)).toMatchObject({ due: 7, started: 0, alreadyStarted: 7, failedToStart: 0 });
    expect([...backupsOn('eks-a'), ...backupsOn('eks-b')]).toHaveLength(6);
  });

  test('the retention sweep fans out the same way: every target swept once, in its lane', async () => {
    local.clock.advanceTo(new Date('2026-11-02T03:30:00Z'));
    await local.fireExpression('retention', SWEEP, local.clock.now());
    const swept = local.events.ofType('Retention Applied').filter((e) => e.detail.trigger === 'schedule');
    expect(swept.map((e) => e.detail.target).sort()).toEqual([...names, 'miles'].sort());
    expect(summaries().at(-1)).toMatchObject({ workflow: 'retention', due: 8, swept: 8, failed: 0 });
  });

  test('a drill tick starts the drill of every target due on its expression, and none of a target whose drills are off', async () => {
    const sunday = new Date('2026-11-08T04:00:00Z');
    local.clock.advanceTo(sunday);
    await local.fireExpression('drill', 'cron(0 4 ? * SUN *)', sunday, { runStarted: false });
    expect(summaries().at(-1)).toMatchObject({ workflow: 'drill', due: 7, started: 7, alreadyStarted: 0, failedToStart: 0 });
    expect(local.startedExecutionNames()).toEqual(names.map((name) => `${name}-drill-20261108040000`).sort());
  });
});
