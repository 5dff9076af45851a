import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { BUNDLE_MODULE, ENTRYPOINTS_DIR, PREBUNDLED_LAMBDAS_DIR } from './lambda-bundle-layout';
import { lambdaCode } from './lambda-code';

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
  /**
   * Memory in MB (default 256). `npm run bench` prints each bundle's cold peak RSS (init plus one invocation):
   * about 70 MB for the functions that only call AWS, about 83 MB for the Kubernetes-facing ones, which also hold
   * whole lists of Backups and VolumeSnapshots while they work.
   */
  readonly memoryMb?: number;
  /** Ships a source map and runs Node with --enable-source-maps: readable stack traces, paid for at every cold start. */
  readonly sourceMaps?: boolean;
  /** Layers mounted under /opt (the target catalog). */
  readonly layers?: lambda.ILayerVersion[];
}

export interface SchedulerNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * An entry point of lambdas/entrypoints as an arm64 nodejs24.x function: its code prebundled by the package, or in a
 * checkout bundled and minified at synth by local esbuild (never Docker), lib/lambda-code.ts.
 */
export class SchedulerFunction extends lambda.Function {
  /** The entry point's source file (in a checkout); lib/lambda-bundle.ts turns it into the function's code. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: SchedulerFunctionProps) {
    const entry = join(ENTRYPOINTS_DIR, `${props.handler}.ts`);
    // An explicit role instead of AWSLambdaBasicExecutionRole: log writes are granted on this function's group only.
    const role = props.role ?? new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    super(scope, id, {
      code: lambdaCode(entry, props.sourceMaps ?? false, PREBUNDLED_LAMBDAS_DIR),
      handler: `${BUNDLE_MODULE}.handler`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role,
      ...(props.layers && { layers: props.layers }),
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
        ...(props.sourceMaps && { NODE_OPTIONS: '--enable-source-maps' }),
        ...props.environment,
      },
    });
    this.entry = entry;
    logGroup.grantWrite(role);
  }
}
