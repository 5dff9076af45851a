import type { LocalScheduler, LocalWorkflowKind } from '../local-scheduler';
import { TEST_REGION } from '../workflow-runner/state-machine-definition';
import { cloudFormationStandIn } from './cloudformation-stand-in';
import { HttpStandIn } from './http-stand-in';
import { lambdaStandIn } from './lambda-stand-in';
import { StepFunctionsStandIn } from './step-functions-stand-in';

/** The function names the stand-in stack's outputs give (a deployed stack's are CloudFormation's generated ones). */
const REQUEST_RESTORE_FUNCTION = 'local-request-restore';
const APPLY_RETENTION_FUNCTION = 'local-apply-retention';

export interface AwsApiStandIns {
  /** The environment that points the AWS SDK at the stand-ins (service-specific endpoints, dummy credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * CloudFormation, Step Functions and Lambda as a deployed scheduler's stack offers them to an operator, backed by the
 * local scheduler: the stack's outputs name the synthesized state machines, which run on the local runner (one Wait
 * per poll, see StepFunctionsStandIn), and the RequestRestore and ApplyRetention handlers.
 */
export async function startAwsApiStandIns(local: LocalScheduler, stackName: string): Promise<AwsApiStandIns> {
  const arns = local.synthesized.workflowArns;
  const kindOf = new Map(Object.entries(arns).map(([kind, arn]) => [arn, kind as LocalWorkflowKind]));
  const stepFunctions = new StepFunctionsStandIn(new Set(kindOf.keys()), async (arn, input, name, observer) =>
    local.runWorkflow(kindOf.get(arn)!, input, name, observer),
  );
  const requestRestore = local.restoreRequesterWith(
    { start: ({ stateMachineArn, name, input }) => Promise.resolve(stepFunctions.start(stateMachineArn, name, JSON.stringify(input))) },
    arns.restore,
  );
  const outputs = {
    SchedulerBackupWorkflowArn: arns.backup,
    SchedulerRestoreWorkflowArn: arns.restore,
    SchedulerDrillWorkflowArn: arns.drill,
    SchedulerRetentionWorkflowArn: arns.retention,
    SchedulerRequestRestoreFunction: REQUEST_RESTORE_FUNCTION,
    SchedulerApplyRetentionFunction: APPLY_RETENTION_FUNCTION,
  };
  const servers = await Promise.all([
    HttpStandIn.start(cloudFormationStandIn(stackName, outputs)),
    HttpStandIn.start(stepFunctions.handle),
    HttpStandIn.start(
      lambdaStandIn(
        new Map([
          [REQUEST_RESTORE_FUNCTION, requestRestore],
          [APPLY_RETENTION_FUNCTION, (event: unknown) => local.invoke('applyRetention', event)],
        ]),
      ),
    ),
  ]);
  const [cloudFormation, sfn, lambda] = servers;
  return {
    env: {
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url,
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      AWS_ACCESS_KEY_ID: 'AKIASTANDINOPERATOR0',
      AWS_SECRET_ACCESS_KEY: 'stand-in-operator-secret-key-000000000000',
      AWS_REGION: TEST_REGION,
    },
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}
