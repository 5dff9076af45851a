import { StateMachine, type ExecutionError } from 'aws-local-stepfunctions';
import type { VirtualClock } from '../virtual-clock';
import type { AslDefinition, AslState } from './state-machine-definition';

/**
 * Runs a synthesized JSONPath state machine in-process with aws-local-stepfunctions. Task states call local handlers
 * keyed by the Lambda ARN in their Resource (a Task without one is refused up front; nothing ever calls AWS). Wait states run
 * on the virtual clock: each is swapped for a local step that advances the clock by exactly the wait's duration, so a
 * simulated week takes seconds. Retry back-off is not slept (intervals are zeroed); Retry counts, Catch, Choice and Map
 * behave as defined. Timeouts run on the virtual clock too: a handler that used more virtual time than its function's
 * timeout fails as Lambda reports it (Sandbox.Timedout), and one beyond its Task's TimeoutSeconds as States.Timeout;
 * the library's own real-time task timeout is set out of reach.
 *
 * Map states: aws-local-stepfunctions 3.0 runs ItemsPath, ItemSelector, ItemProcessor and MaxConcurrency(Path)
 * (iterations run concurrently, at most MaxConcurrency at once, 40 when unset). It has no ItemReader, ItemBatcher,
 * ResultWriter or tolerated-failure thresholds, so a definition using them is refused here rather than run wrongly. A
 * Distributed Map (`ProcessorConfig.Mode: DISTRIBUTED`) runs as inline iterations: in AWS each iteration is a child
 * execution with its own history ("Using Map state in Distributed mode", Step Functions developer guide); here they
 * share the parent's event log, and their transitions are counted with the parent's.
 */

export type LocalLambda = (event: unknown) => Promise<unknown>;

/**
 * Step Functions Standard caps an execution's history at 25,000 events: an execution that reaches the quota fails
 * (Step Functions developer guide, "Step Functions service quotas", quotas related to state machine executions:
 * "Maximum execution history size"). The quota names no error; the runner reports this one.
 */
export const EXECUTION_HISTORY_LIMIT = 25_000;
export const HISTORY_LIMIT_ERROR = 'ExecutionHistoryLimitExceeded';

export interface LocalExecution {
  status: 'SUCCEEDED' | 'FAILED';
  executionName: string;
  output?: unknown;
  error?: string;
  cause?: string;
  /** State transitions, the unit Step Functions Standard bills: states entered plus retries. */
  transitions: number;
  /** History events, counted as Step Functions records them (see historyEventsOf). */
  historyEvents: number;
  /** Bytes of the events' JSON (state inputs and outputs included): what execution logging with data writes. */
  historyBytes: number;
  statesEntered: string[];
  startedAt: Date;
  stoppedAt: Date;
}

const WAIT_RESOURCE = 'local:virtual-wait';
/** Real time the library allows a task (it defaults to 60 s): out of reach, so only virtual time decides. */
const REAL_TIME_TASK_LIMIT_SECONDS = 20 * 86_400;

/** Who watches one execution as it runs: a stand-in for the Step Functions API, say. */
export interface ExecutionObserver {
  /** The execution entered a state (a `<Type>StateEntered` event of its history); Wait states are reported as Wait. */
  stateEntered?(name: string, type: string): void;
  /** Awaited before each Wait state lets its time pass: the execution then runs one wait at a time, when told. */
  beforeWait?(): Promise<void>;
}

export interface LocalWorkflowRunnerOptions {
  /** Each function's timeout (its Timeout property), in ms, by the ARN the definition invokes it with. */
  lambdaTimeoutsMs?: ReadonlyMap<string, number>;
}

/** Map fields aws-local-stepfunctions does not implement (see above). */
const UNMODELLED_MAP_FIELDS = [
  'ItemReader',
  'ItemBatcher',
  'ResultWriter',
  'ToleratedFailurePercentage',
  'ToleratedFailureCount',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCountPath',
];

type StateVisitor = (name: string, state: AslState, states: Record<string, AslState>) => void;

function visitStates(states: Record<string, AslState>, visit: StateVisitor): void {
  for (const [name, state] of Object.entries(states)) {
    visit(name, state, states);
    const nested = [state.Iterator, state.ItemProcessor] as Array<{ States?: Record<string, AslState> } | undefined>;
    for (const machine of nested) if (machine?.States) visitStates(machine.States, visit);
    for (const branch of (state.Branches as Array<{ States: Record<string, AslState> }> | undefined) ?? [])
      visitStates(branch.States, visit);
  }
}

function readPath(input: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`Unsupported path ${path}`);
  return path
    .slice(1)
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), input);
}

function waitMilliseconds(state: AslState, input: unknown, nowMs: number): number {
  if (typeof state.Seconds === 'number') return state.Seconds * 1000;
  if (typeof state.SecondsPath === 'string') {
    const seconds = readPath(input, state.SecondsPath);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0)
      throw Object.assign(new Error(`SecondsPath ${state.SecondsPath} gave ${JSON.stringify(seconds)}`), { name: 'States.Runtime' });
    return seconds * 1000;
  }
  const timestamp = typeof state.Timestamp === 'string' ? state.Timestamp : readPath(input, String(state.TimestampPath));
  return Math.max(0, new Date(String(timestamp)).getTime() - nowMs);
}

/** Lambda reports a thrown error as its name, with a JSON Cause holding the message; mirror that. */
function asLambdaError(error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  return namedError(original.name, JSON.stringify({ errorType: original.name, errorMessage: original.message }));
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * An invocation that ran out of time, as Lambda reports it: errorType Sandbox.Timedout and the message its runtime
 * writes (aws/aws-lambda-runtime-interface-emulator, cmd/aws-lambda-rie/handlers.go, on rapidcore.ErrInvokeTimeout).
 */
function lambdaTimeout(timeoutMs: number, executionName: string): Error {
  const errorMessage = `RequestId: ${executionName} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
  return namedError('Sandbox.Timedout', JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage }));
}

export class LocalWorkflowRunner {
  private readonly definition: AslDefinition;
  private readonly taskStates = new Map<string, string>();
  private readonly waitStates = new Map<string, AslState>();
  /** Each Task's TimeoutSeconds in ms, applied on the virtual clock. */
  private readonly taskTimeoutsMs = new Map<string, number>();
  /** Built once: constructing one validates the definition, which is costly. */
  private machine: StateMachine | undefined;

  constructor(
    definition: AslDefinition,
    private readonly lambdas: ReadonlyMap<string, LocalLambda>,
    private readonly clock: VirtualClock,
    private readonly options: LocalWorkflowRunnerOptions = {},
  ) {
    if (definition.QueryLanguage === 'JSONata') throw new Error('The local runner executes JSONPath state machines only');
    // A JSON copy, not structuredClone: in a jest VM context structuredClone returns objects of another realm, which
    // aws-local-stepfunctions does not take for plain objects, and nested Parameters templates would go unresolved.
    this.definition = JSON.parse(JSON.stringify(definition)) as AslDefinition;
    visitStates(this.definition.States, (name, state, states) => {
      if (state.Type === 'Map') {
        const unmodelled = UNMODELLED_MAP_FIELDS.filter((field) => field in state);
        if (unmodelled.length > 0) throw new Error(`Map ${name} uses ${unmodelled.join(', ')}, which the local runner does not model`);
      }
      if (state.Type === 'Task') {
        this.taskStates.set(name, String(state.Resource));
        if (typeof state.TimeoutSeconds === 'number') this.taskTimeoutsMs.set(name, state.TimeoutSeconds * 1000);
        state.TimeoutSeconds = REAL_TIME_TASK_LIMIT_SECONDS;
      }
      if (state.Type === 'Wait') {
        const { Seconds, SecondsPath, Timestamp, TimestampPath, ...rest } = state;
        this.waitStates.set(name, { ...rest, Seconds, SecondsPath, Timestamp, TimestampPath });
        states[name] = { ...rest, Type: 'Task', Resource: WAIT_RESOURCE, TimeoutSeconds: REAL_TIME_TASK_LIMIT_SECONDS };
        this.taskStates.set(name, WAIT_RESOURCE);
      }
    });
    const missing = [...this.taskStates].filter(([, resource]) => resource !== WAIT_RESOURCE && !lambdas.has(resource));
    if (missing.length > 0)
      throw new Error(
        `No local handler for Task ${missing.map(([name, arn]) => `${name} (${arn})`).join(', ')}: the runner never calls AWS`,
      );
  }

  async run(input: unknown, executionName: string, observer: ExecutionObserver = {}): Promise<LocalExecution> {
    const startedAt = this.clock.now();
    this.machine ??= new StateMachine(this.definition as never, { validationOptions: { checkPaths: true, checkArn: false } });
    const execution = this.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.localHandlers(executionName, observer) as never,
        retryIntervalOverrides: Object.fromEntries([...this.taskStates.keys()].map((name) => [name, 0])),
      },
      context: { Execution: { Id: `arn:aws:states:local:execution:${executionName}`, Name: executionName } },
    });
    const statesEntered: string[] = [];
    let retries = 0;
    // Written by the event loop below while the execution runs: an object, so that reads after it see its writes.
    const history = { events: 0, bytes: 0, overLimit: false };
    const collecting = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') {
          statesEntered.push(event.state.name);
          observer.stateEntered?.(event.state.name, this.waitStates.has(event.state.name) ? 'Wait' : event.state.type);
        }
        if (event.type === 'StateRetried') retries += 1;
        history.events += this.historyEventsOf(event);
        history.bytes += JSON.stringify(event).length;
        if (history.events > EXECUTION_HISTORY_LIMIT && !history.overLimit) {
          history.overLimit = true;
          execution.abort();
        }
      }
    })();
    const base = () => ({
      executionName,
      statesEntered,
      startedAt,
      stoppedAt: this.clock.now(),
      historyEvents: history.events,
      historyBytes: history.bytes,
    });
    try {
      const output = await execution.result;
      await collecting;
      return { status: 'SUCCEEDED', output, transitions: statesEntered.length + retries, ...base() };
    } catch (error) {
      await collecting;
      if (history.overLimit)
        return {
          status: 'FAILED',
          error: HISTORY_LIMIT_ERROR,
          cause: `The execution history exceeded ${EXECUTION_HISTORY_LIMIT} events, the Step Functions quota`,
          transitions: statesEntered.length + retries,
          ...base(),
        };
      const cause = (error as ExecutionError).cause as { name?: string; message?: string } | undefined;
      return {
        status: 'FAILED',
        error: cause?.name ?? (error as Error).name,
        cause: cause?.message ?? (error as Error).message,
        transitions: statesEntered.length + retries,
        ...base(),
      };
    }
  }

  /**
   * The events Step Functions records for what the local engine reports (API reference, HistoryEvent types): the
   * execution's start and end; for every state its Entered and Exited events; and for a Task, per attempt,
   * TaskScheduled, TaskStarted and TaskSucceeded or TaskFailed. Wait states, run here as local tasks, are Waits.
   */
  private historyEventsOf(event: { type: string; state?: { name: string; type: string } }): number {
    const isTask = event.state !== undefined && event.state.type === 'Task' && !this.waitStates.has(event.state.name);
    switch (event.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionTerminated':
      case 'StateExited':
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        return 1;
      case 'StateEntered':
        return isTask ? 4 : 1;
      case 'StateRetried':
        return isTask ? 3 : 0;
      default:
        return 0;
    }
  }

  private localHandlers(executionName: string, observer: ExecutionObserver): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [name, resource] of this.taskStates) {
      if (resource === WAIT_RESOURCE) {
        const wait = this.waitStates.get(name)!;
        handlers[name] = (input) => {
          const pass = () => {
            this.clock.advance(waitMilliseconds(wait, input, this.clock.nowMs()));
            return input;
          };
          // Without an observer that holds it, the wait passes at once, as it always has.
          const held = observer.beforeWait?.();
          return held ? held.then(pass) : Promise.resolve(pass());
        };
        continue;
      }
      const lambda = this.lambdas.get(resource)!;
      const lambdaTimeoutMs = this.options.lambdaTimeoutsMs?.get(resource);
      const taskTimeoutMs = this.taskTimeoutsMs.get(name);
      handlers[name] = async (input) => {
        const startedAt = this.clock.nowMs();
        // What the handler did within its time stands; whatever it answers after its time is lost, as in Lambda.
        const outOfTime = () => {
          const used = this.clock.nowMs() - startedAt;
          if (lambdaTimeoutMs !== undefined && used > lambdaTimeoutMs) return lambdaTimeout(lambdaTimeoutMs, executionName);
          if (taskTimeoutMs !== undefined && used > taskTimeoutMs) return namedError('States.Timeout', 'The task timed out');
          return undefined;
        };
        let output: unknown;
        try {
          // A JSON round trip on both sides, as Lambda's invoke does.
          output = JSON.parse(JSON.stringify((await lambda(JSON.parse(JSON.stringify(input)))) ?? null));
        } catch (error) {
          throw outOfTime() ?? asLambdaError(error);
        }
        const timeout = outOfTime();
        if (timeout) throw timeout;
        return output;
      };
    }
    return handlers;
  }
}
