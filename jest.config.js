/**
 * Two suites. `npm test` runs the unit suite, then the end-to-end one; `npm run test:coverage` runs both together
 * with coverage and its thresholds (what CI runs).
 * - unit: domain, handlers, adapters, the simulated API server and controllers, each on its own, in process;
 * - e2e: whole workflows on the simulator, the synthesized stack (CDK synth), the local workflow runner on the
 *   synthesized state machines, the CLI as a process, and the Lambda bundles as deployed.
 *
 * Timeouts are sized for a coverage run on two cores shared with other work, where a test runs ten or more times
 * slower than alone: a timeout only catches a hang, it never measures speed (that is `npm run bench`'s job).
 * Jest runs on the Node 24 from the `node` devDependency, which loads ESM-only packages through require(esm).
 */
const { availableParallelism } = require('node:os');
const { join } = require('node:path');

const MINUTE = 60_000;

const shared = {
  testEnvironment: 'node',
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  moduleNameMapper: { '^@middy/core$': '<rootDir>/node_modules/@middy/core/index.js' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
};

/** The end-to-end files: they synthesize the stack, run the synthesized workflows, start processes or load bundles. */
const E2E = [
  'test/e2e/**/*.test.ts',
  'test/workflow-runner/**/*.test.ts',
  'test/cli/cli-process.test.ts',
  'test/cli/cli-kubeconfig-runs.test.ts',
  'test/cli/cli-stack-mode.test.ts',
  'test/cli/cli-stack-restore-elsewhere.test.ts',
  'test/cli/cli-standby-restore.test.ts',
  // Runs PostgreSQL (PGlite, seconds to start).
  'test/kube-api-server/pre-provisioned-snapshot-data.test.ts',
  'test/infra/{lambda-bundles,lambda-code,prebundled-scheduler,private-endpoint,recovery-point-catalog,scheduler-monitoring,security-checks,snapshot-copies,snapshot-scheduler,snapshot-scheduler-construct,standby-stack,target-catalog-layer}.test.ts',
].map((glob) => join(__dirname, glob));

module.exports = {
  // One timeout for both projects (jest reads it from the root config only). The slowest files, an end-to-end run
  // of many workflows or a CDK synth, took two to three minutes each on two cores at a load average of 30.
  testTimeout: 20 * MINUTE,
  // Jest's default is one worker fewer than cores: on two cores, one worker, and a core idle while the parent waits.
  // The parent only schedules files, so a worker per core (at least two) uses the machine.
  maxWorkers: Math.max(2, availableParallelism()),
  coverageProvider: 'v8',
  collectCoverageFrom: ['bin/**/*.ts', 'lib/**/*.ts', 'lambdas/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  // Two points under the coverage of the unit suite alone when the thresholds were set (statements and lines 70.2%,
  // branches 89.4%, functions 82.0%); the end-to-end suite only adds to it. Raise them as coverage grows.
  coverageThreshold: { global: { statements: 68, branches: 87, functions: 80, lines: 68 } },
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [join(__dirname, 'test/**/*.test.ts'), ...E2E.map((glob) => `!${glob}`)],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: E2E,
      // Every Lambda bundled once per run, for the files that load bundles (test/global/lambda-bundles.ts); jest
      // runs a project's globalSetup only when at least one of its files runs.
      globalSetup: '<rootDir>/test/global/prepare-lambda-bundles.ts',
      globalTeardown: '<rootDir>/test/global/remove-lambda-bundles.ts',
    },
  ],
};
