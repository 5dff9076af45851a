import { ConditionalCheckFailedException, DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbRecoveryPointLedger } from '../../lambdas/adapters/dynamodb-recovery-point-ledger';

const dynamodb = mockClient(DynamoDBClient);
const ledger = () => new DynamoDbRecoveryPointLedger(() => 'recovery-points', new DynamoDBClient({}));

describe('the recovery point ledger in DynamoDB', () => {
  beforeEach(() => dynamodb.reset());

  test('a completed backup replaces the newest only if it is newer (conditional on its time in milliseconds)', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger().recordCompleted('hendrix', { name: 'hendrix-20261130110000', completedAt: '2026-11-30T11:03:05.000Z' });
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'recovery-points',
      Key: { target: { S: 'hendrix' } },
      UpdateExpression: 'SET newestBackup = :name, newestCompletedAt = :at, newestCompletedAtMs = :ms',
      ConditionExpression: 'attribute_not_exists(newestCompletedAtMs) OR newestCompletedAtMs < :ms',
      ExpressionAttributeValues: {
        ':name': { S: 'hendrix-20261130110000' },
        ':at': { S: '2026-11-30T11:03:05.000Z' },
        ':ms': { N: String(Date.parse('2026-11-30T11:03:05.000Z')) },
      },
    });
  });

  test('an older or repeated completion is not an error: the ledger keeps the newer one', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(ledger().recordCompleted('hendrix', { name: 'old', completedAt: '2026-11-01T00:00:00Z' })).resolves.toBeUndefined();
  });

  test('any other failure is raised, so the event is retried', async () => {
    dynamodb.on(UpdateItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(ledger().recordCompleted('hendrix', { name: 'b', completedAt: '2026-11-01T00:00:00Z' })).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
  });

  test('reads every page of the table as records', async () => {
    dynamodb
      .on(ScanCommand)
      .resolvesOnce({
        Items: [
          {
            target: { S: 'hendrix' },
            newestBackup: { S: 'hendrix-1' },
            newestCompletedAt: { S: '2026-11-30T11:00:00.000Z' },
            newestCompletedAtMs: { N: '1' },
            breachedSince: { S: '2026-11-30T12:00:00.000Z' },
          },
        ],
        LastEvaluatedKey: { target: { S: 'hendrix' } },
      })
      .resolvesOnce({ Items: [{ target: { S: 'new' }, firstAuditedAt: { S: '2026-11-30T10:00:00.000Z' } }] });
    await expect(ledger().readAll()).resolves.toEqual([
      {
        target: 'hendrix',
        newestBackup: { name: 'hendrix-1', completedAt: '2026-11-30T11:00:00.000Z' },
        breachedSince: '2026-11-30T12:00:00.000Z',
      },
      { target: 'new', firstAuditedAt: '2026-11-30T10:00:00.000Z' },
    ]);
    expect(dynamodb.commandCalls(ScanCommand).map((call) => call.args[0].input.ExclusiveStartKey)).toEqual([
      undefined,
      { target: { S: 'hendrix' } },
    ]);
  });

  test("applies the audit's updates: first audit kept once, a breach set, a breach cleared", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger().apply([
      { target: 'new', firstAuditedAt: '2026-11-30T12:00:00.000Z' },
      { target: 'hendrix', breachedSince: '2026-11-30T12:00:00.000Z' },
      { target: 'jimi', breachedSince: null },
    ]);
    expect(dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'recovery-points',
        Key: { target: { S: 'new' } },
        UpdateExpression: 'SET firstAuditedAt = if_not_exists(firstAuditedAt, :first)',
        ExpressionAttributeValues: { ':first': { S: '2026-11-30T12:00:00.000Z' } },
      },
      {
        TableName: 'recovery-points',
        Key: { target: { S: 'hendrix' } },
        UpdateExpression: 'SET breachedSince = :since',
        ExpressionAttributeValues: { ':since': { S: '2026-11-30T12:00:00.000Z' } },
      },
      { TableName: 'recovery-points', Key: { target: { S: 'jimi' } }, UpdateExpression: 'REMOVE breachedSince' },
    ]);
  });

  test('a successful drill replaces the last one only if it is newer', async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger().recordDrill('hendrix', { execution: 'hendrix-drill-20261129040000', completedAt: '2026-11-29T04:02:10.000Z' });
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      Key: { target: { S: 'hendrix' } },
      UpdateExpression: 'SET lastDrill = :execution, lastDrillAt = :at, lastDrillAtMs = :ms',
      ConditionExpression: 'attribute_not_exists(lastDrillAtMs) OR lastDrillAtMs < :ms',
      ExpressionAttributeValues: {
        ':execution': { S: 'hendrix-drill-20261129040000' },
        ':at': { S: '2026-11-29T04:02:10.000Z' },
        ':ms': { N: String(Date.parse('2026-11-29T04:02:10.000Z')) },
      },
    });
    dynamodb
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(ledger().recordDrill('hendrix', { execution: 'old', completedAt: '2026-11-01T00:00:00Z' })).resolves.toBeUndefined();
  });

  test('reads the last drill and its overdue state, and sets and clears the overdue state', async () => {
    dynamodb.on(ScanCommand).resolves({
      Items: [
        {
          target: { S: 'hendrix' },
          lastDrill: { S: 'hendrix-drill-1' },
          lastDrillAt: { S: '2026-11-29T04:02:10.000Z' },
          lastDrillAtMs: { N: '1' },
          drillOverdueSince: { S: '2026-11-30T12:00:00.000Z' },
        },
      ],
    });
    await expect(ledger().readAll()).resolves.toEqual([
      {
        target: 'hendrix',
        lastDrill: { execution: 'hendrix-drill-1', completedAt: '2026-11-29T04:02:10.000Z' },
        drillOverdueSince: '2026-11-30T12:00:00.000Z',
      },
    ]);
    dynamodb.on(UpdateItemCommand).resolves({});
    await ledger().apply([
      { target: 'hendrix', drillOverdueSince: '2026-11-30T12:00:00.000Z' },
      { target: 'jimi', breachedSince: null, drillOverdueSince: null },
    ]);
    expect(dynamodb.commandCalls(UpdateItemCommand).map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'recovery-points',
        Key: { target: { S: 'hendrix' } },
        UpdateExpression: 'SET drillOverdueSince = :overdue',
        ExpressionAttributeValues: { ':overdue': { S: '2026-11-30T12:00:00.000Z' } },
      },
      { TableName: 'recovery-points', Key: { target: { S: 'jimi' } }, UpdateExpression: 'REMOVE breachedSince, drillOverdueSince' },
    ]);
  });
});
