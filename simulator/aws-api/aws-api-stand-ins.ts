import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDbRecoveryPointLedger } from '../../lambdas/adapters/dynamodb-recovery-point-ledger';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { assumedRoleStorageSnapshots, VAULT_ROLE_SESSION_NAME } from '../../lambdas/adapters/assumed-role-storage-snapshots';
import { Ec2StorageSnapshots } from '../../lambdas/adapters/ec2-storage-snapshots';
import type { AccountStorageSnapshots } from '../../lambdas/adapters/storage-snapshots';
import { LOCAL_CATALOG_NAME, type LocalScheduler, type LocalWorkflowKind } from '../local-scheduler';
import type { LocalStandby } from '../local-standby';
import { TEST_ACCOUNT, TEST_REGION } from '../workflow-runner/state-machine-definition';
import { cloudFormationStandIn } from './cloudformation-stand-in';
import { DynamoDbStandIn } from './dynamodb-stand-in';
import { Ec2StandIn, type Ec2StandInOptions } from './ec2-stand-in';
import { HttpStandIn } from './http-stand-in';
import { lambdaStandIn } from './lambda-stand-in';
import { StepFunctionsStandIn } from './step-functions-stand-in';
import { StsStandIn, type StandInRole } from './sts-stand-in';

/** The function names the stand-in stack's outputs give (a deployed stack's are CloudFormation's generated ones). */
const REQUEST_RESTORE_FUNCTION = 'local-request-restore';
const APPLY_RETENTION_FUNCTION = 'local-apply-retention';
const STANDBY_REQUEST_RESTORE_FUNCTION = 'local-standby-request-restore';
/** The recovery point ledger's table, as the stand-in stack's output names it; its partition key is `target`. */
const LEDGER_TABLE = 'local-recovery-points';

/** DynamoDB holding the recovery point ledger, and the scheduler's production adapter on it. */
export interface LedgerStandIn {
  url: string;
  /** The DynamoDB ledger adapter the deployed functions use, reaching the stand-in: give it to the local scheduler. */
  ledger: DynamoDbRecoveryPointLedger;
  close(): Promise<void>;
}

/** Starts the DynamoDB stand-in with the ledger's table, before the local scheduler that writes to it. */
export async function startLedgerStandIn(): Promise<LedgerStandIn> {
  const server = await HttpStandIn.start(new DynamoDbStandIn({ [LEDGER_TABLE]: 'target' }).handle);
  const client = new DynamoDBClient({
    endpoint: server.url,
    region: TEST_REGION,
    credentials: { accessKeyId: 'AKIASTANDINFUNCTION0', secretAccessKey: 'stand-in-function-secret-key-0000000000' },
  });
  return {
    url: server.url,
    ledger: new DynamoDbRecoveryPointLedger(() => LEDGER_TABLE, client),
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

export interface AwsApiStandIns {
  /** The environment that points the AWS SDK at the stand-ins (service-specific endpoints, dummy credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * CloudFormation, Step Functions, Lambda and DynamoDB as a deployed scheduler's stack offers them to an operator,
 * backed by the local scheduler: the stack's outputs name the synthesized state machines, which run on the local
 * runner (one Wait per poll, see StepFunctionsStandIn), the RequestRestore and ApplyRetention handlers, and the
 * recovery point ledger's table in `ledger` (the one the local scheduler was started with).
 */
export async function startAwsApiStandIns(local: LocalScheduler, stackName: string, ledger: LedgerStandIn): Promise<AwsApiStandIns> {
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
    SchedulerRecoveryPointLedgerTable: LEDGER_TABLE,
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
  return operatorStandIns(servers, { AWS_ENDPOINT_URL_DYNAMODB: ledger.url });
}

/**
 * The standby stack in the DR Region as an operator reaches it there: CloudFormation (the standby's outputs, only in
 * `standby.region`), Lambda (its RequestRestore) and Step Functions (its restore workflow, stepped one Wait per poll)
 * on the local standby. The environment names the primary's Region, as an operator's profile would: the CLI must be
 * told the DR Region.
 */
export async function startStandbyApiStandIns(standby: LocalStandby, stackName: string): Promise<AwsApiStandIns> {
  const restoreArn = `arn:aws:states:${standby.region}:${TEST_ACCOUNT}:stateMachine:${stackName}-Restore`;
  const stepFunctions = new StepFunctionsStandIn(new Set([restoreArn]), (_arn, input, name, observer) =>
    standby.runWorkflow(input, name, observer),
  );
  const requestRestore = standby.restoreRequesterWith(
    { start: ({ stateMachineArn, name, input }) => Promise.resolve(stepFunctions.start(stateMachineArn, name, JSON.stringify(input))) },
    restoreArn,
  );
  const outputs = {
    SchedulerRequestRestoreFunction: STANDBY_REQUEST_RESTORE_FUNCTION,
    SchedulerRestoreWorkflowArn: restoreArn,
    SchedulerRecoveryPointCatalogTable: LOCAL_CATALOG_NAME,
  };
  const servers = await Promise.all([
    HttpStandIn.start(cloudFormationStandIn(stackName, outputs, standby.region)),
    HttpStandIn.start(stepFunctions.handle),
    HttpStandIn.start(lambdaStandIn(new Map([[STANDBY_REQUEST_RESTORE_FUNCTION, requestRestore]]))),
  ]);
  return operatorStandIns(servers, {});
}

/**
 * The CloudFormation, Step Functions and Lambda stand-ins as an operator's environment names them: their endpoints,
 * an operator's long-term key, and the primary's Region as the default.
 */
function operatorStandIns(
  [cloudFormation, sfn, lambda]: readonly [HttpStandIn, HttpStandIn, HttpStandIn],
  more: Record<string, string>,
): AwsApiStandIns {
  return {
    env: {
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url,
      AWS_ENDPOINT_URL_SFN: sfn.url,
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      ...more,
      AWS_ACCESS_KEY_ID: 'AKIASTANDINOPERATOR0',
      AWS_SECRET_ACCESS_KEY: 'stand-in-operator-secret-key-000000000000',
      AWS_REGION: TEST_REGION,
    },
    close: async () => {
      await Promise.all([cloudFormation, sfn, lambda].map((server) => server.close()));
    },
  };
}

/** The scheduler's functions' own credentials at the stand-ins: a long-term key of the scheduler's account. */
const FUNCTION_CREDENTIALS = { accessKeyId: 'AKIASTANDINFUNCTION0', secretAccessKey: 'stand-in-function-secret-key-0000000000' };

/** EC2 serving the simulated storage of every Region, and the scheduler's production adapter on it. */
export interface Ec2StandInServer {
  url: string;
  /** The stand-in itself: what it was asked (`requests`), throttling and short pages on demand. */
  ec2: Ec2StandIn;
  /** STS, for the roles of other accounts (`roles`): what it was asked to assume (`assumed`). */
  sts: StsStandIn;
  /** The EC2 adapter the deployed functions use, reaching the stand-in in whichever Region it is asked about. */
  storageSnapshots: Ec2StorageSnapshots;
  /** The production adapter of other accounts' snapshots: AssumeRole at the STS stand-in, then EC2 there as that role. */
  accountSnapshots: AccountStorageSnapshots;
  /** A client of the stand-in signed for a Region, as the adapter's (one attempt: retries are the caller's). */
  clientOf(region: string): EC2Client;
  close(): Promise<void>;
}

/**
 * Starts the EC2 stand-in on the storage providers of `options.regions` (and of `options.accounts`), copies
 * progressing on `options.now`, and the STS stand-in for the roles of those other accounts: the scheduler's own key
 * acts in `options.regions`' account, a key STS issued in its role's.
 */
export async function startEc2StandIn(
  options: Omit<Ec2StandInOptions, 'accountOf'> & { roles?: readonly StandInRole[] },
): Promise<Ec2StandInServer> {
  const primary = options.regions.account;
  const sts = new StsStandIn({
    roles: options.roles ?? [],
    accountOfKey: (key) => (key === FUNCTION_CREDENTIALS.accessKeyId ? primary : undefined),
    now: options.now,
  });
  const ec2 = new Ec2StandIn({ ...options, accountOf: (key) => sts.accountOf(key) });
  const [server, stsServer] = await Promise.all([HttpStandIn.start(ec2.handle), HttpStandIn.start(sts.handle)]);
  const clients: EC2Client[] = [];
  const clientWith = (region: string, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider) => {
    const client = new EC2Client({
      endpoint: server.url,
      region,
      credentials,
      // The SDK's retries wait in real time; a throttled answer reaches the caller, whose retries wait on the virtual clock.
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  };
  const clientOf = (region: string) => clientWith(region, FUNCTION_CREDENTIALS);
  return {
    url: server.url,
    ec2,
    sts,
    storageSnapshots: new Ec2StorageSnapshots(clientOf),
    accountSnapshots: assumedRoleStorageSnapshots({
      clientOf: clientWith,
      // The production provider, with the stand-in's STS as its endpoint and the functions' own key as the caller.
      credentialsOf: (account) =>
        fromTemporaryCredentials({
          params: { RoleArn: account.roleArn, RoleSessionName: VAULT_ROLE_SESSION_NAME },
          masterCredentials: FUNCTION_CREDENTIALS,
          clientConfig: { endpoint: stsServer.url, region: TEST_REGION, maxAttempts: 1 },
        }),
    }),
    clientOf,
    close: async () => {
      for (const client of clients) client.destroy();
      await Promise.all([server.close(), stsServer.close()]);
    },
  };
}
