import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbRecoveryPointLedger } from '../../lambdas/adapters/dynamodb-recovery-point-ledger';
import { DynamoDbStandIn } from '../../simulator/aws-api/dynamodb-stand-in';
import { HttpStandIn } from '../../simulator/aws-api/http-stand-in';

/**
 * The production ledger adapter over HTTP against the DynamoDB stand-in: the requests it really sends (the AWS SDK's
 * serialization, its error parsing) and what DynamoDB does with them.
 */
const TABLE = 'recovery-points';
let dynamodb: DynamoDbStandIn;
let server: HttpStandIn;
let client: DynamoDBClient;
let ledger: DynamoDbRecoveryPointLedger;

beforeEach(async () => {
  dynamodb = new DynamoDbStandIn({ [TABLE]: 'target' });
  server = await HttpStandIn.start(dynamodb.handle);
  client = new DynamoDBClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIASTANDINTEST00000', secretAccessKey: 'stand-in-test-secret-key-00000000000000' },
  });
  ledger = new DynamoDbRecoveryPointLedger(() => TABLE, client);
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

describe('the DynamoDB ledger adapter against the DynamoDB stand-in', () => {
  test('the newest completed backup and drill win; an older one reported late changes nothing', async () => {
    await ledger.recordCompleted('hendrix', { name: 'hendrix-2', completedAt: '2026-11-30T12:00:00.000Z' });
    await ledger.recordCompleted('hendrix', { name: 'hendrix-1', completedAt: '2026-11-30T11:00:00.000Z' });
    await ledger.recordDrill('hendrix', { execution: 'drill-new', completedAt: '2026-11-29T04:10:00.000Z' });
    await ledger.recordDrill('hendrix', { execution: 'drill-old', completedAt: '2026-11-22T04:10:00.000Z' });
    await expect(ledger.readAll()).resolves.toEqual([
      {
        target: 'hendrix',
        newestBackup: { name: 'hendrix-2', completedAt: '2026-11-30T12:00:00.000Z' },
        lastDrill: { execution: 'drill-new', completedAt: '2026-11-29T04:10:00.000Z' },
      },
    ]);
    await ledger.recordCompleted('hendrix', { name: 'hendrix-3', completedAt: '2026-11-30T13:00:00.000Z' });
    expect((await ledger.readAll())[0]?.newestBackup?.name).toBe('hendrix-3');
  });

  test('the first audit time is kept once (if_not_exists); a breach is set, then REMOVE clears it', async () => {
    await ledger.apply([{ target: 'jimi', firstAuditedAt: '2026-11-30T10:00:00.000Z', breachedSince: '2026-11-30T10:00:00.000Z' }]);
    await ledger.apply([{ target: 'jimi', firstAuditedAt: '2026-11-30T11:00:00.000Z', drillOverdueSince: '2026-11-30T11:00:00.000Z' }]);
    await expect(ledger.readAll()).resolves.toEqual([
      {
        target: 'jimi',
        firstAuditedAt: '2026-11-30T10:00:00.000Z',
        breachedSince: '2026-11-30T10:00:00.000Z',
        drillOverdueSince: '2026-11-30T11:00:00.000Z',
      },
    ]);
    await ledger.apply([{ target: 'jimi', breachedSince: null, drillOverdueSince: null }]);
    await expect(ledger.readAll()).resolves.toEqual([{ target: 'jimi', firstAuditedAt: '2026-11-30T10:00:00.000Z' }]);
  });

  test('readAll follows LastEvaluatedKey over several 1 MB pages and returns every item', async () => {
    // Items of about 300 KB: the fourth passes 1 MB and ends a Scan page.
    const targets = Array.from({ length: 9 }, (_, i) => `target-${i}`);
    for (const target of targets)
      await ledger.recordCompleted(target, { name: `${target}-${'x'.repeat(300_000)}`, completedAt: '2026-11-30T12:00:00.000Z' });
    const scans: Array<{ ExclusiveStartKey?: unknown }> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ScanCommand') scans.push(args.input as { ExclusiveStartKey?: unknown });
        return next(args);
      },
      { step: 'initialize' },
    );
    const records = await ledger.readAll();
    expect(records.map((r) => r.target)).toEqual(targets);
    expect(scans.map((scan) => scan.ExclusiveStartKey)).toEqual([undefined, { target: { S: 'target-3' } }, { target: { S: 'target-7' } }]);
  });

  test('a condition that fails answers ConditionalCheckFailedException, as DynamoDB does', async () => {
    await ledger.recordCompleted('hendrix', { name: 'hendrix-2', completedAt: '2026-11-30T12:00:00.000Z' });
    const older = new UpdateItemCommand({
      TableName: TABLE,
      Key: { target: { S: 'hendrix' } },
      UpdateExpression: 'SET newestBackup = :name, newestCompletedAtMs = :ms',
      ConditionExpression: 'attribute_not_exists(newestCompletedAtMs) OR newestCompletedAtMs < :ms',
      ExpressionAttributeValues: { ':name': { S: 'hendrix-1' }, ':ms': { N: '1' } },
    });
    await expect(client.send(older)).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
    });
  });

  test('an expression outside the modelled subset is refused, naming it, and changes nothing', async () => {
    const add = new UpdateItemCommand({
      TableName: TABLE,
      Key: { target: { S: 'hendrix' } },
      UpdateExpression: 'ADD drills :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    });
    await expect(client.send(add)).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('ADD drills :one'),
    });
    const unused = new UpdateItemCommand({
      TableName: TABLE,
      Key: { target: { S: 'hendrix' } },
      UpdateExpression: 'SET lastDrill = :execution',
      ExpressionAttributeValues: { ':execution': { S: 'd' }, ':at': { S: 'x' } },
    });
    await expect(client.send(unused)).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining(':at') });
    expect(dynamodb.items(TABLE)).toEqual([]);
  });
});
