import { execFileSync } from 'node:child_process';
import { lambdaBundles } from '../global/lambda-bundles';
import { TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { EXAMPLE_TARGET, synthesize } from './synthesize';

/**
 * Each Lambda as deployed: its entry point bundled by lib/lambda-bundle.ts (what the stack's local bundling runs),
 * loaded by Node 24, refusing a malformed event with its own error, and carrying only what its function needs.
 * The bundles are built once per test run and shared by the files that load them (test/global/lambda-bundles.ts).
 */

const INVOKE = `
const { handler } = await import(process.argv[1]);
try {
  await handler({ malformed: true }, { functionName: 'bundle-check', awsRequestId: 'local', getRemainingTimeInMillis: () => 30000 });
  console.log(JSON.stringify({ returned: true }));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, message: error.message }));
}`;

interface Bundle {
  file: string;
  inputs: string[];
  /** How each own module that is imported is imported (`import-statement`, `dynamic-import`), by importer and path. */
  imports: Array<{ importer: string; path: string; kind: string }>;
}

/** A package input as `node_modules/<package>/<file>`, wherever node_modules lives (own code stays as it is). */
const fromNodeModules = (path: string) => (path.includes('node_modules/') ? path.slice(path.lastIndexOf('node_modules/')) : path);

/** The functions that never talk to Kubernetes (PlanFanOut lists the labelled Clusters of discovery). */
const AWS_ONLY = ['reportFailure', 'dispatchSchedule', 'reportFanOut', 'reconcileRecoveryPoints', 'recordRecoveryPoint'];

describe('the Lambda bundles', () => {
  const { stack } = synthesize();
  const functions = [...Object.entries(stack.scheduler.functions), ...Object.entries(stack.scheduler.monitoring.functions)];
  const workflowFunctions = Object.keys(stack.scheduler.functions);
  const bundles = new Map<string, Bundle>();

  beforeAll(async () => {
    const built = await lambdaBundles();
    for (const [name, fn] of functions) {
      const { file, metafile } = built(fn.entry);
      // The inputs that contribute bytes to the bundle (esbuild also lists the modules it read and shook out).
      const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
      const inputs = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0);
      const own = new Set(inputs.map(([path]) => path));
      const imports = Object.entries(metafile.inputs)
        .filter(([importer]) => own.has(importer))
        .flatMap(([importer, input]) =>
          input.imports.map(({ path, kind }) => ({ importer: fromNodeModules(importer), path: fromNodeModules(path), kind })),
        );
      bundles.set(name, { file, inputs: inputs.map(([path]) => fromNodeModules(path)), imports });
    }
  });

  const bundle = (name: string): Bundle => bundles.get(name)!;

  test('there is one ESM bundle per function', () => expect(functions).toHaveLength(16));

  test.each(functions.map(([name]) => name))('%s loads on Node 24 and refuses a malformed event with a named error', (name) => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', INVOKE, bundle(name).file], {
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

  test.each(AWS_ONLY)('%s carries no Kubernetes client', (name) => {
    expect(bundle(name).inputs.filter((input) => /node_modules\/(@kubernetes|undici|@aws-sdk\/client-eks)\//.test(input))).toEqual([]);
  });

  test.each(workflowFunctions.filter((name) => !AWS_ONLY.includes(name)))(
    '%s carries client-node without its generated APIs and models',
    (name) => {
      const clientNode = bundle(name).inputs.filter((input) => input.includes('node_modules/@kubernetes/client-node/'));
      expect(clientNode).toContain('node_modules/@kubernetes/client-node/dist/config.js');
      expect(clientNode.filter((input) => /\/dist\/gen\/(models|types)\/|\/dist\/gen\/apis\/(?!exception\.js)/.test(input))).toEqual([]);
    },
  );

  test('checkBackup carries no EC2 client: what EC2 describes of a backup is added by recordRecoveryPoint', () => {
    expect(bundle('checkBackup').inputs.filter((input) => input.includes('node_modules/@aws-sdk/client-ec2/'))).toEqual([]);
    expect(bundle('recordRecoveryPoint').inputs).toContain('lambdas/adapters/ec2-storage-snapshots.ts');
  });

  test.each([
    'dispatchSchedule',
    'reportFanOut',
    'reportFailure',
    'startBackup',
    'checkBackup',
    'applyRetention',
    'requestRestore',
    'createRestoreCluster',
    'checkRestore',
    'startDrill',
    'checkDrill',
    'finishDrill',
  ])("%s carries zod's functional API only, with its English messages", (name) => {
    const zod = bundle(name).inputs.filter((input) => input.includes('node_modules/zod/'));
    expect(zod.filter((input) => input.includes('/v4/classic/'))).toEqual([]);
    expect(zod).toContain('node_modules/zod/v4/mini/schemas.js');
  });

  test.each(functions.map(([name]) => name))('%s carries no zod locale but the default English messages', (name) => {
    expect(bundle(name).inputs.filter((input) => input.includes('node_modules/zod/v4/locales/'))).toEqual([
      'node_modules/zod/v4/locales/en.js',
    ]);
  });

  test.each(['checkBackup', 'applyRetention', 'requestRestore'])(
    '%s loads the recovery-point catalog and its DynamoDB client on first use, not at init',
    (name) => {
      const { imports } = bundle(name);
      const adapter = 'lambdas/adapters/dynamodb-recovery-point-catalog.ts';
      const ofAdapter = imports.filter(({ path }) => path === adapter);
      expect(ofAdapter).not.toEqual([]);
      expect(ofAdapter.map(({ kind }) => kind)).toEqual(ofAdapter.map(() => 'dynamic-import'));
      // Only the adapter, imported on first use, reaches the DynamoDB client from the function's own code.
      const dynamoDbImporters = imports
        .filter(({ importer, path }) => !importer.startsWith('node_modules/') && path.startsWith('node_modules/@aws-sdk/client-dynamodb/'))
        .map(({ importer }) => importer);
      expect(dynamoDbImporters).toEqual([adapter]);
    },
  );
});
