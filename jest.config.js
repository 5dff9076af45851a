/**
 * Two suites, run together by `npm test`:
 * - unit: domain, handlers, adapters, constructs, the test server and the workflow runner, each on its own;
 * - e2e: whole workflows against the test server, and the Lambda bundles as deployed.
 *
 * Timeouts are sized for a coverage run on two cores shared with other work, where a test runs ten or more times
 * slower than alone: a timeout only catches a hang, it never measures speed (that is `npm run bench`'s job).
 * Jest runs on the Node 24 from the `node` devDependency, which loads ESM-only packages through require(esm).
 */
const MINUTE = 60_000;

const shared = {
  testEnvironment: 'node',
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  moduleNameMapper: { '^@middy/core$': '<rootDir>/node_modules/@middy/core/index.js' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
};

const E2E = ['<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/infra/lambda-bundles.test.ts'];

module.exports = {
  // One timeout for both projects (jest reads it from the root config only). The slowest files, an end-to-end run
  // of many workflows or a CDK synth, took two to three minutes each on two cores at a load average of 30.
  testTimeout: 20 * MINUTE,
  coverageProvider: 'v8',
  collectCoverageFrom: ['bin/**/*.ts', 'lib/**/*.ts', 'lambdas/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/infra/lambda-bundles.test.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: E2E,
    },
  ],
};
