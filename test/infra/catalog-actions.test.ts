import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecoveryPointCatalog } from '../../lambdas/adapters/recovery-point-catalog';
import { DynamoDbRecoveryPointCatalog } from '../../lambdas/adapters/dynamodb-recovery-point-catalog';
import type { RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { EXAMPLE_TARGET, resourcesOf, synthesize } from './synthesize';

/**
 * IAM allows a role only the actions granted to it, and the stand-ins of the tests model no IAM for DynamoDB: a
 * handler that starts to call the catalog in a new way would pass every test and be denied when deployed. So each
 * role's grants on the catalog table are held to what its functions' handlers call, mapped to the DynamoDB actions
 * the adapter sends for each call.
 */

const RECORD: RecoveryPointRecord = {
  target: 'hendrix',
  backup: 'hendrix-20261130110000',
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  stoppedAt: '2026-11-30T11:03:05Z',
  volumes: [],
  clusterManifest: '{}',
};

/** Each catalog method, called once with arguments of the right shape. */
const CALLS: { [M in keyof RecoveryPointCatalog]: (catalog: RecoveryPointCatalog) => Promise<unknown> } = {
  record: (c) => c.record(RECORD),
  recordsOf: (c) => c.recordsOf('hendrix'),
  recordOf: (c) => c.recordOf('hendrix', RECORD.backup),
  updateVolumes: (c) => c.updateVolumes('hendrix', RECORD.backup, []),
  expire: (c) => c.expire('hendrix', RECORD.backup, '2026-12-01T00:00:00Z'),
  remove: (c) => c.remove('hendrix', RECORD.backup),
  addCopy: (c) =>
    c.addCopy('hendrix', RECORD.backup, {
      region: 'eu-west-1',
      kmsKeyId: 'k',
      startedAt: RECORD.stoppedAt,
      expiresAt: RECORD.stoppedAt,
      volumes: [],
    }),
  completeCopy: (c) => c.completeCopy('hendrix', RECORD.backup, 'eu-west-1', RECORD.stoppedAt),
  removeCopy: (c) => c.removeCopy('hendrix', RECORD.backup, 'eu-west-1'),
};

/** The DynamoDB actions the adapter sends for one catalog method (`dynamodb:<Operation>`). */
async function actionsOf(method: keyof RecoveryPointCatalog): Promise<string[]> {
  const dynamodb = mockClient(DynamoDBClient);
  dynamodb.onAnyCommand().resolves({});
  try {
    await CALLS[method](new DynamoDbRecoveryPointCatalog(() => 'catalog', new DynamoDBClient({})));
    return dynamodb.calls().map((call) => `dynamodb:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`);
  } finally {
    dynamodb.restore();
  }
}

/**
 * The catalog methods a handler calls: `recoveryPoints.<method>(` in its source, the one name the handlers give the
 * catalog (a catalog under another name would escape this reading, so it is refused).
 */
function methodsCalledBy(handler: string): Array<keyof RecoveryPointCatalog> {
  const source = readFileSync(join(__dirname, '../../lambdas/handlers', `${handler}.ts`), 'utf8');
  const names = [...source.matchAll(/(\w+)\??: RecoveryPointCatalog\b/g)].map((match) => match[1]);
  expect(names.filter((name) => name !== 'recoveryPoints')).toEqual([]);
  const methods = [...source.matchAll(/recoveryPoints\.(\w+)\(/g)].map((match) => match[1]!);
  for (const method of methods)
    if (!(method in CALLS)) throw new Error(`${handler} calls recoveryPoints.${method}, which CALLS does not know`);
  return methods as Array<keyof RecoveryPointCatalog>;
}

/** A target with disaster recovery copies: the copy functions are synthesized only then. */
const COPIED = {
  ...EXAMPLE_TARGET,
  copies: { region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
};

describe("each role's grants on the recovery-point catalog", () => {
  const { stack, template } = synthesize({ targets: [COPIED] });
  const copies = () => stack.scheduler.copies!.functions;
  const tableId = stack.getLogicalId(stack.scheduler.recoveryPoints.table.node.defaultChild as never);
  const granted = (role: { node: { defaultChild?: unknown } }) => {
    const roleId = stack.getLogicalId(role.node.defaultChild as never);
    return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(
        (policy) => (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement,
      )
      .filter((statement) => JSON.stringify(statement.Resource).includes(tableId))
      .flatMap((statement) => [statement.Action].flat());
  };

  test.each([
    ['the Kubernetes workflow role', ['check-backup', 'apply-retention', 'request-restore'], () => stack.scheduler.kubeAccess.role],
    ['the reconciliation', ['reconcile-recovery-points'], () => stack.scheduler.functions.reconcileRecoveryPoints.role!],
    ['the recorder of completed backups', ['record-recovery-point'], () => stack.scheduler.monitoring.functions.recordRecoveryPoint.role!],
    ['StartSnapshotCopies', ['start-snapshot-copies'], () => copies().startSnapshotCopies.role!],
    ['CheckSnapshotCopies', ['check-snapshot-copies'], () => copies().checkSnapshotCopies.role!],
    ['ApplyCopyRetention', ['apply-copy-retention'], () => copies().applyCopyRetention.role!],
  ])('%s is granted every action its handlers send', async (_role, handlers, role) => {
    const needed = new Set<string>();
    for (const handler of handlers)
      for (const method of methodsCalledBy(handler)) for (const action of await actionsOf(method)) needed.add(action);
    expect(needed.size).toBeGreaterThan(0);
    expect(granted(role())).toEqual(expect.arrayContaining([...needed]));
  });
});
