import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { SnapshotSchedulerStack } from '../../lib/snapshot-scheduler-stack';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { EXAMPLE_TARGET } from './synthesize';

/** Each Lambda as deployed: bundled by local esbuild, loaded by Node, refusing a malformed event with its own error. */

const INVOKE = `
const { handler } = await import(process.argv[1]);
try {
  await handler({ malformed: true }, { functionName: 'bundle-check', awsRequestId: 'local', getRemainingTimeInMillis: () => 30000 });
  console.log(JSON.stringify({ returned: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, message: error.message }));
}`;

describe('the Lambda bundles', () => {
  const app = new App();
  const stack = new SnapshotSchedulerStack(app, 'Bundles', {
    config: parseDeploymentConfig({ targets: [EXAMPLE_TARGET] }),
    env: { account: TEST_ACCOUNT, region: TEST_REGION },
  });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string } } }>;
  };
  // Each function's code is the asset whose hash names the uploaded zip.
  const bundles = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(
      ([id, resource]) =>
        [id, join(assembly.directory, `asset.${resource.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs')] as const,
    );

  test('there is one ESM bundle per function', () => expect(bundles).toHaveLength(10));

  test.each(bundles)('%s loads on Node 24 and refuses a malformed event with a named error', (_id, bundle) => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', INVOKE, bundle], {
      env: {
        ...process.env,
        AWS_REGION: TEST_REGION,
        EVENT_BUS_NAME: 'default',
        TARGETS: JSON.stringify([EXAMPLE_TARGET]),
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      encoding: 'utf8',
    });
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as { name: string; message: string };
    expect(result.name).toBe('InvalidInputError');
    expect(result.message).toMatch(/^Invalid /);
  });
});
