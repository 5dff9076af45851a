import { parseDeploymentConfig } from '../../lib/deployment-config';
import { VirtualClock } from '../../simulator/virtual-clock';
import { EXECUTION_HISTORY_LIMIT, LocalWorkflowRunner, type LocalLambda } from '../../simulator/workflow-runner/local-workflow-runner';
import { synthesizeScheduler } from '../../simulator/workflow-runner/synthesized-scheduler';
import { EXAMPLE_TARGET } from '../infra/synthesize';

/** The runner counts an execution's history as Step Functions does, and fails it past the 25,000-event quota. */

const synthesized = synthesizeScheduler(parseDeploymentConfig({ targets: [EXAMPLE_TARGET] }));
const { functionArns } = synthesized;

const waiting = { context: {}, checks: 0, timeoutSeconds: 86_400, progress: { state: 'waiting', phase: '', reason: 'x', waitSeconds: 10 } };
const ready = { ...waiting, progress: { state: 'ready', phase: 'Cluster in healthy state' } };

function restoreRunner(checkRestore: LocalLambda) {
  const lambdas = new Map<string, LocalLambda>([
    [functionArns.createRestoreCluster, async () => waiting],
    [functionArns.checkRestore, checkRestore],
    [functionArns.reportFailure, async () => ({})],
  ]);
  return new LocalWorkflowRunner(synthesized.restoreDefinition, lambdas, new VirtualClock('2026-11-25T03:00:00Z'));
}

describe('the execution history', () => {
  test('has the events Step Functions records: 5 per Lambda task, 2 per Wait and Choice, the start and the end', async () => {
    let looks = 0;
    const execution = await restoreRunner(async () => (++looks < 3 ? waiting : ready)).run({ source: { auth: {} } }, 'three-looks');
    expect(execution.status).toBe('SUCCEEDED');
    // ExecutionStarted; CreateRestoreCluster; 3 x (Wait, CheckRestore, Choice); Succeed entered and exited; ExecutionSucceeded.
    expect(execution.historyEvents).toBe(1 + 5 + 3 * (2 + 5 + 2) + 2 + 1);
  });

  test('fails the execution once it exceeds 25,000 events, as Step Functions does', async () => {
    let looks = 0;
    const execution = await restoreRunner(async () => {
      looks += 1;
      return waiting;
    }).run({ source: { auth: {} } }, 'endless');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'ExecutionHistoryLimitExceeded' });
    expect(execution.historyEvents).toBeGreaterThan(EXECUTION_HISTORY_LIMIT);
    expect(looks).toBeLessThan(EXECUTION_HISTORY_LIMIT / 9 + 2);
  });
});
