import type { Backup, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { crdSchemaViolations } from '../../simulator/crd-schemas';

/** The synthesized backup workflow, its real handlers and adapters, against the Kubernetes API test server. */

// Each on an expression of its own, so that firing one target's schedule starts no other.
const target = (name: string, minute: number) => ({ ...HENDRIX, name, cluster: name, schedule: `cron(${minute} * * * ? *)` });
const slot = (iso: string) => new Date(iso);

describe('the backup workflow end to end', () => {
  let local: LocalScheduler;

  beforeAll(async () => {
    local = await LocalScheduler.start({
      targets: [
        HENDRIX,
        target('jimi', 1),
        target('janis', 2),
        target('stevie', 3),
        target('carlos', 4),
        target('prince', 5),
        target('eric', 6),
        target('duane', 7),
      ],
      clusterOptions: { janis: { hibernated: true }, stevie: { volumeSnapshot: false } },
    });
  });
  afterAll(() => local.close());

  const backupsOf = (cluster: string) => local.server.objects<Backup>('backups', 'demo').filter((b) => b.spec.cluster.name === cluster);
  const eventsFor = (cluster: string) => local.events.events.filter((e) => e.detail.cluster === cluster);

  test('a scheduled slot creates the Backup, follows it to completed and announces it', async () => {
    local.clock.advanceTo(slot('2026-11-02T01:00:00Z'));
    const dispatched = await local.fireSchedule('backup', 'hendrix', slot('2026-11-02T01:00:00Z'));
    expect(dispatched).toMatchObject({ started: true, executionName: 'hendrix-backup-20261102010000' });
    const execution = local.execution(dispatched.executionName)!;
    expect(execution.status).toBe('SUCCEEDED');

    const [backup] = backupsOf('hendrix');
    expect(backup!.metadata.name).toBe('hendrix-20261102010000');
    expect(backup!.metadata.labels).toMatchObject({
      'cnpg.io/cluster': 'hendrix',
      'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
    });
    expect(backup!.status?.phase).toBe('completed');
    expect(crdSchemaViolations('Backup', backup)).toEqual([]);

    const completed = eventsFor('hendrix').find((e) => e.detailType === 'Backup Completed')!;
    expect(completed.detail).toMatchObject({
      target: 'hendrix',
      backup: 'hendrix-20261102010000',
      phase: 'completed',
      durationSeconds: 185,
      snapshots: ['hendrix-20261102010000', 'hendrix-20261102010000-wal'],
    });
    const snapshots = local.server
      .objects<VolumeSnapshot>('volumesnapshots', 'demo')
      .filter((s) => s.metadata.labels?.['cnpg.io/backupName'] === backup!.metadata.name);
    expect(snapshots.map((s) => s.status?.readyToUse)).toEqual([true, true]);
    expect(local.metrics.points.filter((p) => p.target === 'hendrix').map((p) => [p.name, p.value])).toEqual([
      ['BackupSucceeded', 1],
      ['BackupDurationSeconds', 185],
      ['RetentionDeleted', 0],
    ]);
    // With no history yet, the first wait is a default guess: at most two checks.
    expect(execution.statesEntered.filter((s) => s === 'CheckBackup').length).toBeLessThanOrEqual(2);
    expect(execution.transitions).toBeLessThanOrEqual(10);
  });

  test('once the cluster has a history, a routine backup by hand is checked once: eight state transitions', async () => {
    local.clock.advanceTo(slot('2026-11-02T01:30:00Z'));
    const execution = await local.runWorkflow('backup', { target: 'hendrix', scheduledTime: '2026-11-02T01:30:00Z' });
    expect(execution.statesEntered).toEqual([
      'BackupProgress',
      'StartBackup',
      'BackupProgress',
      'WaitForBackup',
      'CheckBackup',
      'BackupProgress',
      'ApplyRetention',
      'BackupCompleted',
    ]);
    expect(execution.transitions).toBe(8);
  });

  test('a duplicate delivery of the same slot starts nothing new', async () => {
    const time = slot('2026-11-02T01:00:00Z');
    const again = await local.fireSchedule('backup', 'hendrix', time);
    expect(again).toMatchObject({ started: false, executionName: 'hendrix-backup-20261102010000' });
    expect(backupsOf('hendrix').filter((b) => b.metadata.name === 'hendrix-20261102010000')).toHaveLength(1);
    expect(
      eventsFor('hendrix').filter((e) => e.detailType === 'Backup Completed' && e.detail.backup === 'hendrix-20261102010000'),
    ).toHaveLength(1);
  });

  test('a rerun of a slot whose Backup exists adopts it instead of failing', async () => {
    const before = backupsOf('hendrix').length;
    const execution = await local.runWorkflow('backup', { target: 'hendrix', scheduledTime: '2026-11-02T01:00:00Z' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(backupsOf('hendrix')).toHaveLength(before);
  });

  test('a CSI error fails the backup with CNPG status.error and leaves its snapshots for retention', async () => {
    local.server.cnpg.configure('demo', 'jimi', { csiError: 'rpc error: code = Internal desc = SnapshotLimitExceeded' });
    const execution = await local.runWorkflow('backup', { target: 'jimi' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'BackupFailed' });
    expect(execution.cause).toContain('SnapshotLimitExceeded');
    const failed = eventsFor('jimi').find((e) => e.detailType === 'Backup Failed')!;
    expect(failed.detail.error).toBe("can't execute snapshot backup: rpc error: code = Internal desc = SnapshotLimitExceeded");
    expect(
      local.server.objects<VolumeSnapshot>('volumesnapshots', 'demo').filter((s) => s.metadata.labels?.['cnpg.io/cluster'] === 'jimi'),
    ).toHaveLength(2);
  });

  test('a backup stuck in pending times out at the not-started deadline and says why', async () => {
    local.server.cnpg.configure('demo', 'carlos', { stuckPending: true });
    const startedAt = local.clock.nowMs();
    const execution = await local.runWorkflow('backup', { target: 'carlos' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'BackupTimedOut' });
    expect(execution.cause).toMatch(/did not start within 45 minutes/);
    expect(local.clock.nowMs() - startedAt).toBeLessThan(50 * 60_000);
    expect(eventsFor('carlos').map((e) => e.detailType)).toEqual(['Backup Timed Out']);
    expect(local.metrics.sum('carlos', 'BackupFailed')).toBe(1);
  });

  test('a slow finalizing phase is followed to completion, and the next backup waits as long before checking', async () => {
    local.server.cnpg.configure('demo', 'prince', { finalizingSeconds: 1800 });
    const checks = (execution: { statesEntered: string[] }) => execution.statesEntered.filter((s) => s === 'CheckBackup').length;
    const first = await local.runWorkflow('backup', { target: 'prince' });
    expect(first.status).toBe('SUCCEEDED');
    expect(checks(first)).toBeLessThanOrEqual(10);
    local.clock.advance(3_600_000);
    const second = await local.runWorkflow('backup', { target: 'prince' });
    expect(second.status).toBe('SUCCEEDED');
    expect(checks(second)).toBeLessThanOrEqual(2);
  });

  test.each([
    ['janis', 'is hibernated'],
    ['stevie', 'has no spec.backup.volumeSnapshot'],
  ])('refuses cluster %s, which %s, creating nothing and announcing the failure', async (cluster, reason) => {
    const execution = await local.runWorkflow('backup', { target: cluster });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'PreconditionFailedError' });
    expect(execution.cause).toContain(reason);
    expect(backupsOf(cluster)).toEqual([]);
    expect(eventsFor(cluster)).toEqual([
      expect.objectContaining({ detailType: 'Backup Failed', detail: expect.objectContaining({ errorName: 'PreconditionFailedError' }) }),
    ]);
  });

  test('a 429 storm and server errors are retried with backoff until the API answers', async () => {
    const storm = local.server.faults.add({
      verb: 'create',
      resource: 'backups',
      times: 3,
      response: { status: 429, retryAfterSeconds: 2 },
    });
    const outage = local.server.faults.add({ verb: 'get', resource: 'backups', times: 2, response: { status: 503 } });
    const reset = local.server.faults.add({ verb: 'get', resource: 'clusters', times: 1, response: { reset: true } });
    const execution = await local.runWorkflow('backup', { target: 'eric' });
    expect(execution.status).toBe('SUCCEEDED');
    expect([storm.hits, outage.hits, reset.hits]).toEqual([3, 2, 1]);
    expect(local.server.requests.filter((r) => r.status === 429 && r.resource === 'backups')).toHaveLength(3);
    [storm, outage, reset].forEach((f) => f.remove());
  });

  test('a token that expires mid-workflow is replaced by a fresh one after a single 401', async () => {
    const first = await local.runWorkflow('backup', { target: 'duane', scheduledTime: local.clock.now().toISOString() });
    expect(first.status).toBe('SUCCEEDED');
    // Tokens carry their signing time to the second (X-Amz-Date): revoke at a whole second, as a fresh one is signed.
    local.clock.advanceTo(Math.ceil((local.clock.nowMs() + 60_000) / 1000) * 1000);
    local.server.revokeTokensIssuedBefore(local.clock.now());
    const before = local.server.requests.length;
    const second = await local.runWorkflow('backup', { target: 'duane' });
    expect(second.status).toBe('SUCCEEDED');
    const statuses = local.server.requests.slice(before).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.at(-1)).not.toBe(401);
  });

  test('a Backup of that name created by someone else is a clash: reported, and left untouched', async () => {
    const foreign: Backup = {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: { name: 'hendrix-20261102020000', namespace: 'demo' },
      spec: { cluster: { name: 'hendrix' }, method: 'volumeSnapshot' },
    };
    local.server.seed(foreign);
    local.clock.advanceTo(slot('2026-11-02T02:00:00Z'));
    const dispatched = await local.fireSchedule('backup', 'hendrix', slot('2026-11-02T02:00:00Z'));
    expect(local.execution(dispatched.executionName)).toMatchObject({ status: 'FAILED', error: 'ConflictError' });
    const untouched = backupsOf('hendrix').find((b) => b.metadata.name === 'hendrix-20261102020000')!;
    expect(untouched.metadata.labels).toBeUndefined();
  });

  test('an input that carries a spec instead of a target name is refused: the spec comes from the deployment', async () => {
    const requests = local.server.requests.length;
    const forged = {
      name: 'hendrix',
      eksCluster: 'local-eks',
      namespace: 'kube-system',
      cluster: 'hendrix',
      auth: { kind: 'kubeconfig', path: '/etc/passwd' },
    };
    const execution = await local.runWorkflow('backup', { target: forged });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
    expect(execution.cause).toContain(
      'input.target: must be the name of a target of this deployment, or a discovered target as {eksCluster, namespace, cluster, policy}; a workflow input never carries a target spec',
    );
    expect(local.server.requests.slice(requests)).toEqual([]);
  });

  test('an input naming a target the deployment does not hold is refused before any request', async () => {
    const requests = local.server.requests.length;
    const execution = await local.runWorkflow('backup', { target: 'nobody' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
    expect((JSON.parse(execution.cause!) as { errorMessage: string }).errorMessage).toContain(
      'input.target: "nobody" is not a target of this deployment',
    );
    expect(local.server.requests.slice(requests)).toEqual([]);
  });

  test('an input that points the check at a Backup outside its target is refused before any request', async () => {
    const requests = local.server.requests.length;
    const follow = {
      name: 'etcd-backup',
      namespace: 'kube-system',
      cluster: 'etcd',
      createdAt: '2026-11-02T00:00:00Z',
      expectedDurationSeconds: 60,
      checks: 0,
    };
    const forged = { target: 'hendrix', backup: { follow, progress: { state: 'waiting', phase: 'pending', waitSeconds: 10 } } };
    const execution = await local.runWorkflow('backup', forged);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
    expect(execution.cause).toContain('follow: Backup kube-system/etcd-backup is not of target hendrix (demo/hendrix)');
    expect(local.server.requests.slice(requests)).toEqual([]);
  });

  test('a check reads the follow state another deploy wrote, with a field this one does not know', async () => {
    const done = backupsOf('hendrix').find((b) => b.status?.phase === 'completed')!;
    const follow = {
      name: done.metadata.name,
      namespace: 'demo',
      cluster: 'hendrix',
      createdAt: done.metadata.creationTimestamp,
      expectedDurationSeconds: 180,
      checks: 1,
      addedByALaterDeploy: true,
    };
    const result = (await local.invoke('checkBackup', { target: 'hendrix', follow })) as { follow: object; progress: { state: string } };
    expect(result.progress.state).toBe('completed');
    expect(result.follow).not.toHaveProperty('addedByALaterDeploy');
  });

  test('a malformed input is refused with the field named, and nothing is created', async () => {
    const before = local.server.objects<Backup>('backups', 'demo').length;
    const requests = local.server.requests.length;
    const execution = await local.runWorkflow('backup', { target: 'Hendrix/../x', scheduledTime: 'tomorrow' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidInputError' });
    expect(execution.cause).toContain('input.target: must be a lowercase RFC 1123 label');
    expect(execution.cause).toContain('input.scheduledTime');
    expect(local.server.objects<Backup>('backups', 'demo')).toHaveLength(before);
    expect(local.server.requests.slice(requests).filter((r) => r.verb === 'create')).toEqual([]);
  });
  test('a scheduled slot of a cluster with a history costs six state transitions: its tick already created the Backup', async () => {
    const next = slot(new Date(Math.ceil((local.clock.nowMs() + 1) / 3_600_000) * 3_600_000).toISOString());
    local.clock.advanceTo(next);
    const dispatched = await local.fireSchedule('backup', 'hendrix', next);
    const execution = local.execution(dispatched.executionName)!;
    expect(execution.statesEntered).toEqual([
      'BackupProgress',
      'WaitForBackup',
      'CheckBackup',
      'BackupProgress',
      'ApplyRetention',
      'BackupCompleted',
    ]);
    expect(execution.transitions).toBe(6);
  });
});

describe('the backup workflow with too little RBAC', () => {
  test('fails fast with the API message when the role may not create Backups (no retries on 403)', async () => {
    const local = await LocalScheduler.start({ targets: [HENDRIX], manifests: [] });
    try {
      local.server.replaceRbac(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: read-only, namespace: demo }
rules:
  - { apiGroups: ["postgresql.cnpg.io"], resources: ["clusters", "backups"], verbs: ["get", "list"] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: read-only, namespace: demo }
subjects: [{ kind: Group, name: cnpg-snapshot-scheduler, apiGroup: rbac.authorization.k8s.io }]
roleRef: { kind: Role, name: read-only, apiGroup: rbac.authorization.k8s.io }
`);
      const execution = await local.runWorkflow('backup', { target: 'hendrix' });
      expect(execution).toMatchObject({ status: 'FAILED', error: 'KubernetesApiError' });
      expect(execution.cause).toContain('cannot create resource \\"backups\\" in API group \\"postgresql.cnpg.io\\"');
      expect(local.server.requests.filter((r) => r.status === 403)).toHaveLength(1);
    } finally {
      await local.close();
    }
  });
});
