import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { Cluster, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import {
  startAwsApiStandIns,
  startLedgerStandIn,
  type AwsApiStandIns,
  type LedgerStandIn,
} from '../../simulator/aws-api/aws-api-stand-ins';
import { HENDRIX, LOCAL_EKS_CLUSTER, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import { runCliProcess, type CliRun } from './cli-as-process';

/**
 * `restore --to-namespace` against a deployed stack, after the source namespace is lost: the CLI invokes
 * RequestRestore, which imports the backup's storage snapshots from the recovery-point catalog into the other
 * namespace, and follows the restore workflow it started to a ready Cluster there.
 */
const START = new Date('2026-11-02T00:00:00Z');
const STACK = 'CnpgSnapshotScheduler';
/** A second target, so that the deployment writes in namespace `payments`. */
const JIMI = { name: 'jimi', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'payments', cluster: 'jimi' };

let local: LocalScheduler;
let aws: AwsApiStandIns;
let ledger: LedgerStandIn;
let dir: string;
let backup: string;

function cli(...args: string[]): Promise<CliRun> {
  const { AWS_PROFILE: _profile, ...inherited } = process.env;
  return runCliProcess([...args, '--config', join(dir, 'config.yaml')], { ...inherited, ...aws.env });
}

beforeAll(async () => {
  const clock = new VirtualClock(START);
  ledger = await startLedgerStandIn();
  local = await LocalScheduler.start({ clock, targets: [HENDRIX, JIMI], ledger: ledger.ledger });
  expect((await local.runWorkflow('backup', { target: 'hendrix' })).status).toBe('SUCCEEDED');
  backup = local.events.ofType('Backup Completed').at(-1)!.detail.backup as string;
  clock.advance(10 * 60_000);
  local.server.remove('namespaces', '', 'demo');
  aws = await startAwsApiStandIns(local, STACK, ledger);
  dir = mkdtempSync(join(tmpdir(), 'cli-stack-elsewhere-'));
  writeFileSync(join(dir, 'config.yaml'), toYaml({ targets: [HENDRIX, JIMI] }));
});

afterAll(async () => {
  await aws.close();
  await local.close();
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cnpg-snapshot-scheduler restore --to-namespace --stack, once the source namespace is gone', () => {
  test('restores the latest backup from the catalog into the other namespace and follows it to ready', async () => {
    expect(local.server.objects('volumesnapshots', 'demo')).toEqual([]);
    const { code, stdout, stderr } = await cli(
      'restore',
      'hendrix',
      '--stack',
      STACK,
      '--to-namespace',
      'payments',
      '--cluster-name',
      'hendrix',
      '--wait',
      '--interval',
      '0.05',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Restore started: cluster payments/hendrix from backup ${backup}`);
    expect(stdout).toContain('Cluster payments/hendrix is ready');
    const restored = local.server.objects<Cluster>('clusters', 'payments').find((c) => c.metadata.name === 'hendrix')!;
    expect(restored.status?.phase).toBe('Cluster in healthy state');
    const imported = local.server
      .objects<VolumeSnapshotContent>('volumesnapshotcontents')
      .filter((c) => c.spec.volumeSnapshotRef.namespace === 'payments');
    expect(imported.map((c) => c.spec.source.snapshotHandle).sort()).toEqual(local.server.cnpg.storageSnapshots());
  });
});
