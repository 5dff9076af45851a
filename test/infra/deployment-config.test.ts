import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/deployment-config';
import { loadDeploymentConfig } from '../../lib/load-deployment-config';
import { EXAMPLE_TARGET } from './synthesize';

function problems(raw: unknown): string {
  try {
    parseDeploymentConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('the deployment config', () => {
  test('the shipped example config is valid and keeps hourly backups for 7 days', () => {
    const config = loadDeploymentConfig('config/example.yaml');
    expect(config.targets[0]).toMatchObject({ name: 'hendrix', schedule: 'cron(0 * * * ? *)', retention: { keepWithin: '7d' } });
  });

  test('defaults fill an otherwise minimal target: hourly, 7 days, 3 kept at least, RPO 90 minutes', () => {
    const config = parseDeploymentConfig({ targets: [EXAMPLE_TARGET] });
    expect(config.eventBusName).toBe('default');
    expect(config.targets[0]).toMatchObject({
      auth: { kind: 'eks' },
      schedule: 'cron(0 * * * ? *)',
      retention: { keepWithin: '7d', minKeep: 3, failedKeep: '1d', scope: 'managed' },
      rpoMinutes: 90,
    });
  });

  test.each([
    [{ targets: [] }, 'targets: must list at least one target (or configure discovery)'],
    [{ discovery: [{ eksCluster: 'prod-eks', namespaces: ['a'] }] }, 'policies: discovery needs at least one policy'],
    [
      { policies: { hourly: {} }, discovery: [{ eksCluster: 'prod-eks', namespaces: [] }] },
      'discovery.0.namespaces: must list at least one namespace',
    ],
    [
      {
        policies: { hourly: {} },
        discovery: [
          { eksCluster: 'prod-eks', namespaces: ['a'] },
          { eksCluster: 'prod-eks', namespaces: ['b'] },
        ],
      },
      'discovery.1.eksCluster: "prod-eks" is listed twice',
    ],
    [
      { policies: { Hourly: {} }, discovery: [{ eksCluster: 'prod-eks', namespaces: ['a'] }] },
      'policies.Hourly: the policy name (a label value) must be a lowercase RFC 1123 label',
    ],
    [
      { policies: { hourly: { name: 'x' } }, discovery: [{ eksCluster: 'prod-eks', namespaces: ['a'] }] },
      'policies.hourly: Unrecognized key: "name"',
    ],
    [
      { policies: { hourly: { retention: { scope: 'all' } } }, discovery: [{ eksCluster: 'prod-eks', namespaces: ['a'] }] },
      'policies.hourly.retention.scope: must be managed',
    ],
    [{ targets: [{ ...EXAMPLE_TARGET, name: 'Hendrix' }] }, 'targets.0.name: must be a lowercase RFC 1123 label'],
    [{ targets: [{ ...EXAMPLE_TARGET, namespace: 'a/b' }] }, 'targets.0.namespace: must be a lowercase RFC 1123 label'],
    [{ targets: [{ ...EXAMPLE_TARGET, schedule: '0 * * * *' }] }, 'targets.0.schedule: must look like cron(0 * * * ? *)'],
    [{ targets: [{ ...EXAMPLE_TARGET, schedule: 'cron(0 * * * * *)' }] }, 'targets.0.schedule: exactly one of day-of-month'],
    [{ targets: [{ ...EXAMPLE_TARGET, retention: { keepWithin: '-7d' } }] }, 'targets.0.retention.keepWithin: must be a duration'],
    [{ targets: [{ ...EXAMPLE_TARGET, rpoMinutes: 0 }] }, 'targets.0.rpoMinutes:'],
    [{ targets: [{ ...EXAMPLE_TARGET, bogus: true }] }, 'targets.0: Unrecognized key: "bogus"'],
    [{ targets: [EXAMPLE_TARGET, EXAMPLE_TARGET] }, 'targets.1.name: "hendrix" is used by another target'],
    [{ targets: [EXAMPLE_TARGET], notifications: { email: 'not-an-address' } }, 'notifications.email: must be an e-mail address'],
  ])('rejects %j naming the field', (raw, expected) => {
    expect(problems(raw)).toContain(expected);
  });

  test('policies and discovery alone make a config: the policies take the defaults a target takes', () => {
    const config = parseDeploymentConfig({ policies: { hourly: {} }, discovery: [{ eksCluster: 'prod-eks', namespaces: ['team-a'] }] });
    expect(config.targets).toEqual([]);
    expect(config.policies['hourly']).toMatchObject({ schedule: 'cron(0 * * * ? *)', rpoMinutes: 90, retention: { keepWithin: '7d' } });
    expect(config.discovery).toEqual([{ eksCluster: 'prod-eks', auth: { kind: 'eks' }, namespaces: ['team-a'] }]);
  });

  test('a config file that is not YAML is rejected with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'targets: [\n');
    expect(() => loadDeploymentConfig(path)).toThrow(`The deployment config ${path} is not valid YAML`);
  });
});

describe('the disaster recovery config', () => {
  const KEY = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const dr = { region: 'eu-central-1', eksClusters: [{ name: 'dr-eks', namespaces: ['demo'] }] };

  test('names the Region and the EKS clusters and namespaces the standby restores into', () => {
    const config = parseDeploymentConfig({
      targets: [{ ...EXAMPLE_TARGET, copies: { region: 'eu-central-1', kmsKeyArn: KEY } }],
      disasterRecovery: dr,
    });
    expect(config.disasterRecovery).toEqual(dr);
  });

  test('each bad field is named', () => {
    const message = problems({
      targets: [EXAMPLE_TARGET],
      disasterRecovery: { region: 'Frankfurt', eksClusters: [{ name: 'dr-eks', namespaces: ['Demo'] }] },
    });
    expect(message).toContain('disasterRecovery.region: must be an AWS Region name such as us-west-2');
    expect(message).toContain('disasterRecovery.eksClusters.0.namespaces.0:');
    expect(problems({ targets: [EXAMPLE_TARGET], disasterRecovery: { region: 'eu-central-1', eksClusters: [] } })).toContain(
      'disasterRecovery.eksClusters: must list at least one EKS cluster of the disaster recovery Region to restore into',
    );
  });

  test("a DR EKS cluster is listed once, and is named apart from the primary Region's", () => {
    expect(
      problems({
        targets: [EXAMPLE_TARGET],
        disasterRecovery: { ...dr, eksClusters: [...dr.eksClusters, { name: 'dr-eks', namespaces: ['x'] }] },
      }),
    ).toContain('disasterRecovery.eksClusters.1.name: "dr-eks" is listed twice');
    expect(
      problems({ targets: [EXAMPLE_TARGET], disasterRecovery: { ...dr, eksClusters: [{ name: 'prod-eks', namespaces: ['demo'] }] } }),
    ).toContain('disasterRecovery.eksClusters.0.name: "prod-eks" is also an EKS cluster of the targets or discovery');
  });

  test("a target copying to another Region than the standby's is refused, naming its copies.region", () => {
    const elsewhere = { region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' };
    expect(problems({ targets: [{ ...EXAMPLE_TARGET, copies: elsewhere }], disasterRecovery: dr })).toContain(
      'targets.0.copies.region: must be disasterRecovery.region (eu-central-1): the standby there restores from copies in its own Region only',
    );
  });
});
