import tseslint from 'typescript-eslint';

/**
 * The layering of lambdas/ (described in ARCHITECTURE.md), enforced: each block lists the imports a layer may not use.
 * A file gets the rule of the last block that matches it, so each block repeats the rules of the outer ones.
 */
const forbid = (message, ...group) => ({ group, message });
const noSimulator = forbid('product code may not depend on the simulator or the tests', '**/simulator', '**/simulator/**', '**/test/**');
const noWiring = forbid(
  'adapters and runtime may not import handlers or entry points: the wiring of real adapters belongs with the entry points',
  '**/handlers',
  '**/handlers/**',
  '**/entrypoints',
  '**/entrypoints/**',
);
const pureDomain = [
  forbid(
    'lambdas/domain is pure: it may not import adapters, handlers, runtime or entry points',
    '**/adapters',
    '**/adapters/**',
    '**/runtime',
    '**/runtime/**',
  ),
  forbid(
    'lambdas/domain is pure: no SDK or Kubernetes client here, that is what adapters are for',
    '@aws-sdk/*',
    '@smithy/*',
    '@kubernetes/*',
    '@aws-lambda-powertools/*',
    '@middy/*',
  ),
  forbid('lambdas/domain does no I/O', 'node:fs', 'node:fs/*', 'node:http', 'node:https', 'node:net', 'node:child_process'),
];
/** The Kubernetes client's package index loads every generated API and model into a Lambda bundle. */
const clientNodeIndex = {
  name: '@kubernetes/client-node',
  message: 'import from @kubernetes/client-node/dist/... (see lib/lambda-bundle.ts): the package index loads every generated API and model',
};
/** zod's `z` export (and default) is a namespace object esbuild cannot shake: it carries every locale (260 KB). */
const zodNamespaceOnly = {
  selector:
    "ImportDeclaration[source.value='zod'][importKind='value'] > ImportSpecifier[imported.name='z'], ImportDeclaration[source.value='zod'] > ImportDefaultSpecifier",
  message: "import * as z from 'zod': esbuild shakes the namespace import, while the `z` export carries every locale",
};
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { paths: [clientNodeIndex], patterns }] });

export default tseslint.config(
  // Generated code is checked by `npm run crd-types -- --check` against the CRDs it comes from, not linted.
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'dist/', 'lambdas/domain/generated/', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A rest sibling names the fields an object is copied without.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Numbers print unambiguously in messages; objects, undefined and null still have to be spelled out.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(x) => set.delete(x)` and `() => expect(...)` read as statements; a void in any other position is still an error.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Fakes are async because the interfaces they stand in for are, whether or not they await anything.
      '@typescript-eslint/require-await': 'off',
      // jest types its asymmetric matchers (expect.stringMatching, expect.objectContaining, ...) as any.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  { files: ['lambdas/**/*.ts', 'lib/**/*.ts', 'bin/**/*.ts'], rules: restrict(noSimulator) },
  { files: ['lambdas/**/*.ts'], rules: { 'no-restricted-syntax': ['error', zodNamespaceOnly] } },
  { files: ['lambdas/adapters/**/*.ts', 'lambdas/runtime/**/*.ts'], rules: restrict(noSimulator, noWiring) },
  { files: ['lambdas/domain/**/*.ts'], rules: restrict(noSimulator, noWiring, ...pureDomain) },
  {
    // The simulated Kubernetes API and controllers model upstream, so a wrong product constant cannot agree with itself.
    files: ['simulator/cnpg/**/*.ts', 'simulator/kube-api-server/**/*.ts', 'simulator/kubelet/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/lambdas/**', '**/lib/**'],
              allowTypeImports: true,
              message: 'the simulator models upstream: write CNPG and Kubernetes strings literally, citing their source',
            },
          ],
        },
      ],
    },
  },
);
