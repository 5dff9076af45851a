import { InvalidInputError } from '../../lambdas/errors';
import type { WorkflowStarter } from '../../lambdas/adapters/workflow-starter';
import { createDispatchSchedule } from '../../lambdas/handlers/dispatch-schedule';
import { MemoryLog } from '../../simulator/memory-log';

const target = { name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' };

function dispatcher() {
  const started: Array<{ stateMachineArn: string; name: string; input: unknown }> = [];
  const names = new Set<string>();
  const starter: WorkflowStarter = {
    start: async (request) => {
      started.push(request);
      const fresh = !names.has(request.name);
      names.add(request.name);
      return { started: fresh, executionArn: `${request.stateMachineArn}:${request.name}` };
    },
  };
  const dispatch = createDispatchSchedule({ starter, stateMachineArn: (workflow) => `arn:${workflow}`, log: new MemoryLog() });
  return { dispatch, started };
}

describe('dispatching a schedule firing', () => {
  test('names the execution after the target, the workflow and the slot, and passes the target and time on', async () => {
    const { dispatch, started } = dispatcher();
    const result = await dispatch({ workflow: 'backup', target, scheduledTime: '2026-11-25T05:00:00Z' });
    expect(result).toEqual({
      started: true,
      executionName: 'hendrix-backup-20261125050000',
      executionArn: 'arn:backup:hendrix-backup-20261125050000',
    });
    expect(started[0]).toEqual({
      stateMachineArn: 'arn:backup',
      name: 'hendrix-backup-20261125050000',
      input: { target: expect.objectContaining({ ...target, schedule: 'cron(0 * * * ? *)' }), scheduledTime: '2026-11-25T05:00:00Z' },
    });
  });

  test('a second delivery of the same slot uses the same name, so Step Functions starts nothing new', async () => {
    const { dispatch } = dispatcher();
    const event = { workflow: 'retention', target, scheduledTime: '2026-11-25T03:30:00Z' };
    expect((await dispatch(event)).started).toBe(true);
    expect(await dispatch(event)).toMatchObject({ started: false, executionName: 'hendrix-retention-20261125033000' });
  });

  test('execution names stay within the 80 characters Step Functions allows', async () => {
    const { dispatch } = dispatcher();
    const result = await dispatch({
      workflow: 'retention',
      target: { ...target, name: 'x'.repeat(40) },
      scheduledTime: '2026-11-25T03:30:00Z',
    });
    expect(result.executionName.length).toBeLessThanOrEqual(80);
  });

  test('a malformed firing starts nothing', async () => {
    const { dispatch, started } = dispatcher();
    await expect(dispatch({ workflow: 'vacuum', target, scheduledTime: '<aws.scheduler.scheduled-time>' })).rejects.toThrow(
      InvalidInputError,
    );
    expect(started).toEqual([]);
  });
});
