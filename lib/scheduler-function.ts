import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { join } from 'node:path';

export interface SchedulerFunctionProps {
  /** Entry point file under lambdas/entrypoints, without extension, e.g. `start-backup`. */
  readonly handler: string;
  readonly description: string;
  readonly role?: iam.IRole;
  readonly environment?: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly timeout?: Duration;
  /** Runs the function in these subnets, with these security groups. */
  readonly network?: SchedulerNetwork;
}

export interface SchedulerNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroups: ec2.ISecurityGroup[];
}

export const ENTRYPOINTS_DIR = join(__dirname, '..', 'lambdas', 'entrypoints');

/** An entry point of lambdas/entrypoints as an arm64 nodejs24.x function, bundled and minified by local esbuild (never Docker). */
export class SchedulerFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SchedulerFunctionProps) {
    // An explicit role instead of AWSLambdaBasicExecutionRole: log writes are granted on this function's group only.
    const role = props.role ?? new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    super(scope, id, {
      entry: join(ENTRYPOINTS_DIR, `${props.handler}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role,
      ...(props.network && {
        vpc: props.network.vpc,
        vpcSubnets: { subnets: props.network.subnets },
        securityGroups: props.network.securityGroups,
      }),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'cnpg-snapshot-scheduler',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // The AWS SDK v3 clients are bundled at the versions the project pins rather than taken from the runtime.
        externalModules: [],
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    logGroup.grantWrite(role);
  }
}
