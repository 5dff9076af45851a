import { randomUUID } from 'node:crypto';
import type { ExecutionObserver, LocalExecution } from '../workflow-runner/local-workflow-runner';
import type { StandInRequest, StandInResponse } from './http-stand-in';

/** Runs an execution of a synthesized state machine on the local runner. */
export type RunExecution = (stateMachineArn: string, input: unknown, name: string, observer: ExecutionObserver) => Promise<LocalExecution>;

interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  stateEnteredEventDetails?: { name: string; input: string };
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * One execution, run one Wait state at a time: it runs until it reaches a Wait (or its end) and stays there until
 * the next DescribeExecution lets it on. A client polling in real time thus sees it progress poll by poll, however
 * fast the machine is; the Wait itself passes on the virtual clock, as in the local runner.
 */
class SteppedExecution {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' = 'RUNNING';
  readonly events: HistoryEvent[] = [];
  result: LocalExecution | undefined;
  private resume: (() => void) | undefined;
  /** Whether a poll has answered the Wait the execution is stopped at. */
  private reported = false;
  private paused = signal();

  constructor(
    readonly executionArn: string,
    readonly stateMachineArn: string,
    readonly name: string,
    readonly input: string,
    readonly startDate: Date,
  ) {
    this.record('ExecutionStarted');
  }

  readonly observer: ExecutionObserver = {
    stateEntered: (name, type) => this.record(`${type}StateEntered`, { name, input: '{}' }),
    beforeWait: () =>
      new Promise<void>((resolve) => {
        this.resume = resolve;
        this.reported = false;
        this.paused.resolve();
      }),
  };

  ended(result: LocalExecution): void {
    this.result = result;
    this.status = result.status;
    this.record(result.status === 'SUCCEEDED' ? 'ExecutionSucceeded' : 'ExecutionFailed');
    this.paused.resolve();
  }

  /**
   * One poll: answers where the execution stopped (a Wait, or its end). The Wait a poll has reported is passed by
   * the next poll, which then answers the execution at its following Wait, or its end.
   */
  async step(): Promise<void> {
    await this.paused.promise;
    const resume = this.resume;
    if (resume && this.reported) {
      this.resume = undefined;
      this.paused = signal();
      resume();
      await this.paused.promise;
    }
    this.reported = true;
  }

  private record(type: string, stateEnteredEventDetails?: HistoryEvent['stateEnteredEventDetails']): void {
    const id = this.events.length + 1;
    this.events.push({
      timestamp: Date.now() / 1000,
      type,
      id,
      previousEventId: id - 1,
      ...(stateEnteredEventDetails && { stateEnteredEventDetails }),
    });
  }
}

/**
 * Step Functions' StartExecution, DescribeExecution and GetExecutionHistory in the service's JSON protocol
 * (awsJson1_0: POST /, `X-Amz-Target: AWSStepFunctions.<Operation>`, timestamps in epoch seconds), backed by the
 * synthesized state machines on the local runner. Shapes from the AWS Step Functions API Reference:
 * StartExecution answers executionArn and startDate, and ExecutionAlreadyExists for a name taken by another input;
 * DescribeExecution answers executionArn, stateMachineArn, name, status (RUNNING, SUCCEEDED, FAILED, ...), startDate,
 * stopDate, input, output, error and cause, or ExecutionDoesNotExist; GetExecutionHistory answers events (timestamp,
 * type, id, previousEventId, stateEnteredEventDetails), newest first with reverseOrder, at most maxResults.
 */
export class StepFunctionsStandIn {
  private readonly executions = new Map<string, SteppedExecution>();

  constructor(
    private readonly stateMachineArns: ReadonlySet<string>,
    private readonly run: RunExecution,
  ) {}

  /** Starts an execution, as StartExecution and the `states:startExecution` integration do: at once, running after. */
  start(stateMachineArn: string, name: string, input: string): { executionArn: string; started: boolean } {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.input === input && existing.status === 'RUNNING') return { executionArn, started: false };
      throw Object.assign(new Error(`Execution Already Exists: '${executionArn}'`), { name: 'ExecutionAlreadyExists' });
    }
    const execution = new SteppedExecution(executionArn, stateMachineArn, name, input, new Date());
    this.executions.set(executionArn, execution);
    void this.run(stateMachineArn, JSON.parse(input), name, execution.observer).then((result) => execution.ended(result));
    return { executionArn, started: true };
  }

  handle = async (request: StandInRequest): Promise<StandInResponse> => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const body = JSON.parse(request.body || '{}') as Record<string, unknown>;
    try {
      switch (target) {
        case 'AWSStepFunctions.StartExecution':
          return ok(this.startExecution(body));
        case 'AWSStepFunctions.DescribeExecution':
          return ok(await this.describeExecution(body));
        case 'AWSStepFunctions.GetExecutionHistory':
          return ok(this.executionHistory(body));
        default:
          return failure('UnknownOperationException', `The stand-in does not serve ${target}`);
      }
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      return failure(name, message);
    }
  };

  private startExecution(body: Record<string, unknown>) {
    const stateMachineArn = String(body.stateMachineArn);
    if (!this.stateMachineArns.has(stateMachineArn))
      throw Object.assign(new Error(`State Machine Does Not Exist: '${stateMachineArn}'`), { name: 'StateMachineDoesNotExist' });
    const name = typeof body.name === 'string' ? body.name : randomUUID();
    const { executionArn } = this.start(stateMachineArn, name, typeof body.input === 'string' ? body.input : '{}');
    return { executionArn, startDate: this.execution(executionArn).startDate.getTime() / 1000 };
  }

  private async describeExecution(body: Record<string, unknown>) {
    const execution = this.execution(String(body.executionArn));
    await execution.step();
    const { result } = execution;
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime() / 1000,
      input: execution.input,
      ...(result && { stopDate: Date.now() / 1000 }),
      ...(result?.status === 'SUCCEEDED' && { output: JSON.stringify(result.output ?? null) }),
      ...(result?.error !== undefined && { error: result.error }),
      ...(result?.cause !== undefined && { cause: result.cause }),
    };
  }

  private executionHistory(body: Record<string, unknown>) {
    const execution = this.execution(String(body.executionArn));
    const events = body.reverseOrder === true ? [...execution.events].reverse() : execution.events;
    return { events: events.slice(0, typeof body.maxResults === 'number' && body.maxResults > 0 ? body.maxResults : 1000) };
  }

  private execution(executionArn: string): SteppedExecution {
    const execution = this.executions.get(executionArn);
    if (!execution) throw Object.assign(new Error(`Execution Does Not Exist: '${executionArn}'`), { name: 'ExecutionDoesNotExist' });
    return execution;
  }
}

const JSON_HEADERS = { 'Content-Type': 'application/x-amz-json-1.0' };

function ok(payload: unknown): StandInResponse {
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(payload) };
}

/** An error of the JSON protocol: 400 with the error's name in `__type` and its message. */
function failure(type: string, message: string): StandInResponse {
  return { status: 400, headers: JSON_HEADERS, body: JSON.stringify({ __type: type, message }) };
}
