import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeploymentConfigError } from '../../lib/deployment-config';
import { BUNDLE_FILE, PREBUNDLED_LAMBDAS_DIR, entryPointName, lambdaEntryPoints } from '../../lib/lambda-bundle-layout';
import { SnapshotScheduler } from '../../lib/snapshot-scheduler';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { resourcesOf } from './synthesize';

/**
 * SnapshotScheduler as the installed package runs it: with the functions' code prebundled beside the compiled library
 * (here a directory of stand-in bundles, one per entry point, named where the package keeps them).
 */
jest.mock('../../lib/lambda-bundle-layout', () => {
  const actual = jest.requireActual<typeof import('../../lib/lambda-bundle-layout')>('../../lib/lambda-bundle-layout');
  const { mkdtempSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
  const { tmpdir } = jest.requireActual<typeof import('node:os')>('node:os');
  return { ...actual, PREBUNDLED_LAMBDAS_DIR: mkdtempSync(`${tmpdir()}/cnpg-scheduler-package-bundles-`) };
});

const ORDERS = { name: 'orders', eksCluster: 'prod-eks', namespace: 'shop', cluster: 'orders' };
const standIn = (name: string) => `export const handler = () => 'the prebundled ${name}';\n`;

beforeAll(() => {
  for (const entry of lambdaEntryPoints()) {
    mkdirSync(join(PREBUNDLED_LAMBDAS_DIR, entryPointName(entry)));
    writeFileSync(join(PREBUNDLED_LAMBDAS_DIR, entryPointName(entry), BUNDLE_FILE), standIn(entryPointName(entry)));
  }
});
afterAll(() => rmSync(PREBUNDLED_LAMBDAS_DIR, { recursive: true, force: true }));

describe('SnapshotScheduler with prebundled code', () => {
  test('every function takes its own prebundled bundle, and the synth bundles nothing', () => {
    // Bundling on, as in a user's `cdk synth`.
    const app = new App();
    const stack = new Stack(app, 'Platform', { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
    // With copies, so that every entry point has its function (the copy functions exist only then).
    const copies = { region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' };
    const scheduler = new SnapshotScheduler(stack, 'Dr', { config: { targets: [{ ...ORDERS, copies }] } });
    const functions = resourcesOf(Template.fromStack(stack), 'AWS::Lambda::Function');
    const assembly = app.synth().directory;
    const schedulerFunctions = [
      ...Object.values(scheduler.functions),
      ...Object.values(scheduler.monitoring.functions),
      ...Object.values(scheduler.copies?.functions ?? {}),
    ];
    expect(schedulerFunctions).toHaveLength(lambdaEntryPoints().length);
    for (const fn of schedulerFunctions) {
      const { S3Key } = functions[stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)]!.Properties.Code as { S3Key: string };
      const staged = join(assembly, `asset.${S3Key.replace(/\.zip$/, '')}`, BUNDLE_FILE);
      expect(readFileSync(staged, 'utf8')).toBe(standIn(entryPointName(fn.entry)));
    }
  });

  test('lambdaSourceMaps is refused, naming the field, and nothing is added to the stack', () => {
    const stack = new Stack(new App(), 'Platform');
    expect(() => new SnapshotScheduler(stack, 'Dr', { config: { targets: [ORDERS], lambdaSourceMaps: true } })).toThrow(
      DeploymentConfigError,
    );
    expect(() => new SnapshotScheduler(stack, 'Dr', { config: { targets: [ORDERS], lambdaSourceMaps: true } })).toThrow(
      /props\.config[\s\S]*lambdaSourceMaps: the installed package's Lambdas are prebundled without source maps/,
    );
    expect(stack.node.children).toHaveLength(0);
  });
});
