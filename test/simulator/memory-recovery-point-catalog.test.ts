import type { RecoveryPointCopy, RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { MemoryRecoveryPointCatalog } from '../../simulator/memory-recovery-point-catalog';

const KB = 1024;

/** A record whose JSON is `bytes` long, give or take a few: the recorded Cluster makes up the size. */
function recordOf(backup: string, bytes: number): RecoveryPointRecord {
  const record: RecoveryPointRecord = {
    target: 'hendrix',
    backup,
    eksCluster: 'prod-eks',
    namespace: 'demo',
    cluster: 'hendrix',
    stoppedAt: `2026-11-30T${backup.slice(-2)}:03:05Z`,
    volumes: [],
    clusterManifest: '',
  };
  return { ...record, clusterManifest: 'x'.repeat(bytes - JSON.stringify(record).length) };
}

const delta = (catalog: MemoryRecoveryPointCatalog, before: MemoryRecoveryPointCatalog['consumed']) => ({
  requests: catalog.consumed.requests - before.requests,
  readUnits: catalog.consumed.readUnits - before.readUnits,
  writeUnits: catalog.consumed.writeUnits - before.writeUnits,
});

/** What one call consumed. */
async function consumedBy(catalog: MemoryRecoveryPointCatalog, call: () => Promise<unknown>) {
  const before = { ...catalog.consumed };
  await call();
  return delta(catalog, before);
}

describe('the recovery-point catalog stand-in counts what DynamoDB on-demand would charge', () => {
  test('a write takes a unit per KB of the item, rounded up; an update the larger of before and after', async () => {
    const catalog = new MemoryRecoveryPointCatalog();
    expect(await consumedBy(catalog, () => catalog.record(recordOf('hendrix-10', 5 * KB - 100)))).toEqual({
      requests: 1,
      readUnits: 0,
      writeUnits: 5,
    });
    // Recorded already: the condition fails, and the write is charged all the same.
    expect(await consumedBy(catalog, () => catalog.record(recordOf('hendrix-10', 5 * KB - 100)))).toEqual({
      requests: 1,
      readUnits: 0,
      writeUnits: 5,
    });
    expect((await consumedBy(catalog, () => catalog.expire('hendrix', 'hendrix-10', '2026-12-01T00:00:00Z'))).writeUnits).toBe(5);
    expect((await consumedBy(catalog, () => catalog.remove('hendrix', 'hendrix-10'))).writeUnits).toBe(5);
    // Nothing to update or delete: still a request, and at least one unit.
    expect(await consumedBy(catalog, () => catalog.expire('hendrix', 'hendrix-10', '2026-12-01T00:00:00Z'))).toEqual({
      requests: 1,
      readUnits: 0,
      writeUnits: 1,
    });
  });

  test('a strongly consistent read takes a unit per 4 KB, and a Query per 4 KB of all the items it returns', async () => {
    const catalog = new MemoryRecoveryPointCatalog();
    for (const hour of ['10', '11', '12']) await catalog.record(recordOf(`hendrix-${hour}`, 3 * KB));
    expect(await consumedBy(catalog, () => catalog.recordOf('hendrix', 'hendrix-11'))).toEqual({
      requests: 1,
      readUnits: 1,
      writeUnits: 0,
    });
    // 9 KB in one Query: 3 units, where three reads of one item each would take 3 as well, and 4 KB items 2 each.
    expect(await consumedBy(catalog, () => catalog.recordsOf('hendrix'))).toEqual({ requests: 1, readUnits: 3, writeUnits: 0 });
    expect(await consumedBy(catalog, () => catalog.recordsOf('another-target'))).toEqual({ requests: 1, readUnits: 1, writeUnits: 0 });
  });

  test("a copy added to a record that has copies already takes the adapter's two updates", async () => {
    const catalog = new MemoryRecoveryPointCatalog();
    await catalog.record(recordOf('hendrix-10', 2 * KB - 100));
    const copy: RecoveryPointCopy = {
      region: 'eu-west-1',
      kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      volumes: [],
      startedAt: '2026-11-30T11:00:00Z',
      expiresAt: '2027-01-30T11:00:00Z',
    };
    expect((await consumedBy(catalog, () => catalog.addCopy('hendrix', 'hendrix-10', copy))).requests).toBe(1);
    expect((await consumedBy(catalog, () => catalog.addCopy('hendrix', 'hendrix-10', { ...copy, region: 'us-west-2' }))).requests).toBe(2);
    expect((await consumedBy(catalog, () => catalog.addCopy('hendrix', 'hendrix-99', copy))).requests).toBe(1);
  });
});
