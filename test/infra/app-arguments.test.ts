import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppArgumentError, appArguments, DEFAULT_STACK_NAME, nodeVersionProblem } from '../../bin/app-arguments';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('the CDK app arguments', () => {
  test('Node 24 and newer run the app; older Node is refused naming the version it needs', () => {
    expect(nodeVersionProblem('v24.21.0')).toBeUndefined();
    expect(nodeVersionProblem('v25.0.1')).toBeUndefined();
    expect(nodeVersionProblem('v20.20.2')).toMatch(/needs Node 24 or newer .* this is Node v20\.20\.2/);
    expect(nodeVersionProblem('v22.9.0')).toMatch(/Node 24/);
  });

  test('a config is required: without -c config= the app refuses, naming the flag', () => {
    expect(() => appArguments(context({}))).toThrow(AppArgumentError);
    expect(() => appArguments(context({}))).toThrow(/-c config=<file>/);
    expect(() => appArguments(context({ config: ' ' }))).toThrow(/-c config=/);
  });

  test('the stack name defaults, can be chosen, and a bad one is refused naming the flag', () => {
    expect(appArguments(context({ config: 'config/example.yaml' }))).toEqual({
      configPath: 'config/example.yaml',
      stackName: DEFAULT_STACK_NAME,
    });
    expect(appArguments(context({ config: 'c.yaml', stackName: 'DrStaging' })).stackName).toBe('DrStaging');
    expect(() => appArguments(context({ config: 'c.yaml', stackName: 'bad name' }))).toThrow(/-c stackName=bad name/);
  });

  test('`cdk synth` without -c config= exits 1 with the message and synthesizes nothing', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const run = spawnSync(join('node_modules', '.bin', 'tsx'), [join('bin', 'app.ts')], {
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: '{}' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Missing deployment config: pass -c config=<file>');
  });

  test('`cdk synth` of a config with disasterRecovery and no account exits 1 naming what it needs, before any stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: [{ name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' }],
        disasterRecovery: { region: 'eu-central-1', eksClusters: [{ name: 'dr-eks', namespaces: ['demo'] }] },
      }),
    );
    const { CDK_DEFAULT_ACCOUNT: _account, ...env } = process.env;
    const run = spawnSync(join('node_modules', '.bin', 'tsx'), [join('bin', 'app.ts')], {
      env: { ...env, CDK_DEFAULT_REGION: 'eu-west-1', CDK_OUTDIR: dir, CDK_CONTEXT_JSON: JSON.stringify({ config }) },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "disasterRecovery: the catalog's replica and the standby in eu-central-1 need the primary stack's account and Region",
    );
  });
});
