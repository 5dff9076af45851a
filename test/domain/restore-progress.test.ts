import { decideRestoreProgress } from '../../lambdas/domain/restore-progress';
import type { Cluster, Job } from '../../lambdas/domain/kube-objects';

const createdAt = new Date('2026-11-25T03:00:00Z');
const at = (seconds: number) => new Date(createdAt.getTime() + seconds * 1000);
const base = { jobs: [] as Job[], createdAt, timeoutSeconds: 7200, pollSeconds: 10 };

function cluster(status: Cluster['status'], instances = 1): Cluster {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'hendrix-restore', namespace: 'demo' },
    spec: { instances },
    ...(status && { status }),
  };
}

const healthy = (readyAt: string) =>
  cluster({
    phase: 'Cluster in healthy state',
    readyInstances: 1,
    currentPrimary: 'hendrix-restore-1',
    targetPrimary: 'hendrix-restore-1',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readyAt }],
  });

describe('following a restored cluster', () => {
  test('ready: RTO from creation to the Ready transition, and the detection lag', () => {
    expect(decideRestoreProgress({ ...base, cluster: healthy('2026-11-25T03:01:30Z'), now: at(95) })).toEqual({
      state: 'ready',
      phase: 'Cluster in healthy state',
      readyAt: '2026-11-25T03:01:30.000Z',
      rtoSeconds: 90,
      detectionLagSeconds: 5,
    });
  });

  test('not ready until every instance is ready and the primary is in place', () => {
    const partial = healthy('2026-11-25T03:01:30Z');
    partial.spec.instances = 3;
    expect(decideRestoreProgress({ ...base, cluster: partial, now: at(95) }).state).toBe('waiting');
    const switching = healthy('2026-11-25T03:01:30Z');
    switching.status!.targetPrimary = 'hendrix-restore-2';
    expect(decideRestoreProgress({ ...base, cluster: switching, now: at(95) }).state).toBe('waiting');
  });

  test('waits on a short fixed interval while the primary is set up', () => {
    expect(
      decideRestoreProgress({
        ...base,
        cluster: cluster({ phase: 'Setting up primary', phaseReason: 'Creating primary instance hendrix-restore-1' }),
        now: at(30),
      }),
    ).toEqual({
      state: 'waiting',
      phase: 'Setting up primary',
      reason: 'Setting up primary: Creating primary instance hendrix-restore-1',
      waitSeconds: 10,
    });
  });

  test('says what CNPG is doing when there is no phase yet', () => {
    expect(decideRestoreProgress({ ...base, cluster: cluster(undefined), now: at(30) })).toMatchObject({
      state: 'waiting',
      reason: expect.stringContaining('checking the snapshots'),
    });
  });

  test('fails fast on a CNPG failure phase', () => {
    expect(
      decideRestoreProgress({
        ...base,
        cluster: cluster({ phase: 'Cluster is unrecoverable and needs manual intervention' }),
        now: at(60),
      }),
    ).toEqual({
      state: 'failed',
      phase: 'Cluster is unrecoverable and needs manual intervention',
      reason: 'Cluster is unrecoverable and needs manual intervention',
    });
  });

  test('fails fast when the snapshot-recovery Job failed', () => {
    const job: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'hendrix-restore-1-snapshot-recovery' },
      status: { failed: 1 },
    };
    expect(decideRestoreProgress({ ...base, jobs: [job], cluster: cluster({ phase: 'Setting up primary' }), now: at(60) })).toMatchObject({
      state: 'failed',
      reason: 'Job hendrix-restore-1-snapshot-recovery failed: the snapshot could not be restored (see its pod logs)',
    });
  });

  test('fails when the cluster is deleted meanwhile', () => {
    expect(decideRestoreProgress({ ...base, cluster: undefined, now: at(60) })).toMatchObject({ state: 'failed', phase: 'deleted' });
  });

  test('times out with the last phase and reason', () => {
    expect(
      decideRestoreProgress({
        ...base,
        cluster: cluster({ phase: 'Setting up primary', phaseReason: 'waiting for volumes' }),
        now: at(7200),
      }),
    ).toEqual({
      state: 'timedOut',
      phase: 'Setting up primary',
      reason: 'not ready after 120 minutes; last state: Setting up primary: waiting for volumes',
    });
  });
});
