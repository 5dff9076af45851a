/**
 * What the CDK app needs before it builds anything: Node 24 (the Lambda runtime's major, which the npm scripts use)
 * and an explicit deployment config, so that `cdk deploy` never deploys the example by accident.
 */

export const REQUIRED_NODE_MAJOR = 24;
export const DEFAULT_STACK_NAME = 'CnpgSnapshotScheduler';

/** Why this Node cannot run the app, or undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `cnpg-snapshot-scheduler needs Node ${REQUIRED_NODE_MAJOR} or newer (the Lambda runtime's major), but this is Node ${version}. ` +
    'Run it through npm (npx cdk ..., npm run ...), which uses the Node 24 that `npm ci` installs, or install Node 24.'
  );
}

export interface AppArguments {
  configPath: string;
  stackName: string;
}

/** Reads `-c config=<file>` (required) and `-c stackName=<name>` (optional) from the CDK context. */
export function appArguments(context: (key: string) => unknown): AppArguments {
  const configPath = context('config');
  if (typeof configPath !== 'string' || configPath.trim() === '')
    throw new AppArgumentError(
      'Missing deployment config: pass -c config=<file>, e.g. `npx cdk deploy -c config=config/my-clusters.yaml` ' +
        '(`-c config=config/example.yaml` synthesizes the example).',
    );
  const stackName = context('stackName') ?? DEFAULT_STACK_NAME;
  if (typeof stackName !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName))
    throw new AppArgumentError(
      `Invalid -c stackName=${typeof stackName === 'string' ? stackName : JSON.stringify(stackName)}: a CloudFormation stack name starts with a letter and has only letters, digits and "-" (at most 128)`,
    );
  return { configPath, stackName };
}

export class AppArgumentError extends Error {
  override readonly name = 'AppArgumentError';
}
