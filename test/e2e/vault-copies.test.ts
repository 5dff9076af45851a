import { DeleteSnapshotCommand } from '@aws-sdk/client-ec2';
import { SimulatedStorageRegions } from '../../simulator/aws-api/storage-regions';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';

/**
 * Disaster recovery copies kept in another account (a vault account) through the deployed workflows: each copied
 * backup's source snapshots are shared with the vault account, copied there through its role (the production STS
 * credential provider on the STS stand-in, the production EC2 adapter on the EC2 stand-in), waited for in Step
 * Functions Wait states, and unshared once the copies completed; the copies' retention deletes them there. The vault
 * account's registry holds exactly the policy's copies, and the scheduler's own credentials cannot delete them.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-11-02T00:00:00Z');
const DR_REGION = 'us-west-2';
const VAULT = '444455556666';
const VAULT_ROLE = `arn:aws:iam::${VAULT}:role/cnpg-snapshot-vault`;
const VAULT_KEY = `arn:aws:kms:${DR_REGION}:${VAULT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** The source volumes' customer managed key: a snapshot under the default EBS key cannot be shared. */
const SOURCE_KEY = `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/abcd1234-12ab-34cd-56ef-1234567890ab`;
const KEEP_DAYS = 3;
const VAULTED = {
  ...HENDRIX,
  copies: { region: DR_REGION, kmsKeyArn: VAULT_KEY, keepDays: KEEP_DAYS, account: { id: VAULT, roleArn: VAULT_ROLE } },
};

async function runDays(local: LocalScheduler, days: number): Promise<void> {
  for (let hour = 0; hour < days * 24; hour += 1) {
    const slot = new Date(START + hour * HOUR);
    local.clock.advanceTo(slot);
    const { executionName } = await local.fireSchedule('backup', 'hendrix', slot);
    const status = local.execution(executionName)?.status;
    if (status !== 'SUCCEEDED') throw new Error(`${executionName} ended ${status}: ${local.execution(executionName)?.cause}`);
    if (slot.getUTCHours() === 3) {
      const sweep = new Date(slot.getTime() + 30 * 60_000);
      local.clock.advanceTo(sweep);
      await local.fireSchedule('retention', 'hendrix', sweep);
    }
  }
}

const copyExecutions = (local: LocalScheduler) => local.executions.filter((e) => e.executionName.startsWith('rule-'));

describe('disaster recovery copies kept in another account', () => {
  let local: LocalScheduler;
  let storage: SimulatedStorageRegions;
  let vault: SimulatedStorageRegions;
  const days = 5;

  beforeAll(async () => {
    storage = new SimulatedStorageRegions(TEST_ACCOUNT, { [TEST_REGION]: { encrypted: true, kmsKeyId: SOURCE_KEY } });
    vault = new SimulatedStorageRegions(VAULT);
    local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [VAULTED],
      storage,
      accounts: { storage: [vault], roles: [{ arn: VAULT_ROLE, trustedAccounts: [TEST_ACCOUNT] }] },
    });
    await runDays(local, days);
  });
  afterAll(() => local.close());

  test('the first backup of each day is copied in the vault account, each copy waited for in Wait states', async () => {
    const copied = copyExecutions(local).filter((e) => e.statesEntered.includes('CopiesCompleted'));
    expect(copied).toHaveLength(days);
    for (const execution of copied) expect(execution.statesEntered.filter((state) => state === 'WaitForCopies').length).toBeGreaterThan(1);
    expect(local.events.ofType('Copy Failed')).toEqual([]);
    const copyCalls = local.ec2.ec2.requests.filter((r) => r.action === 'CopySnapshot');
    expect(copyCalls.length).toBeGreaterThan(0);
    for (const call of copyCalls) expect(call).toEqual({ region: DR_REGION, account: VAULT, action: 'CopySnapshot' });
    for (const assumed of local.ec2.sts.assumed) expect(assumed).toEqual({ roleArn: VAULT_ROLE, callerAccount: TEST_ACCOUNT });
    // Nothing is copied into the scheduler's own account.
    expect(storage.region(DR_REGION).handles()).toEqual([]);
  });

  test("the catalog records each copy's account and role, and the vault holds exactly its unexpired copies", async () => {
    const records = await local.recoveryPoints.recordsOf('hendrix');
    const copies = records.flatMap((r) => r.copies ?? []);
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      expect(copy.account).toEqual({ id: VAULT, roleArn: VAULT_ROLE });
      expect(copy.kmsKeyId).toBe(VAULT_KEY);
      expect(copy.completedAt).toBeDefined();
    }
    const lastSweep = START + (days - 1) * DAY + 3.5 * HOUR;
    for (const copy of copies) expect(Date.parse(copy.expiresAt)).toBeGreaterThan(lastSweep);
    expect(copies.length).toBeLessThan(days);
    const inCatalog = copies.flatMap((copy) => copy.volumes.map((v) => v.snapshotHandle)).sort();
    expect(vault.region(DR_REGION).handles()).toEqual(inCatalog);
    for (const id of inCatalog) expect(vault.region(DR_REGION).details.get(id)?.kmsKeyId).toBe(VAULT_KEY);
  });

  test('every share with the vault account was taken back once its copy completed', () => {
    const requests = local.ec2.ec2.requests.filter((r) => r.action === 'ModifySnapshotAttribute');
    // One share and one unshare per copied volume, by the scheduler's account in its own Region.
    expect(requests.length).toBe(days * 2 * 2);
    for (const request of requests)
      expect(request).toEqual({ region: TEST_REGION, account: TEST_ACCOUNT, action: 'ModifySnapshotAttribute' });
    const source = storage.region(TEST_REGION);
    for (const id of source.handles()) expect(source.details.get(id)?.sharedWith ?? []).toEqual([]);
  });

  test("the scheduler account's own credentials cannot delete a vault copy", async () => {
    const [id] = vault.region(DR_REGION).handles();
    expect(id).toBeDefined();
    await expect(local.ec2.clientOf(DR_REGION).send(new DeleteSnapshotCommand({ SnapshotId: id! }))).rejects.toMatchObject({
      name: 'InvalidSnapshot.NotFound',
    });
    expect(vault.region(DR_REGION).has(id!)).toBe(true);
  });

  test("the daily sweeps' reconciliation asked the vault account about its copies and dropped none", () => {
    expect(local.invocations.filter((i) => i.fn === 'reconcileRecoveryPoints').length).toBeGreaterThanOrEqual(days);
    const describes = local.ec2.ec2.requests.filter((r) => r.action === 'DescribeSnapshots' && r.region === DR_REGION);
    expect(describes.length).toBeGreaterThan(0);
    for (const request of describes) expect(request.account).toBe(VAULT);
    expect(local.events.ofType('Recovery Point Copy Lost')).toEqual([]);
  });

  test('after keepDays without new copies, the newest completed copy alone is kept in the vault account, orphans swept there', async () => {
    const records = await local.recoveryPoints.recordsOf('hendrix');
    const newest = records.filter((r) => r.copies?.length).at(-1)!;
    // A copy of ours in the vault that no record knows (its start could neither record nor undo it): swept there too.
    const provider = vault.region(DR_REGION);
    const [known] = provider.handles();
    const details = provider.details.get(known!)!;
    const orphan = 'snap-0fffffffffffffff0';
    provider.add(orphan, 1, undefined, {
      ...details,
      startedAt: local.clock.nowMs() - 2 * DAY,
      tags: {
        ...details.tags,
        'cnpg-snapshot-scheduler/backup': 'hendrix-20261101000000',
        'cnpg-snapshot-scheduler/source-snapshot': 'snap-gone',
      },
    });
    const requestsBefore = local.ec2.ec2.requests.length;
    local.clock.advance((KEEP_DAYS + 1) * DAY);
    const sweep = await local.runWorkflow('retention', { target: 'hendrix' });
    expect(sweep.status).toBe('SUCCEEDED');
    expect(sweep.statesEntered).toContain('ApplyCopyRetention');
    const left = (await local.recoveryPoints.recordsOf('hendrix')).filter((r) => r.copies?.length);
    expect(left.map((r) => r.backup)).toEqual([newest.backup]);
    expect(vault.region(DR_REGION).handles()).toEqual(newest.copies![0]!.volumes.map((v) => v.snapshotHandle).sort());
    expect(local.events.ofType('Orphan Copy Deleted').map((e) => e.detail.snapshot)).toEqual([orphan]);
    const deletes = local.ec2.ec2.requests.slice(requestsBefore).filter((r) => r.action === 'DeleteSnapshot' && r.region === DR_REGION);
    expect(deletes.length).toBeGreaterThan(0);
    for (const request of deletes) expect(request.account).toBe(VAULT);
  });
});
