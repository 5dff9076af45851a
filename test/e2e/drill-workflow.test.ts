import type { Cluster, Job, PersistentVolumeClaim, Pod } from '../../lambdas/domain/kube-objects';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * Restore drills through the deployed drill workflow in the local runner, proven on data: the simulated clusters hold
 * rows in an embedded PostgreSQL, the drill restores the latest backup into a throwaway cluster, verifies it with a
 * psql Job against that data, reports, and tears everything down, also when it fails or times out.
 */

const START = Date.parse('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;

describe('restore drills end to end', () => {
  let local: LocalScheduler;

  beforeAll(async () => {
    local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [
        {
          ...HENDRIX,
          drill: {
            checks: [
              { name: 'has-orders', sql: 'select count(*) > 0 from orders', expected: 't' },
              { name: 'order-count', sql: 'select count(*) from orders;', expected: '2' },
            ],
            freshnessQuery: 'select max(created_at) from orders',
          },
        },
        // More targets of the same cluster, each with another drill.
        {
          ...HENDRIX,
          name: 'hendrix-wrong',
          drill: {
            checks: [{ name: 'too-many', sql: 'select count(*) from orders', expected: '3' }],
            freshnessQuery: 'select max(created_at) from orders',
          },
        },
        {
          ...HENDRIX,
          name: 'hendrix-broken',
          drill: { checks: [{ name: 'no-table', sql: 'select count(*) from invoices', expected: '1' }] },
        },
        { ...HENDRIX, name: 'hendrix-slow', drill: { timeoutMinutes: 5 } },
      ],
    });
    await local.server.cnpg.sql(
      'demo',
      'hendrix',
      "create table orders (id int primary key, created_at timestamptz not null); insert into orders values (1, '2026-11-23T23:40:00Z'), (2, '2026-11-23T23:58:00Z')",
    );
    await local.fireSchedule('backup', 'hendrix', new Date(START));
    local.clock.advanceTo(new Date(START + HOUR / 2));
    // Written after the backup: no drill of that backup may see it.
    await local.server.cnpg.sql('demo', 'hendrix', "insert into orders values (3, '2026-11-24T00:30:00Z')");
  });
  afterAll(() => local.close());

  const drillObjects = () => ({
    clusters: local.server.objects<Cluster>('clusters', 'demo').filter((c) => c.metadata.name.includes('-drill-')),
    claims: local.server
      .objects<PersistentVolumeClaim>('persistentvolumeclaims', 'demo')
      .filter((c) => c.metadata.name.includes('-drill-')),
    jobs: local.server.objects<Job>('jobs', 'demo').filter((j) => j.metadata.name.includes('-drill-')),
    pods: local.server.objects<Pod>('pods', 'demo').filter((p) => p.metadata.name.includes('-drill-')),
  });
  const noDrillObjects = { clusters: [], claims: [], jobs: [], pods: [] };
  const drillEvents = (execution: string) =>
    [...local.events.ofType('Drill Completed'), ...local.events.ofType('Drill Failed')].filter((e) => e.detail.execution === execution);

  /** The drill clusters' passwords, read while the clusters exist (their Secrets go with them). */
  const passwords = new Set<string>();

  test('rows written before the backup are in the drill cluster, rows after it are not; RTO, achieved RPO, checks', async () => {
    const stopWatching = local.clock.onAdvance(() => {
      for (const secret of local.server.objects<{ metadata: { name: string }; data: Record<string, string> }>('secrets', 'demo'))
        if (secret.metadata.name.includes('-drill-')) passwords.add(Buffer.from(secret.data.password ?? '', 'base64').toString('utf8'));
    });
    const execution = await local.runWorkflow('drill', { target: 'hendrix', scheduledTime: '2026-11-24T00:30:00Z' }, 'hendrix-drill-1');
    stopWatching();
    const [event] = drillEvents('hendrix-drill-1');
    expect(execution.status).toBe('SUCCEEDED');
    expect(event?.detailType).toBe('Drill Completed');
    expect(event?.detail).toMatchObject({
      target: 'hendrix',
      outcome: 'passed',
      backup: 'hendrix-20261124000000',
      clusterName: 'hendrix-drill-20261124003000',
      newestRowAt: '2026-11-23T23:58:00.000Z',
      checks: [
        { name: 'select 1', kind: 'connection', passed: true, value: '1' },
        { name: 'has-orders', kind: 'check', passed: true, value: 't', expected: 't' },
        // Three rows in the source now; the backup held two.
        { name: 'order-count', kind: 'check', passed: true, value: '2', expected: '2' },
        { name: 'freshness', kind: 'freshness', passed: true },
      ],
    });
    const backupEndedAt = Date.parse(String(event?.detail.backupEndedAt));
    expect(event?.detail.achievedRpoSeconds).toBe((backupEndedAt - Date.parse('2026-11-23T23:58:00Z')) / 1000);
    const readyAt = local.server.cnpg.readyAt('demo', 'hendrix-drill-20261124003000')!;
    expect(event?.detail.rtoSeconds).toBe((readyAt.getTime() - Date.parse(String(event?.detail.createdAt))) / 1000);
    expect(event?.detail.teardown).toEqual({
      clusters: ['hendrix-drill-20261124003000'],
      jobs: ['hendrix-drill-20261124003000-verify'],
      persistentVolumeClaims: ['hendrix-drill-20261124003000-1', 'hendrix-drill-20261124003000-1-wal'],
    });
    expect(drillObjects()).toEqual(noDrillObjects);
    expect(local.metrics.points.filter((p) => p.name.startsWith('Drill'))).toEqual([
      { target: 'hendrix', name: 'DrillSucceeded', value: 1, unit: 'Count' },
      { target: 'hendrix', name: 'DrillRtoSeconds', value: event?.detail.rtoSeconds, unit: 'Seconds' },
    ]);
  });

  test('no password in the execution, the events or the logs', () => {
    expect(passwords.size).toBe(1);
    const recorded = JSON.stringify([local.executions, local.events.events, local.log.entries]);
    for (const password of passwords) expect(recorded).not.toContain(password);
  });

  test('a failing check is reported, with its value and what was expected, and the drill still tears down', async () => {
    const execution = await local.runWorkflow(
      'drill',
      { target: 'hendrix-wrong', scheduledTime: '2026-11-24T01:00:00Z' },
      'hendrix-drill-2',
    );
    expect(execution.status).toBe('FAILED');
    const [event] = drillEvents('hendrix-drill-2');
    expect(event?.detailType).toBe('Drill Failed');
    expect(event?.detail).toMatchObject({
      outcome: 'failed',
      error: 'failed: too-many',
      checks: [
        { name: 'select 1', passed: true },
        { name: 'too-many', passed: false, value: '2', expected: '3' },
        { name: 'freshness', passed: true },
      ],
    });
    expect(drillObjects()).toEqual(noDrillObjects);
    // The notification rule sends it to the alarm topic, naming the target.
    expect(
      local.notifications.map((n) => n.message as { notification: string }).filter((m) => m.notification === 'Drill Failed'),
    ).toContainEqual(
      expect.objectContaining({
        target: 'hendrix-wrong',
        cluster: 'hendrix',
        detail: expect.objectContaining({ error: 'failed: too-many' }),
      }),
    );
  });

  test('a check whose SQL fails reports PostgreSQL’s error', async () => {
    const execution = await local.runWorkflow(
      'drill',
      { target: 'hendrix-broken', scheduledTime: '2026-11-24T01:30:00Z' },
      'hendrix-drill-3',
    );
    expect(execution.status).toBe('FAILED');
    const [event] = drillEvents('hendrix-drill-3');
    expect(event?.detail.checks).toContainEqual({
      name: 'no-table',
      kind: 'check',
      passed: false,
      error: 'ERROR:  relation "invoices" does not exist',
    });
    expect(drillObjects()).toEqual(noDrillObjects);
  });

  test('a drill cluster that never becomes ready times out, is reported, and is still torn down', async () => {
    local.server.cnpg.configure('demo', 'hendrix-drill-20261124020000', { restoreFailure: 'never-ready' });
    const execution = await local.runWorkflow(
      'drill',
      { target: 'hendrix-slow', scheduledTime: '2026-11-24T02:00:00Z' },
      'hendrix-drill-4',
    );
    expect(execution.status).toBe('FAILED');
    const [event] = drillEvents('hendrix-drill-4');
    expect(event?.detailType).toBe('Drill Failed');
    expect(event?.detail).toMatchObject({
      outcome: 'timedOut',
      clusterName: 'hendrix-drill-20261124020000',
      checks: [],
      teardown: {
        clusters: ['hendrix-drill-20261124020000'],
        jobs: [],
        persistentVolumeClaims: ['hendrix-drill-20261124020000-1', 'hendrix-drill-20261124020000-1-wal'],
      },
    });
    expect(String(event?.detail.error)).toMatch(/^not ready after 5 minutes/);
    expect(drillObjects()).toEqual(noDrillObjects);
    expect(local.metrics.points.filter((p) => p.name === 'DrillFailed')).toHaveLength(3);
  });

  test('one drill per target: a drill in progress is never deleted by another, which fails and says why', async () => {
    const inProgress = local.server.seed({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: {
        name: 'hendrix-drill-20261124025000',
        namespace: 'demo',
        labels: {
          'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
          'cnpg-snapshot-scheduler/target': 'hendrix',
          'cnpg-snapshot-scheduler/drill': 'hendrix',
        },
        annotations: { 'cnpg-snapshot-scheduler/execution': 'another-execution' },
      },
      spec: { instances: 1, storage: { size: '1Gi' } },
    });
    const execution = await local.runWorkflow('drill', { target: 'hendrix', scheduledTime: '2026-11-24T03:00:00Z' }, 'hendrix-drill-5');
    expect(execution.status).toBe('FAILED');
    const [event] = drillEvents('hendrix-drill-5');
    expect(event?.detail).toMatchObject({ outcome: 'error', teardown: { clusters: [], jobs: [], persistentVolumeClaims: [] } });
    expect(String(event?.detail.error)).toContain(
      'A drill of target hendrix is still in progress (cluster demo/hendrix-drill-20261124025000',
    );
    expect(local.server.objects<Cluster>('clusters', 'demo').map((c) => c.metadata.uid)).toContain(inProgress.metadata.uid);
    local.server.remove('clusters', 'demo', 'hendrix-drill-20261124025000');
  });

  test('an input naming no target of the deployment fails the execution, reported with the field named, and changes nothing', async () => {
    const before = local.server.requests.length;
    const execution = await local.runWorkflow('drill', { target: 'nobody' }, 'nobody-drill-1');
    expect(execution.status).toBe('FAILED');
    const failed = local.events.ofType('Drill Failed').filter((e) => e.detail.execution === 'nobody-drill-1');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]?.detail.error)).toContain('input.target');
    expect(local.server.requests.slice(before).filter((r) => r.verb !== 'get' && r.verb !== 'list')).toEqual([]);
  });
});
