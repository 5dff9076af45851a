import fc from 'fast-check';
import { formatCompactUtc } from '../../lambdas/domain/backup-name';
import {
  decideBackupProgress,
  DEFAULT_EXPECTED_DURATION_SECONDS,
  expectedBackupDurationSeconds,
  MAX_FIRST_WAIT_SECONDS,
  MAX_POLL_SECONDS,
  MIN_POLL_SECONDS,
  nextPollSeconds,
  type BackupFollowState,
  type BackupProgress,
} from '../../lambdas/domain/backup-progress';
import type { Backup, BackupStatus } from '../../lambdas/domain/kube-objects';
import { crdSchemaViolations } from '../../simulator/crd-schemas';

/** Status fields CNPG 1.30 also writes for a volume-snapshot Backup, beyond those the scheduler reads. */
type CnpgBackupStatus = BackupStatus & {
  backupId?: string;
  backupName?: string;
  reconciliationStartedAt?: string;
  reconciliationTerminatedAt?: string;
  instanceID?: { podName: string; ContainerID: string };
};

/** When CNPG moves a Backup on, in seconds after its creation. */
interface Timeline {
  startAt: number;
  provisionedAt: number;
  completeAt: number;
}

const created = new Date('2026-11-25T05:00:00Z');
const name = 'hendrix-20261125050000';
const follow: BackupFollowState = {
  name,
  namespace: 'demo',
  cluster: 'hendrix',
  createdAt: '2026-11-25T05:00:00Z',
  expectedDurationSeconds: 200,
  checks: 1,
};
const limits = { notStartedTimeoutSeconds: 1800, runningTimeoutSeconds: 10_800 };
const routine: Timeline = { startAt: 5, provisionedAt: 40, completeAt: 185 };

const after = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000);
/** RFC 3339 to the second, as CNPG writes times. */
const rfc3339 = (from: Date, seconds: number) =>
  after(from, seconds)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');

function backup(status: CnpgBackupStatus | undefined, backupName = name, creation = created): Backup {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: {
      name: backupName,
      namespace: 'demo',
      uid: '3f1c2a9e-5b7d-4e0a-9c61-2d8f4b6a1e07',
      resourceVersion: '48213',
      creationTimestamp: creation.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      labels: { 'cnpg.io/cluster': 'hendrix', 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler' },
    },
    spec: { cluster: { name: 'hendrix' }, method: 'volumeSnapshot' },
    ...(status && { status }),
  };
}

/** The status as CNPG sets it when it elects the pod and starts the backup (SetAsStarted). */
function startedStatus(timeline: Timeline, backupName = name, creation = created): CnpgBackupStatus {
  return {
    phase: 'started',
    method: 'volumeSnapshot',
    startedAt: rfc3339(creation, timeline.startAt),
    reconciliationStartedAt: rfc3339(creation, timeline.startAt),
    backupId: backupName,
    backupName,
    instanceID: { podName: 'hendrix-2', ContainerID: 'containerd://9b1f0c2e7d4a' },
    majorVersion: 17,
  };
}

/** Snapshots provisioned, backup mode stopped: CNPG waits for readyToUse. */
function finalizingStatus(timeline: Timeline, backupName = name, creation = created): CnpgBackupStatus {
  return {
    ...startedStatus(timeline, backupName, creation),
    phase: 'finalizing',
    online: true,
    snapshotBackupStatus: {
      elements: [
        { name: backupName, type: 'PG_DATA' },
        { name: `${backupName}-wal`, type: 'PG_WAL' },
      ],
    },
    beginWal: '000000010000000000000005',
    endWal: '000000010000000000000005',
    beginLSN: '0/5000028',
    endLSN: '0/5000138',
  };
}

function completedStatus(timeline: Timeline, backupName = name, creation = created): CnpgBackupStatus {
  return {
    ...finalizingStatus(timeline, backupName, creation),
    phase: 'completed',
    stoppedAt: rfc3339(creation, timeline.completeAt),
    reconciliationTerminatedAt: rfc3339(creation, timeline.completeAt),
  };
}

/** The status after a terminal error (SetAsFailed); `error` is absent only when CNPG had no message. */
function failedStatus(error?: string): CnpgBackupStatus {
  return {
    ...startedStatus(routine),
    phase: 'failed',
    ...(error !== undefined && { error }),
    reconciliationTerminatedAt: rfc3339(created, 30),
  };
}

/** The followed Backup as CNPG shows it `seconds` after its creation. */
function backupAt(seconds: number, timeline: Timeline): Backup {
  if (seconds >= timeline.completeAt) return backup(completedStatus(timeline));
  if (seconds >= timeline.provisionedAt) return backup(finalizingStatus(timeline));
  if (seconds >= timeline.startAt) return backup(startedStatus(timeline));
  return backup({ phase: 'pending' });
}

/** A completed Backup of an earlier slot that took `durationSeconds`. */
function previousBackup(creation: string, durationSeconds: number): Backup {
  const creationTime = new Date(creation);
  const backupName = `hendrix-${formatCompactUtc(creationTime)}`;
  const timeline = { startAt: 2, provisionedAt: 10, completeAt: durationSeconds };
  return backup(completedStatus(timeline, backupName, creationTime), backupName, creationTime);
}

const decide = (backupNow: Backup | undefined, seconds: number, followed: BackupFollowState = follow, bounds = limits) =>
  decideBackupProgress({ follow: followed, backup: backupNow, now: after(created, seconds), ...bounds });

describe('the Backup fixtures', () => {
  test('are Backups the upstream CRD accepts, in every phase', () => {
    const phases = [backupAt(0, routine), backupAt(5, routine), backupAt(40, routine), backupAt(185, routine), backup(failedStatus('e'))];
    expect(phases.flatMap((fixture) => crdSchemaViolations('Backup', fixture))).toEqual([]);
  });
});

describe('deciding what a followed backup does next', () => {
  test('completed: reports the duration from creation and the snapshots CNPG made', () => {
    expect(decide(backupAt(190, routine), 190)).toEqual({
      state: 'completed',
      phase: 'completed',
      durationSeconds: 185,
      startedAt: '2026-11-25T05:00:05Z',
      stoppedAt: '2026-11-25T05:03:05Z',
      snapshots: ['hendrix-20261125050000', 'hendrix-20261125050000-wal'],
    });
  });

  test('completed without stoppedAt: measures the duration up to now', () => {
    expect(decide(backup({ phase: 'completed' }), 190.4)).toEqual({
      state: 'completed',
      phase: 'completed',
      durationSeconds: 190,
      snapshots: [],
    });
  });

  test('completed after the overall limit is still completed', () => {
    expect(decide(backupAt(20_000, routine), 20_000)).toMatchObject({ state: 'completed', durationSeconds: 185 });
  });

  test('failed: carries CNPG status.error', () => {
    expect(decide(backup(failedStatus("can't execute snapshot backup: rpc error: code = Internal")), 60)).toEqual({
      state: 'failed',
      phase: 'failed',
      reason: "can't execute snapshot backup: rpc error: code = Internal",
    });
  });

  test('failed without status.error: says that CNPG gave no reason', () => {
    expect(decide(backup(failedStatus()), 60)).toEqual({
      state: 'failed',
      phase: 'failed',
      reason: 'Backup demo/hendrix-20261125050000 is failed and CNPG gave no error',
    });
  });

  // CNPG resets `invalid backup definition` once the definition validates again (api/v1/backup_funcs.go SetAdmissionError).
  const invalid = backup({
    phase: 'invalid backup definition',
    error: 'the resource failed admission validation on: spec.method (see the operator logs for details)',
  });

  test('an invalid backup definition is not final: it waits like a Backup not started yet', () => {
    expect(decide(invalid, 10, { ...follow, expectedDurationSeconds: 3600 })).toEqual({
      state: 'waiting',
      phase: 'invalid backup definition',
      waitSeconds: 1790,
    });
  });

  test('an invalid backup definition at the not-started deadline times out as never started, with the admission error', () => {
    expect(decide(invalid, 1800)).toEqual({
      state: 'timedOut',
      phase: 'invalid backup definition',
      started: false,
      reason:
        'Backup demo/hendrix-20261125050000 did not start within 30 minutes: CNPG holds it as an invalid backup definition (the resource failed admission validation on: spec.method (see the operator logs for details))',
    });
  });

  test('a Backup deleted while followed is a failure that says so', () => {
    expect(decide(undefined, 10)).toEqual({
      state: 'failed',
      phase: 'deleted',
      reason: 'Backup demo/hendrix-20261125050000 was deleted while it was being followed',
    });
  });

  test('a phase a volume-snapshot backup never reaches is a failure that names it', () => {
    expect(decide(backup({ phase: 'archived' }), 10)).toEqual({
      state: 'failed',
      phase: 'archived',
      reason: 'Backup demo/hendrix-20261125050000 is in phase "archived", which a volume-snapshot backup never reaches',
    });
  });

  test('pending at the not-started deadline times out as never started, with the likely causes', () => {
    expect(decide(backup({ phase: 'pending' }), 1800)).toEqual({
      state: 'timedOut',
      phase: 'pending',
      started: false,
      reason:
        'Backup demo/hendrix-20261125050000 did not start within 30 minutes: another backup of the cluster may be running, or the operator is down',
    });
  });

  test('a Backup CNPG has not reconciled yet counts as pending', () => {
    expect(decide(backup(undefined), 1800)).toMatchObject({ state: 'timedOut', phase: 'pending', started: false });
  });

  test('a started Backup is not held to the not-started deadline', () => {
    expect(decide(backup(startedStatus(routine)), 1800)).toMatchObject({ state: 'waiting', phase: 'started' });
  });

  test('a running Backup at the running deadline, counted from its start, times out as started with its last phase', () => {
    expect(decide(backup(finalizingStatus(routine)), 10_805)).toEqual({
      state: 'timedOut',
      phase: 'finalizing',
      started: true,
      reason: 'Backup demo/hendrix-20261125050000 still finalizing 180 minutes after it started',
    });
  });

  test('the running deadline counts from the start CNPG recorded: time spent queued does not count', () => {
    const queued = { startAt: 3000, provisionedAt: 3100, completeAt: 20_000 };
    expect(decide(backup(finalizingStatus(queued)), 10_900, { ...follow, checks: 30 })).toMatchObject({ state: 'waiting' });
    expect(decide(backup(finalizingStatus(queued)), 13_800)).toMatchObject({ state: 'timedOut', started: true });
  });

  test('while running, waits as long as the polling cadence says', () => {
    expect(decide(backupAt(60, routine), 60)).toEqual({ state: 'waiting', phase: 'finalizing', waitSeconds: 140 });
  });

  test('a pending Backup waits no longer than until the not-started deadline', () => {
    expect(decide(backup({ phase: 'pending' }), 1790, { ...follow, expectedDurationSeconds: 3600 })).toEqual({
      state: 'waiting',
      phase: 'pending',
      waitSeconds: 10,
    });
  });

  test('a running Backup waits no longer than until the running deadline', () => {
    expect(decide(backup(finalizingStatus(routine)), 10_700, { ...follow, checks: 30 })).toEqual({
      state: 'waiting',
      phase: 'finalizing',
      waitSeconds: 105,
    });
  });

  test('never waits at or past a deadline, and every wait ends by the deadline', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(undefined, 'pending', 'invalid backup definition', 'started', 'running', 'finalizing', 'walArchivingFailing'),
        fc.integer({ min: 0, max: 200_000_000 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 60, max: 86_400 }),
        fc.integer({ min: 300, max: 172_800 }),
        (phase, elapsedMs, checks, expected, notStartedTimeoutSeconds, runningTimeoutSeconds) => {
          const elapsed = elapsedMs / 1000;
          const notStarted = phase === undefined || phase === 'pending' || phase === 'invalid backup definition';
          // Without a recorded start, the running deadline counts from creation.
          const deadline = notStarted ? notStartedTimeoutSeconds : runningTimeoutSeconds;
          const progress = decide(
            backup(phase === undefined ? undefined : { phase }),
            elapsed,
            { ...follow, checks, expectedDurationSeconds: expected },
            { notStartedTimeoutSeconds, runningTimeoutSeconds },
          );
          if (elapsed >= deadline) {
            expect(progress).toMatchObject({ state: 'timedOut', started: !notStarted });
            return;
          }
          expect(progress.state).toBe('waiting');
          const { waitSeconds } = progress as Extract<BackupProgress, { state: 'waiting' }>;
          expect(Number.isInteger(waitSeconds)).toBe(true);
          expect(waitSeconds).toBeGreaterThanOrEqual(1);
          expect(waitSeconds).toBeLessThanOrEqual(nextPollSeconds({ ...follow, checks, expectedDurationSeconds: expected }, elapsed));
          expect(elapsed + waitSeconds).toBeLessThan(deadline + 1);
        },
      ),
    );
  });
});

/**
 * Runs the workflow against a Backup that follows `timeline`: the first wait as StartBackup computes it `startSeconds`
 * after creation, then CheckBackup decisions until one is not a wait. Returns the checks made and the final state.
 */
function followToTheEnd(expected: number, timeline: Timeline, startSeconds: number): { checks: number; state: string } {
  const start: BackupFollowState = { ...follow, expectedDurationSeconds: expected, checks: 0 };
  let elapsed = startSeconds + nextPollSeconds(start, startSeconds);
  for (let checks = 1; ; checks += 1) {
    const progress = decide(backupAt(elapsed, timeline), elapsed, { ...start, checks });
    if (progress.state !== 'waiting') return { checks, state: progress.state };
    elapsed += progress.waitSeconds;
  }
}

const timelineOf = (durationSeconds: number): Timeline => ({
  startAt: durationSeconds * 0.02,
  provisionedAt: durationSeconds * 0.3,
  completeAt: durationSeconds,
});

describe('polling cadence', () => {
  test('a routine backup that takes exactly its usual time is seen completed within two checks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7200 }), fc.integer({ min: 0, max: 5 }), (expected, startSeconds) => {
        const outcome = followToTheEnd(expected, timelineOf(expected), startSeconds);
        expect(outcome.state).toBe('completed');
        expect(outcome.checks).toBeLessThanOrEqual(2);
      }),
    );
  });

  test('a backup up to 5% (at most five minutes) slower than usual is still seen completed within two checks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7200 }), fc.double({ min: 0, max: 1, noNaN: true }), (expected, fraction) => {
        const slack = Math.min(expected * 0.05, MAX_POLL_SECONDS);
        const outcome = followToTheEnd(expected, timelineOf(Math.max(1, expected + fraction * slack)), 0);
        expect(outcome.state).toBe('completed');
        expect(outcome.checks).toBeLessThanOrEqual(2);
      }),
    );
  });

  test('the first wait lasts until the usual end', () => {
    expect(nextPollSeconds({ ...follow, checks: 0 }, 0)).toBe(200);
  });

  test('the first wait of an adopted Backup lasts until the usual end, in whole seconds', () => {
    expect(nextPollSeconds({ ...follow, checks: 0 }, 50.4)).toBe(150);
  });

  test('the first wait is never longer than four hours', () => {
    expect(nextPollSeconds({ ...follow, expectedDurationSeconds: 20_000, checks: 0 }, 0)).toBe(MAX_FIRST_WAIT_SECONDS);
  });

  test('within one short poll of the usual end, polls at a tenth of the usual duration', () => {
    expect(nextPollSeconds(follow, 195)).toBe(20);
  });

  test('polls an overdue short backup every ten seconds at least', () => {
    expect(nextPollSeconds({ ...follow, expectedDurationSeconds: 40 }, 100)).toBe(MIN_POLL_SECONDS);
  });

  test('overdue backups are polled ever less often, up to five minutes', () => {
    const overdue = (checks: number) => nextPollSeconds({ ...follow, expectedDurationSeconds: 600, checks }, 900);
    expect([1, 2, 3, 4, 5, 10, 10_000].map(overdue)).toEqual([
      60,
      120,
      240,
      MAX_POLL_SECONDS,
      MAX_POLL_SECONDS,
      MAX_POLL_SECONDS,
      MAX_POLL_SECONDS,
    ]);
  });

  test('every wait is whole seconds within its bounds', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.double({ min: -60, max: 200_000, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        (expected, elapsed, checks) => {
          const wait = nextPollSeconds({ ...follow, expectedDurationSeconds: expected, checks }, elapsed);
          expect(Number.isInteger(wait)).toBe(true);
          const overdue = expected - elapsed < MIN_POLL_SECONDS;
          expect(wait).toBeGreaterThanOrEqual(MIN_POLL_SECONDS);
          expect(wait).toBeLessThanOrEqual(overdue ? MAX_POLL_SECONDS : MAX_FIRST_WAIT_SECONDS);
        },
      ),
    );
  });
});

describe('the usual duration of a cluster backup', () => {
  test('is the median of the completed backups, creation to stoppedAt', () => {
    const history = [100, 300, 200, 9999, 250].map((duration, hour) =>
      previousBackup(`2026-11-20T${String(hour).padStart(2, '0')}:00:00Z`, duration),
    );
    expect(expectedBackupDurationSeconds(history)).toBe(250);
  });

  test('is the mean of the two middle durations for an even count', () => {
    const history = [100, 400, 200, 300].map((duration, hour) => previousBackup(`2026-11-20T0${hour}:00:00Z`, duration));
    expect(expectedBackupDurationSeconds(history)).toBe(250);
  });

  test('considers only the newest ten completed backups, whatever their order', () => {
    const older = [1, 2, 3, 4, 5].map((day) => previousBackup(`2026-11-0${day}T05:00:00Z`, 1000));
    const newer = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19].map((day) => previousBackup(`2026-11-${day}T05:00:00Z`, 100));
    expect(expectedBackupDurationSeconds([...newer.slice(5), ...older, ...newer.slice(0, 5)])).toBe(100);
  });

  test('ignores failed and unfinished backups', () => {
    const history = [
      previousBackup('2026-11-20T01:00:00Z', 120),
      backup(failedStatus('e'), 'hendrix-20261120020000', new Date('2026-11-20T02:00:00Z')),
      backup(finalizingStatus(routine), 'hendrix-20261120030000', new Date('2026-11-20T03:00:00Z')),
      backup({ phase: 'pending' }, 'hendrix-20261120040000', new Date('2026-11-20T04:00:00Z')),
    ];
    expect(expectedBackupDurationSeconds(history)).toBe(120);
  });

  test('is the default when there is no completed backup', () => {
    expect(expectedBackupDurationSeconds([backup(failedStatus('e'))])).toBe(DEFAULT_EXPECTED_DURATION_SECONDS);
    expect(expectedBackupDurationSeconds([])).toBe(DEFAULT_EXPECTED_DURATION_SECONDS);
  });
});
