import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { DynamoDbRecoveryPointLedger } from '../lambdas/adapters/dynamodb-recovery-point-ledger';
import type { RetentionPlan } from '../lambdas/domain/retention-plan';
import type { TargetSpec } from '../lambdas/domain/target-spec';
import { ConflictError, InvalidInputError, PreconditionFailedError } from '../lambdas/errors';
import { CliError } from './cli-error';
import { refusal } from './handler-refusal';
import type { SchedulerOperations } from './scheduler-operations';
import type { RestoreOrder, RunState, StartedRun } from './scheduler-run';
import { snapshotsFrom } from './restore-preview';
import { readStackOutputs, type DeployedStack, type StackOutputs } from './stack-outputs';

export interface StackSource {
  stack: string;
  region?: string;
}

/** What a function answered with `FunctionError` set: Lambda's error payload (errorType, errorMessage). */
const FunctionErrorSchema = z.object({ errorType: z.string().default('Error'), errorMessage: z.string().default('') });

/** The refusals the scheduler's functions answer with, by their errorType (lambdas/errors.ts). */
const REFUSALS: Record<string, new (message: string) => Error> = {
  InvalidInputError,
  PreconditionFailedError,
  ConflictError,
};

/** The parts of the workflows' outputs the CLI prints; read leniently (a newer deploy may add fields). */
const BackupOutputSchema = z.object({
  backup: z.object({
    follow: z.object({ name: z.string(), namespace: z.string() }),
    progress: z.object({
      state: z.string(),
      durationSeconds: z.number().optional(),
      snapshots: z.array(z.string()).optional(),
      stoppedAt: z.string().optional(),
      reason: z.string().optional(),
    }),
  }),
});
const RestoreOutputSchema = z.object({
  restore: z.object({
    context: z.object({ clusterName: z.string(), namespace: z.string() }),
    progress: z.object({ readyAt: z.string().optional(), rtoSeconds: z.number().optional() }),
  }),
});
const DrillOutputSchema = z.object({
  drill: z.object({
    context: z.object({ clusterName: z.string() }),
    progress: z.object({ result: z.object({ rtoSeconds: z.number().optional() }).optional() }),
  }),
});
const RequestRestoreAnswerSchema = z.object({
  clusterName: z.string(),
  namespace: z.string(),
  backup: z.string(),
  backupEndedAt: z.string(),
  applicationSecret: z.string(),
  walReplay: z.string(),
  warnings: z.array(z.string()),
  executionName: z.string().optional(),
  executionArn: z.string().optional(),
  started: z.boolean().optional(),
  snapshots: z.object({ region: z.string(), from: z.string() }).optional(),
});

/**
 * Operations on a deployed scheduler, found by its stack's outputs: AWS permissions only, no Kubernetes access.
 * A backup or drill is an execution of the deployed workflow; a restore is the RequestRestore function, then the
 * restore workflow it started; status, backups and plan are the ApplyRetention function's dry run, and status reads
 * each target's last drill from the recovery point ledger's table with the adapter the deployed audit uses. A standby
 * stack (the DR Region's) has the restore alone: anything else is refused, saying so.
 */
export function stackOperations(source: StackSource): SchedulerOperations {
  const config = source.region ? { region: source.region } : {};
  const cloudFormation = new CloudFormationClient(config);
  const stepFunctions = new SFNClient(config);
  const lambda = new LambdaClient(config);
  const dynamodb = new DynamoDBClient(config);
  let outputs: Promise<DeployedStack> | undefined;
  const deployed = () => (outputs ??= readStackOutputs(cloudFormation, source.stack));
  /** The scheduler's outputs, for what a standby cannot do. */
  const stack = async (): Promise<StackOutputs> => {
    const found = await deployed();
    if (found.kind === 'scheduler') return found.outputs;
    throw new CliError(
      `Stack ${source.stack} is a standby stack: it only restores, into a DR EKS cluster (restore <target> --stack ${source.stack} --to-eks-cluster <name>). ` +
        "Status, backups, plan, backup and drill are the primary stack's.",
    );
  };

  const invoke = async (functionName: string, payload: unknown): Promise<unknown> => {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
    );
    const text = answer.Payload ? new TextDecoder().decode(answer.Payload) : 'null';
    if (answer.FunctionError) {
      const { errorType, errorMessage } = FunctionErrorSchema.parse(JSON.parse(text));
      const Refusal = REFUSALS[errorType];
      if (Refusal) return Promise.reject(new Refusal(errorMessage));
      throw new CliError(`${functionName} failed: ${errorType}: ${errorMessage}. Its CloudWatch logs say more.`);
    }
    return JSON.parse(text) as unknown;
  };

  /** RequestRestore of the stack (the scheduler's or a standby's); a refusal says what to do next in that stack. */
  const requestRestore = async (target: TargetSpec, order: RestoreOrder, dryRun: boolean) => {
    const { kind, outputs } = await deployed();
    const next =
      kind === 'standby'
        ? `Nothing was changed. A standby restores from the backups with a completed copy in its Region, into the EKS clusters and namespaces of disasterRecovery.eksClusters.`
        : `Nothing was changed. See the backups there are with: cnpg-snapshot-scheduler backups ${target.name} --stack ${source.stack}`;
    const raw = await invoke(outputs.SchedulerRequestRestoreFunction, { target: target.name, ...order, ...(dryRun && { dryRun }) }).catch(
      (error: unknown) => {
        throw refusal(error, next);
      },
    );
    return { answer: RequestRestoreAnswerSchema.parse(raw), outputs };
  };

  const startWorkflow = async (stateMachineArn: string, what: string, target: TargetSpec, summarize: Summarize): Promise<StartedRun> => {
    const { executionArn } = await stepFunctions.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ target: target.name }) }),
    );
    if (!executionArn) throw new Error(`StartExecution of ${stateMachineArn} answered no executionArn`);
    return followedExecution(stepFunctions, executionArn, `${what} of target ${target.name} started: execution ${executionArn}`, summarize);
  };

  return {
    async retentionPlan(target) {
      const answer = await invoke((await stack()).SchedulerApplyRetentionFunction, {
        input: { target: target.name, dryRun: true },
        trigger: 'manual',
      }).catch((error: unknown) => {
        throw refusal(error, 'Check the target and the stack.');
      });
      const plan = (answer as { plan?: RetentionPlan } | null)?.plan;
      if (!plan || !Array.isArray(plan.backups)) throw new Error('the ApplyRetention dry run answered no plan');
      return plan;
    },

    async ledgerRecords() {
      const table = (await stack()).SchedulerRecoveryPointLedgerTable;
      return new DynamoDbRecoveryPointLedger(() => table, dynamodb).readAll();
    },

    snapshots() {
      // Stack mode reads no Kubernetes object: sizes are the snapshots' and are left out.
      return Promise.resolve([]);
    },

    async backup(target) {
      return startWorkflow((await stack()).SchedulerBackupWorkflowArn, 'Backup', target, backupSummary);
    },

    async drill(target) {
      return startWorkflow((await stack()).SchedulerDrillWorkflowArn, 'Drill', target, drillSummary);
    },

    async previewRestore(target, order) {
      return (await requestRestore(target, order, true)).answer;
    },

    async restore(target, order: RestoreOrder) {
      const { answer, outputs } = await requestRestore(target, order, false);
      const executionArn =
        answer.executionArn ??
        (answer.executionName && `${outputs.SchedulerRestoreWorkflowArn.replace(':stateMachine:', ':execution:')}:${answer.executionName}`);
      if (!executionArn) throw new Error('RequestRestore answered no execution');
      const warnings = answer.warnings.map((warning) => `\n  warning: ${warning}`).join('');
      const started =
        `${answer.started === false ? 'Restore already requested: cluster' : 'Restore started: cluster'} ${answer.namespace}/${answer.clusterName} ` +
        `from backup ${answer.backup} (ended ${answer.backupEndedAt}, WAL replay: ${answer.walReplay}${snapshotsFrom(answer.snapshots)}); applications connect with Secret ` +
        `${answer.applicationSecret}${warnings}\n  execution ${executionArn}`;
      return followedExecution(stepFunctions, executionArn, started, restoreSummary);
    },
  };
}

/** What a workflow's output says once it succeeded: the outcome, or why it did not do its job. */
type Summarize = (output: unknown) => { ok: true; summary: string; rtoSeconds?: number } | { ok: false; reason: string };

const backupSummary: Summarize = (output) => {
  const { follow, progress } = BackupOutputSchema.parse(output).backup;
  const ref = `${follow.namespace}/${follow.name}`;
  // BackupSkipped ends the execution successfully: the slot took no backup, which a backup on demand must report.
  if (progress.state !== 'completed')
    return { ok: false, reason: `Backup ${ref} ${progress.state}: ${progress.reason ?? 'no reason given'}` };
  const snapshots = progress.snapshots?.length ?? 0;
  return {
    ok: true,
    summary: `Backup ${ref} completed in ${progress.durationSeconds ?? 0} s (${snapshots} snapshots${progress.stoppedAt ? `, ended ${progress.stoppedAt}` : ''})`,
  };
};

const restoreSummary: Summarize = (output) => {
  const { context, progress } = RestoreOutputSchema.parse(output).restore;
  return {
    ok: true,
    summary: `Cluster ${context.namespace}/${context.clusterName} is ready${progress.readyAt ? ` (since ${progress.readyAt})` : ''}`,
    ...(progress.rtoSeconds !== undefined && { rtoSeconds: progress.rtoSeconds }),
  };
};

const drillSummary: Summarize = (output) => {
  const { context, progress } = DrillOutputSchema.parse(output).drill;
  const rtoSeconds = progress.result?.rtoSeconds;
  return {
    ok: true,
    summary: `Drill passed: cluster ${context.clusterName} was restored, verified and torn down`,
    ...(rtoSeconds !== undefined && { rtoSeconds }),
  };
};

/**
 * Follows an execution with DescribeExecution; while it runs, its phase is the state it last entered (the newest
 * StateEntered event of GetExecutionHistory). A failed, timed out or aborted execution reports its error and cause.
 */
function followedExecution(client: SFNClient, executionArn: string, started: string, summarize: Summarize): StartedRun {
  let phase = 'starting';
  return {
    started,
    follow: `Follow it with: aws stepfunctions describe-execution --execution-arn ${executionArn}`,
    async check(): Promise<RunState> {
      const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
      const history = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 20 }));
      phase = history.events?.find((event) => event.stateEnteredEventDetails?.name)?.stateEnteredEventDetails?.name ?? phase;
      switch (execution.status) {
        case 'SUCCEEDED': {
          const outcome = summarize(JSON.parse(execution.output ?? 'null'));
          return outcome.ok ? { done: true, phase, ...outcome } : { done: true, ok: false, phase, reason: outcome.reason };
        }
        case 'FAILED':
        case 'TIMED_OUT':
        case 'ABORTED':
          return {
            done: true,
            ok: false,
            phase,
            reason: `execution ${execution.status.toLowerCase().replace('_', ' ')} in ${phase}: ${execution.error ?? 'no error'}: ${execution.cause ?? 'no cause given'}`,
          };
        default:
          return { done: false, phase };
      }
    },
  };
}
