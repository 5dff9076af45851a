import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * Restores proven on data: the simulated clusters hold their rows in an embedded PostgreSQL, a backup's snapshot
 * captures them when it is cut, and a restore through the deployed workflow starts from exactly those rows.
 */

const START = Date.parse('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;

describe('restored data', () => {
  let local: LocalScheduler;

  beforeAll(async () => {
    local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [HENDRIX] });
  });
  afterAll(() => local.close());

  const orderIds = async (cluster: string) => {
    const [result] = await local.server.cnpg.sql('demo', cluster, 'select id from orders order by id');
    return result!.rows.map((row) => row.id);
  };

  test('rows written before a backup are in the restored cluster, rows written after it are not', async () => {
    await local.server.cnpg.sql(
      'demo',
      'hendrix',
      "create table orders (id int primary key, created_at timestamptz not null); insert into orders values (1, '2026-11-23T23:50:00Z'), (2, '2026-11-23T23:55:00Z')",
    );
    await local.fireSchedule('backup', 'hendrix', new Date(START));
    local.clock.advanceTo(new Date(START + HOUR / 2));
    await local.server.cnpg.sql('demo', 'hendrix', "insert into orders values (3, '2026-11-24T00:30:00Z')");

    const result = await local.requestRestore({ target: 'hendrix', clusterName: 'hendrix-data' });
    expect(result.backup).toBe('hendrix-20261124000000');
    expect(local.execution(result.executionName!)?.status).toBe('SUCCEEDED');

    expect(await orderIds('hendrix-data')).toEqual([1, 2]);
    expect(await orderIds('hendrix')).toEqual([1, 2, 3]);
  });

  test('a write to the restored cluster stays there; a cluster that does not exist is refused', async () => {
    await local.server.cnpg.sql('demo', 'hendrix-data', "insert into orders values (10, '2026-11-24T01:00:00Z')");
    expect(await orderIds('hendrix-data')).toEqual([1, 2, 10]);
    expect(await orderIds('hendrix')).toEqual([1, 2, 3]);
    await expect(local.server.cnpg.sql('demo', 'hendrix-missing', 'select 1')).rejects.toThrow('No cluster demo/hendrix-missing');
  });
});
