import { CLUSTER_FAILURE_PHASES } from '../../lambdas/domain/cnpg-api';
import type { Cluster, ClusterStatus, Job } from '../../lambdas/domain/kube-objects';
import { decideRestoreProgress, restorePollSeconds } from '../../lambdas/domain/restore-progress';

const createdAt = new Date('2026-11-25T03:00:00Z');
const at = (seconds: number) => new Date(createdAt.getTime() + seconds * 1000);
const base = { jobs: [] as Job[], createdAt, timeoutSeconds: 7200 };

function restored(status: ClusterStatus | undefined, instances = 1): Cluster {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: {
      name: 'hendrix-restore',
      namespace: 'demo',
      creationTimestamp: '2026-11-25T03:00:00Z',
      labels: { 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler' },
    },
    spec: { instances },
    ...(status && { status }),
  };
}

type ClusterCondition = NonNullable<ClusterStatus['conditions']>[number];

/** CNPG always sets lastTransitionTime (the CRD requires it); without `since` the condition lacks one, to show the decision survives it. */
const readyCondition = (since: string | undefined) =>
  ({
    type: 'Ready',
    status: 'True',
    reason: 'ClusterIsReady',
    message: 'Cluster is Ready',
    ...(since && { lastTransitionTime: since }),
  }) as ClusterCondition;

/** A cluster as CNPG reports it once healthy, Ready since `readySince`. */
function healthy(readySince: string | undefined, instances = 1): Cluster {
  return restored(
    {
      phase: 'Cluster in healthy state',
      instances,
      readyInstances: instances,
      currentPrimary: 'hendrix-restore-1',
      targetPrimary: 'hendrix-restore-1',
      conditions: [
        {
          type: 'Initialized',
          status: 'True',
          reason: 'BootstrapCompleted',
          message: 'Cluster is initialized',
          lastTransitionTime: '2026-11-25T03:00:40Z',
        },
        readyCondition(readySince),
      ],
    },
    instances,
  );
}

const settingUp = (phaseReason = 'Creating primary instance hendrix-restore-1') => restored({ phase: 'Setting up primary', phaseReason });

function recoveryJob(status: Job['status']): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'hendrix-restore-1-snapshot-recovery',
      namespace: 'demo',
      labels: { 'cnpg.io/cluster': 'hendrix-restore', 'cnpg.io/jobRole': 'snapshot-recovery' },
    },
    status,
  };
}

describe('following a restored cluster', () => {
  describe('ready', () => {
    test('when healthy, Ready, every instance ready and the primary in place: RTO up to the Ready transition', () => {
      expect(decideRestoreProgress({ ...base, cluster: healthy('2026-11-25T03:01:30Z'), now: at(95) })).toEqual({
        state: 'ready',
        phase: 'Cluster in healthy state',
        readyAt: '2026-11-25T03:01:30.000Z',
        rtoSeconds: 90,
        detectionLagSeconds: 5,
      });
    });

    test('at detection when the Ready condition has no transition time', () => {
      expect(decideRestoreProgress({ ...base, cluster: healthy(undefined), now: at(95) })).toMatchObject({
        state: 'ready',
        readyAt: '2026-11-25T03:01:35.000Z',
        rtoSeconds: 95,
        detectionLagSeconds: 0,
      });
    });

    test('at detection when the transition time lies outside the restore (another clock, or a stale condition)', () => {
      for (const transition of ['2026-11-25T02:59:00Z', '2026-11-25T03:05:00Z'])
        expect(decideRestoreProgress({ ...base, cluster: healthy(transition), now: at(95) })).toMatchObject({
          state: 'ready',
          rtoSeconds: 95,
          detectionLagSeconds: 0,
        });
    });
  });

  describe('waiting', () => {
    test('while the primary is set up, saying so', () => {
      expect(decideRestoreProgress({ ...base, cluster: settingUp(), now: at(30) })).toEqual({
        state: 'waiting',
        phase: 'Setting up primary',
        reason: 'Setting up primary: Creating primary instance hendrix-restore-1',
        waitSeconds: 10,
      });
    });

    test('while CNPG has not given a phase yet, pointing at the snapshots', () => {
      expect(decideRestoreProgress({ ...base, cluster: restored(undefined), now: at(30) })).toEqual({
        state: 'waiting',
        phase: '',
        reason: 'no phase yet: CNPG is checking the snapshots (they must exist, with matching pvcRole and backupName)',
        waitSeconds: 10,
      });
    });

    test('while an instance is not ready yet', () => {
      const partial = healthy('2026-11-25T03:01:30Z', 3);
      partial.status!.readyInstances = 2;
      expect(decideRestoreProgress({ ...base, cluster: partial, now: at(95) }).state).toBe('waiting');
    });

    test('while the primary is being switched', () => {
      const switching = healthy('2026-11-25T03:01:30Z');
      switching.status!.targetPrimary = 'hendrix-restore-2';
      expect(decideRestoreProgress({ ...base, cluster: switching, now: at(95) }).state).toBe('waiting');
    });

    test('while no primary has been elected', () => {
      const headless = healthy('2026-11-25T03:01:30Z');
      delete headless.status!.currentPrimary;
      delete headless.status!.targetPrimary;
      expect(decideRestoreProgress({ ...base, cluster: headless, now: at(95) }).state).toBe('waiting');
    });

    test('while the Ready condition is not True, whatever the phase says', () => {
      const notReady = healthy('2026-11-25T03:01:30Z');
      notReady.status!.conditions = [
        {
          type: 'Ready',
          status: 'False',
          reason: 'ClusterIsNotReady',
          message: 'Cluster Is Not Ready',
          lastTransitionTime: '2026-11-25T03:01:30Z',
        },
      ];
      expect(decideRestoreProgress({ ...base, cluster: notReady, now: at(95) }).state).toBe('waiting');
    });

    test('while the recovery Job is still running', () => {
      const running = recoveryJob({ failed: 0 });
      expect(decideRestoreProgress({ ...base, jobs: [running], cluster: settingUp(), now: at(60) }).state).toBe('waiting');
    });

    test('while pods of the recovery Job fail and Kubernetes retries them (backoffLimit 6 by default)', () => {
      const retrying = recoveryJob({ failed: 3 });
      expect(decideRestoreProgress({ ...base, jobs: [retrying], cluster: settingUp(), now: at(60) })).toMatchObject({
        state: 'waiting',
        reason: expect.stringContaining('3 pod(s) of Job hendrix-restore-1-snapshot-recovery failed, retried up to backoffLimit 6'),
      });
    });

    test('up to the last second before the timeout', () => {
      expect(decideRestoreProgress({ ...base, cluster: settingUp(), now: at(7199) }).state).toBe('waiting');
    });
  });

  describe('failed, at once', () => {
    test.each([...CLUSTER_FAILURE_PHASES])('on the CNPG phase "%s"', (phase) => {
      expect(decideRestoreProgress({ ...base, cluster: restored({ phase, phaseReason: 'see the operator log' }), now: at(60) })).toEqual({
        state: 'failed',
        phase,
        reason: `${phase}: see the operator log`,
      });
    });

    test('when the snapshot-recovery Job has failed (condition Failed)', () => {
      const failed = recoveryJob({ failed: 7, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] });
      expect(decideRestoreProgress({ ...base, jobs: [failed], cluster: settingUp(), now: at(60) })).toEqual({
        state: 'failed',
        phase: 'Setting up primary',
        reason:
          'Job hendrix-restore-1-snapshot-recovery failed (BackoffLimitExceeded): the snapshot could not be restored (see its pod logs)',
      });
    });

    test('not for a failed Job of another cluster', () => {
      const other = recoveryJob({ conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] });
      other.metadata.name = 'hendrix-restore-2-1-snapshot-recovery';
      expect(decideRestoreProgress({ ...base, jobs: [other], cluster: settingUp(), now: at(60) }).state).toBe('waiting');
    });

    test('when the cluster is gone', () => {
      expect(decideRestoreProgress({ ...base, cluster: undefined, now: at(60) })).toEqual({
        state: 'failed',
        phase: 'deleted',
        reason: 'the restored Cluster was deleted while it was being followed',
      });
    });

    test('when the cluster is being deleted', () => {
      const deleting = settingUp();
      deleting.metadata.deletionTimestamp = '2026-11-25T03:00:50Z';
      expect(decideRestoreProgress({ ...base, cluster: deleting, now: at(60) })).toMatchObject({ state: 'failed', phase: 'deleted' });
    });

    test('even after the timeout: a failure says more than a timeout', () => {
      expect(decideRestoreProgress({ ...base, cluster: restored({ phase: 'Invalid cluster definition' }), now: at(9000) }).state).toBe(
        'failed',
      );
    });
  });

  describe('timed out', () => {
    test('with the last phase and its reason', () => {
      expect(decideRestoreProgress({ ...base, cluster: settingUp('waiting for volumes'), now: at(7200) })).toEqual({
        state: 'timedOut',
        phase: 'Setting up primary',
        reason: 'not ready after 120 minutes; last state: Setting up primary: waiting for volumes',
      });
    });

    test('saying when CNPG never gave a phase', () => {
      expect(decideRestoreProgress({ ...base, cluster: restored(undefined), now: at(7300) })).toEqual({
        state: 'timedOut',
        phase: '',
        reason:
          'not ready after 121 minutes; last state: no phase yet: CNPG is checking the snapshots (they must exist, with matching pvcRole and backupName)',
      });
    });

    test('but a cluster found ready at the deadline is ready', () => {
      expect(decideRestoreProgress({ ...base, cluster: healthy('2026-11-25T04:59:55Z'), now: at(7200) }).state).toBe('ready');
    });
  });
});

describe('the poll interval', () => {
  test('is 10 s while the restore is young', () => {
    expect(restorePollSeconds(0, 7200)).toBe(10);
    expect(restorePollSeconds(100, 7100)).toBe(10);
  });

  test('then a tenth of its age, so the report is late by at most a tenth of the restore', () =>
    expect(restorePollSeconds(600, 6600)).toBe(60));

  test('at most 2 minutes', () => expect(restorePollSeconds(20_000, 60_000)).toBe(120));

  test('never past the deadline', () => {
    expect(restorePollSeconds(7150, 50)).toBe(50);
    expect(restorePollSeconds(7199.5, 0.5)).toBe(1);
  });

  test('keeps a day-long restore far within the 25,000 events of a Step Functions execution history', () => {
    // Per look: Wait (entered, exited), CheckRestore (entered, scheduled, started, succeeded, exited), Choice (entered, exited).
    const EVENTS_PER_LOOK = 9;
    const day = 86_400;
    let elapsed = 0;
    let looks = 0;
    while (elapsed < day) {
      elapsed += restorePollSeconds(elapsed, day - elapsed);
      looks += 1;
    }
    expect(looks * EVENTS_PER_LOOK).toBeLessThan(25_000 / 3);
  });
});
