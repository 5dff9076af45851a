import { parseDeploymentConfig } from '../../lib/deployment-config';
import { VirtualClock } from '../../simulator/virtual-clock';
import { LocalWorkflowRunner, type LocalLambda } from '../../simulator/workflow-runner/local-workflow-runner';
import { synthesizeScheduler } from '../../simulator/workflow-runner/synthesized-scheduler';
import { EXAMPLE_TARGET } from '../infra/synthesize';

const synthesized = synthesizeScheduler(parseDeploymentConfig({ targets: [EXAMPLE_TARGET] }));
const { functionArns } = synthesized;

function runnerWith(handlers: Partial<Record<keyof typeof functionArns, LocalLambda>>, clock = new VirtualClock()) {
  const lambdas = new Map<string, LocalLambda>(
    (['dispatchSchedule', 'reportFailure', 'applyRetention'] as const).map((name) => [functionArns[name], async () => ({})]),
  );
  for (const [name, fn] of Object.entries(handlers)) lambdas.set(functionArns[name as keyof typeof functionArns], fn);
  return new LocalWorkflowRunner(synthesized.backupDefinition, lambdas, clock, { lambdaTimeoutsMs: synthesized.lambdaTimeoutsMs });
}

const waiting = (waitSeconds: number) => ({ follow: { checks: 0 }, progress: { state: 'waiting', phase: 'started', waitSeconds } });

describe('the local workflow runner', () => {
  test('runs the synthesized backup definition, advancing the virtual clock by exactly each wait', async () => {
    const clock = new VirtualClock('2026-11-02T10:00:00Z');
    const checks = [waiting(30), { follow: {}, progress: { state: 'completed', phase: 'completed' } }];
    const seenAt: string[] = [];
    const runner = runnerWith(
      {
        startBackup: async () => waiting(200),
        checkBackup: async () => {
          seenAt.push(clock.now().toISOString());
          return checks.shift();
        },
      },
      clock,
    );
    const execution = await runner.run({ target: {} }, 'routine');
    expect(execution.status).toBe('SUCCEEDED');
    expect(seenAt).toEqual(['2026-11-02T10:03:20.000Z', '2026-11-02T10:03:50.000Z']);
    expect(execution.statesEntered).toEqual([
      'BackupProgress',
      'StartBackup',
      'BackupProgress',
      'WaitForBackup',
      'CheckBackup',
      'BackupProgress',
      'WaitForBackup',
      'CheckBackup',
      'BackupProgress',
      'ApplyRetention',
      'BackupCompleted',
    ]);
    expect(execution.transitions).toBe(11);
  });

  test('retries a TransientError as the definition says and counts each retry as a transition', async () => {
    let calls = 0;
    const runner = runnerWith({
      startBackup: async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error('429 Too Many Requests'), { name: 'TransientError' });
        return waiting(1);
      },
      checkBackup: async () => ({ follow: {}, progress: { state: 'completed', phase: 'completed' } }),
    });
    const execution = await runner.run({ target: {} }, 'throttled');
    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
    expect(execution.transitions).toBe(execution.statesEntered.length + 2);
  });

  test('a Lambda that runs past its timeout fails as Lambda reports it, Sandbox.Timedout, and the workflow retries it', async () => {
    const clock = new VirtualClock('2026-11-02T10:00:00Z');
    const failures: unknown[] = [];
    let calls = 0;
    const runner = runnerWith(
      {
        startBackup: async () => {
          calls += 1;
          if (calls === 1) clock.advance(31_000); // the function's timeout is 30 s
          return waiting(1);
        },
        checkBackup: async () => ({ follow: {}, progress: { state: 'completed', phase: 'completed' } }),
        reportFailure: async (event) => {
          failures.push(event);
          return {};
        },
      },
      clock,
    );
    const execution = await runner.run({ target: {} }, 'slow');
    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
    expect(failures).toEqual([]);
  });

  test('a Lambda timeout carries the error and message Lambda gives it', async () => {
    const clock = new VirtualClock('2026-11-02T10:00:00Z');
    const runner = runnerWith(
      {
        startBackup: async () => {
          clock.advance(31_000);
          return waiting(1);
        },
        checkBackup: async () => ({}),
      },
      clock,
    );
    const execution = await runner.run({ target: {} }, 'always-slow');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
    expect(JSON.parse(execution.cause!)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: always-slow Error: Task timed out after 30.00 seconds',
    });
  });

  test('a handler that stays within its timeout on the virtual clock is not timed out', async () => {
    const clock = new VirtualClock('2026-11-02T10:00:00Z');
    const runner = runnerWith(
      {
        startBackup: async () => {
          clock.advance(29_000);
          return waiting(1);
        },
        checkBackup: async () => ({ follow: {}, progress: { state: 'completed', phase: 'completed' } }),
      },
      clock,
    );
    expect((await runner.run({ target: {} }, 'in-time')).status).toBe('SUCCEEDED');
  });

  test('a retention that fails after a completed backup is reported as a retention failure, and the execution succeeds', async () => {
    const reports: unknown[] = [];
    const runner = runnerWith({
      startBackup: async () => waiting(1),
      checkBackup: async () => ({ follow: {}, progress: { state: 'completed', phase: 'completed' } }),
      applyRetention: async () => {
        throw Object.assign(new Error('list volumesnapshots in demo: HTTP 403 Forbidden'), { name: 'KubernetesApiError' });
      },
      reportFailure: async (event) => {
        reports.push(event);
        return {};
      },
    });
    const execution = await runner.run({ target: { name: 'hendrix' } }, 'retention-denied');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered.slice(-2)).toEqual(['RetentionReportFailure', 'BackupCompletedRetentionFailed']);
    expect(reports).toEqual([
      expect.objectContaining({ workflow: 'retention', error: expect.objectContaining({ Error: 'KubernetesApiError' }) }),
    ]);
  });

  test('a skipped slot ends the execution successfully without a check', async () => {
    const runner = runnerWith({
      startBackup: async () => ({ follow: {}, progress: { state: 'skipped', phase: 'finalizing', reason: 'busy', blockedBy: 'b' } }),
      checkBackup: async () => {
        throw new Error('never called');
      },
    });
    const execution = await runner.run({ target: {} }, 'skipped');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered).toEqual(['BackupProgress', 'StartBackup', 'BackupProgress', 'BackupSkipped']);
  });

  test('a permanent error is caught, reported, and fails the execution with the error name and Lambda-style cause', async () => {
    const reports: unknown[] = [];
    const runner = runnerWith({
      startBackup: async () => {
        throw Object.assign(new Error('cluster demo/hendrix is hibernated'), { name: 'PreconditionFailedError' });
      },
      checkBackup: async () => ({}),
      reportFailure: async (event) => {
        reports.push(event);
        return {};
      },
    });
    const execution = await runner.run({ target: { name: 'hendrix' } }, 'hibernated');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'PreconditionFailedError' });
    expect(JSON.parse(execution.cause!)).toEqual({
      errorType: 'PreconditionFailedError',
      errorMessage: 'cluster demo/hendrix is hibernated',
    });
    expect(reports).toEqual([
      expect.objectContaining({
        workflow: 'backup',
        execution: 'hibernated',
        error: expect.objectContaining({ Error: 'PreconditionFailedError' }),
      }),
    ]);
  });

  test('refuses a definition whose Task has no local handler, so nothing can reach AWS', () => {
    const lambdas = new Map<string, LocalLambda>([[functionArns.startBackup, async () => ({})]]);
    expect(() => new LocalWorkflowRunner(synthesized.backupDefinition, lambdas, new VirtualClock())).toThrow(
      /No local handler for Task CheckBackup/,
    );
  });
});
