import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { Cluster, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { startStandbyApiStandIns, type AwsApiStandIns } from '../../simulator/aws-api/aws-api-stand-ins';
import { HENDRIX, LOCAL_EKS_CLUSTER, LocalScheduler } from '../../simulator/local-scheduler';
import { LocalStandby } from '../../simulator/local-standby';
import { VirtualClock } from '../../simulator/virtual-clock';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { runCliProcess, type CliRun } from './cli-as-process';

/**
 * The region-loss runbook with the CLI: the primary Region is gone (its EKS cluster and its EBS snapshots), and the
 * operator drives the standby stack in the DR Region with `restore --stack <stack>-Standby --region <DR Region>
 * --to-eks-cluster`. The CLI runs as a process whose AWS SDK reaches stand-ins for the standby's CloudFormation
 * outputs (in the DR Region only), its RequestRestore and its restore workflow, on the local standby; the copy the
 * deployed copy workflow made is what comes up in the DR EKS cluster.
 */
const START = new Date('2026-11-24T00:00:00Z');
const DR_REGION = 'eu-central-1';
const DR_EKS = 'dr-eks';
const DR_KEY = `arn:aws:kms:${DR_REGION}:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const STANDBY = 'CnpgSnapshotScheduler-Standby';
const TARGETS = [{ ...HENDRIX, copies: { region: DR_REGION, kmsKeyArn: DR_KEY } }];
const DISASTER_RECOVERY = { region: DR_REGION, eksClusters: [{ name: DR_EKS, namespaces: ['demo'] }] };

let local: LocalScheduler;
let standby: LocalStandby;
let aws: AwsApiStandIns;
let dir: string;
let copied: string;

const cli = (...args: string[]): Promise<CliRun> => {
  const { AWS_PROFILE: _profile, ...inherited } = process.env;
  return runCliProcess([...args, '--config', join(dir, 'config.yaml')], { ...inherited, ...aws.env });
};
const drClusters = () => standby.servers.get(DR_EKS)!.objects<Cluster>('clusters', 'demo');

beforeAll(async () => {
  local = await LocalScheduler.start({ clock: new VirtualClock(START), targets: TARGETS, config: { disasterRecovery: DISASTER_RECOVERY } });
  try {
    await local.server.cnpg.sql(
      'demo',
      'hendrix',
      "create table orders (id int primary key, created_at timestamptz not null); insert into orders values (7, '2026-11-23T23:58:00Z')",
    );
    expect((await local.runWorkflow('backup', { target: 'hendrix' })).status).toBe('SUCCEEDED');
    copied = local.events.ofType('Backup Completed').at(-1)!.detail.backup as string;
    // Backup Completed asks for the copy; the copy workflow copies it to the DR Region.
    await local.runStartedExecutions();
    expect(local.events.ofType('Copy Completed')).toHaveLength(1);
    // The primary Region is lost.
    await local.servers.get(LOCAL_EKS_CLUSTER)!.close();
    local.storage.lose(TEST_REGION);
    standby = await LocalStandby.start(local);
    aws = await startStandbyApiStandIns(standby, STANDBY);
  } catch (error) {
    await local.close();
    throw error;
  }
  dir = mkdtempSync(join(tmpdir(), 'cli-standby-'));
  writeFileSync(join(dir, 'config.yaml'), toYaml({ targets: TARGETS, disasterRecovery: DISASTER_RECOVERY }));
});

afterAll(async () => {
  await aws.close();
  await standby.close();
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cnpg-snapshot-scheduler restore --stack <stack>-Standby, the primary Region lost', () => {
  test('without --region the standby is not found where the profile points: the error names the Region and the flags', async () => {
    const { code, stderr } = await cli('restore', 'hendrix', '--stack', STANDBY, '--to-eks-cluster', DR_EKS);
    expect(code).toBe(1);
    expect(stderr).toContain(`Stack with id ${STANDBY} does not exist (region ${TEST_REGION})`);
    expect(stderr).toContain('--region');
  });

  test("without --to-eks-cluster the standby refuses the source's EKS cluster, naming the option, and creates nothing", async () => {
    const { code, stderr } = await cli('restore', 'hendrix', '--stack', STANDBY, '--region', DR_REGION);
    expect(code).toBe(1);
    expect(stderr).toContain(`toEksCluster: "${LOCAL_EKS_CLUSTER}" is no EKS cluster of this deployment (${DR_EKS})`);
    expect(stderr).toContain('toEksCluster is --to-eks-cluster');
    expect(stderr).toContain('Nothing was changed');
    expect(drClusters()).toEqual([]);
  });

  test('what the standby cannot do is refused, saying it only restores', async () => {
    const { code, stderr } = await cli('backup', 'hendrix', '--stack', STANDBY, '--region', DR_REGION);
    expect(code).toBe(1);
    expect(stderr).toContain(`Stack ${STANDBY} is a standby stack: it only restores, into a DR EKS cluster`);
  });

  test('restore --dry-run answers the backup whose copy it would restore, and starts nothing', async () => {
    const { code, stdout, stderr } = await cli(
      'restore',
      'hendrix',
      '--stack',
      STANDBY,
      '--region',
      DR_REGION,
      '--to-eks-cluster',
      DR_EKS,
      '--cluster-name',
      'hendrix',
      '--dry-run',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Would restore cluster demo/hendrix from backup ${copied}`);
    expect(stdout).toContain(`snapshots: its copy in ${DR_REGION}`);
    expect(stdout).toContain('Dry run: nothing was started or changed');
    expect(standby.executions).toEqual([]);
    expect(drClusters()).toEqual([]);
    const waited = await cli('restore', 'hendrix', '--stack', STANDBY, '--region', DR_REGION, '--dry-run', '--wait');
    expect(waited.code).toBe(2);
    expect(waited.stderr).toContain("option '--dry-run' cannot be used with option '-w, --wait'");
  });

  test('restore --wait brings the Cluster up in the DR EKS cluster from the copy, printing its states, and exits 0', async () => {
    const { code, stdout, stderr } = await cli(
      'restore',
      'hendrix',
      '--stack',
      STANDBY,
      '--region',
      DR_REGION,
      '--to-eks-cluster',
      DR_EKS,
      '--to-namespace',
      'demo',
      '--cluster-name',
      'hendrix',
      '--wait',
      '--interval',
      '0.05',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Restore started: cluster demo/hendrix from backup ${copied}`);
    expect(stdout).toContain(`snapshots: its copy in ${DR_REGION}`);
    expect(stdout).toMatch(new RegExp(`execution arn:aws:states:${DR_REGION}:.*:execution:`));
    expect(stdout).toMatch(/^ +\d+s +WaitForRestore$/m);
    expect(stdout).toContain('Cluster demo/hendrix is ready');
    expect(stdout).toMatch(/^RTO \d+ s/m);
    const dr = standby.servers.get(DR_EKS)!;
    expect(drClusters().map((c) => c.status?.phase)).toEqual(['Cluster in healthy state']);
    const imported = dr.objects<VolumeSnapshotContent>('volumesnapshotcontents');
    expect(imported.every((c) => local.storage.region(DR_REGION).has(c.spec.source.snapshotHandle!))).toBe(true);
    const [rows] = await dr.cnpg.sql('demo', 'hendrix', 'select id from orders');
    expect(rows!.rows).toEqual([{ id: 7 }]);
  });
});
