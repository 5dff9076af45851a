import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DynamoDbRecoveryPointCatalog } from '../../lambdas/adapters/dynamodb-recovery-point-catalog';
import type { RecoveryPointCopy, RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';

/** Only the SDK call shape matters here (conditions, keys, attribute types): aws-sdk-client-mock stands in for DynamoDB. */

const dynamodb = mockClient(DynamoDBClient);
const catalog = () => new DynamoDbRecoveryPointCatalog(() => 'recovery-point-catalog', new DynamoDBClient({}));
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const RECORD: RecoveryPointRecord = {
  target: 'hendrix',
  backup: 'hendrix-20261130110000',
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  startedAt: '2026-11-30T11:00:02Z',
  stoppedAt: '2026-11-30T11:03:05Z',
  postgresMajor: 17,
  volumes: [
    {
      role: 'PG_DATA',
      snapshot: 'hendrix-20261130110000',
      content: 'snapcontent-1',
      snapshotHandle: 'snap-0123456789abcdef0',
      restoreSizeBytes: 53687091200,
      // What EC2 describes of the storage snapshot: kept in the volumes' JSON, so it comes back as written.
      encrypted: true,
      kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      driver: 'ebs.csi.aws.com',
      volumeSnapshotClass: 'csi-aws-vsc',
    },
  ],
  clusterManifest: '{"metadata":{"name":"hendrix"},"spec":{"instances":3}}',
};

describe('the recovery-point catalog in DynamoDB', () => {
  beforeEach(() => dynamodb.reset());

  test('records a backup once: a put conditional on the item not existing, the volumes and manifest as JSON', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    await catalog().record(RECORD);
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'recovery-point-catalog',
      ConditionExpression: 'attribute_not_exists(backup)',
      Item: {
        target: { S: 'hendrix' },
        backup: { S: 'hendrix-20261130110000' },
        eksCluster: { S: 'prod-eks' },
        namespace: { S: 'demo' },
        cluster: { S: 'hendrix' },
        startedAt: { S: '2026-11-30T11:00:02Z' },
        stoppedAt: { S: '2026-11-30T11:03:05Z' },
        postgresMajor: { N: '17' },
        volumes: { S: JSON.stringify(RECORD.volumes) },
        clusterManifest: { S: RECORD.clusterManifest },
      },
    });
  });

  test('a backup recorded already is not an error; any other failure is raised so the step is retried', async () => {
    dynamodb.on(PutItemCommand).rejects(conditionFailed());
    await expect(catalog().record(RECORD)).resolves.toBeUndefined();
    dynamodb.on(PutItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(catalog().record(RECORD)).rejects.toThrow('ProvisionedThroughputExceededException');
  });

  test("reads a target's records with a consistent Query over every page, and gives back what was recorded", async () => {
    const item = dynamodb.on(PutItemCommand).resolves({});
    await catalog().record(RECORD);
    const written = item.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    const older = {
      ...written,
      backup: { S: 'hendrix-20261129110000' },
      stoppedAt: { S: '2026-11-29T11:03:05Z' },
      expiredAt: { S: '2026-11-30T12:00:00Z' },
    };
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [written], LastEvaluatedKey: { target: { S: 'hendrix' }, backup: { S: 'hendrix-20261130110000' } } })
      .resolvesOnce({ Items: [older] });
    const records = await catalog().recordsOf('hendrix');
    expect(records).toEqual([
      { ...RECORD, backup: 'hendrix-20261129110000', stoppedAt: '2026-11-29T11:03:05Z', expiredAt: '2026-11-30T12:00:00Z' },
      RECORD,
    ]);
    expect(dynamodb).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(dynamodb).toHaveReceivedNthCommandWith(2, QueryCommand, {
      TableName: 'recovery-point-catalog',
      KeyConditionExpression: '#target = :target',
      ExpressionAttributeNames: { '#target': 'target' },
      ExpressionAttributeValues: { ':target': { S: 'hendrix' } },
      ConsistentRead: true,
    });
    expect(dynamodb).toHaveReceivedNthCommandWith(3, QueryCommand, {
      ExclusiveStartKey: { target: { S: 'hendrix' }, backup: { S: 'hendrix-20261130110000' } },
    });
  });

  test("reads one backup's record with a consistent GetItem by its key; a backup without one has none", async () => {
    const item = dynamodb.on(PutItemCommand).resolves({});
    await catalog().record(RECORD);
    const written = item.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    dynamodb.on(GetItemCommand).resolvesOnce({ Item: written }).resolvesOnce({});
    expect(await catalog().recordOf('hendrix', RECORD.backup)).toEqual(RECORD);
    expect(await catalog().recordOf('hendrix', 'hendrix-unrecorded')).toBeUndefined();
    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'recovery-point-catalog',
      Key: { target: { S: 'hendrix' }, backup: { S: RECORD.backup } },
      ConsistentRead: true,
    });
  });

  test("replaces a recorded backup's volumes as JSON, on condition that the record exists; none is not an error", async () => {
    dynamodb.on(UpdateItemCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    await catalog().updateVolumes('hendrix', RECORD.backup, RECORD.volumes);
    await expect(catalog().updateVolumes('hendrix', 'hendrix-unrecorded', RECORD.volumes)).resolves.toBeUndefined();
    expect(dynamodb).toHaveReceivedNthCommandWith(1, UpdateItemCommand, {
      TableName: 'recovery-point-catalog',
      Key: { target: { S: 'hendrix' }, backup: { S: RECORD.backup } },
      UpdateExpression: 'SET volumes = :volumes',
      ConditionExpression: 'attribute_exists(backup)',
      ExpressionAttributeValues: { ':volumes': { S: JSON.stringify(RECORD.volumes) } },
    });
  });

  test('expiry keeps its first time and touches only a recorded backup; removal deletes the item by its key', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    dynamodb.on(DeleteItemCommand).resolves({});
    await expect(catalog().expire('hendrix', 'gone', '2026-12-01T00:00:00Z')).resolves.toBeUndefined();
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      Key: { target: { S: 'hendrix' }, backup: { S: 'gone' } },
      UpdateExpression: 'SET expiredAt = if_not_exists(expiredAt, :at)',
      ConditionExpression: 'attribute_exists(backup)',
    });
    await catalog().remove('hendrix', 'hendrix-20261130110000');
    expect(dynamodb).toHaveReceivedCommandWith(DeleteItemCommand, {
      TableName: 'recovery-point-catalog',
      Key: { target: { S: 'hendrix' }, backup: { S: 'hendrix-20261130110000' } },
    });
  });
});

describe('the copies of a backup in the DynamoDB catalog', () => {
  beforeEach(() => dynamodb.reset());

  const COPY: RecoveryPointCopy = {
    region: 'us-west-2',
    kmsKeyId: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    startedAt: '2026-11-30T11:04:00.000Z',
    expiresAt: '2026-12-30T11:03:05.000Z',
    volumes: [{ role: 'PG_DATA', sourceSnapshotHandle: 'snap-0123456789abcdef0', snapshotHandle: 'snap-0fedcba9876543210' }],
  };
  const COPY_ITEM = {
    kmsKeyId: { S: COPY.kmsKeyId },
    startedAt: { S: COPY.startedAt },
    expiresAt: { S: COPY.expiresAt },
    volumes: { S: JSON.stringify(COPY.volumes) },
  };
  const conditionFailedWith = (item: Record<string, AttributeValue> | undefined) =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(item && { Item: item }) });

  test("a record's first copy creates its map of copies by Region, on condition that the record exists and has none", async () => {
    dynamodb.on(UpdateItemCommand).resolves({});
    await expect(catalog().addCopy('hendrix', RECORD.backup, COPY)).resolves.toBe('added');
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(dynamodb).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'recovery-point-catalog',
      Key: { target: { S: 'hendrix' }, backup: { S: RECORD.backup } },
      UpdateExpression: 'SET copies = :copies',
      ConditionExpression: 'attribute_exists(backup) AND attribute_not_exists(copies)',
      ExpressionAttributeValues: { ':copies': { M: { 'us-west-2': { M: COPY_ITEM } } } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  test('a copy to a further Region goes into the map, on condition that the Region has none', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailedWith({ backup: { S: RECORD.backup }, copies: { M: { 'eu-central-1': { M: COPY_ITEM } } } }))
      .resolvesOnce({});
    await expect(catalog().addCopy('hendrix', RECORD.backup, COPY)).resolves.toBe('added');
    expect(dynamodb).toHaveReceivedNthCommandWith(2, UpdateItemCommand, {
      UpdateExpression: 'SET copies.#region = :copy',
      ConditionExpression: 'attribute_exists(copies) AND attribute_not_exists(copies.#region)',
      ExpressionAttributeNames: { '#region': 'us-west-2' },
      ExpressionAttributeValues: { ':copy': { M: COPY_ITEM } },
    });
  });

  test('a copy to a Region that has one already answers exists; a backup without a record answers absent', async () => {
    dynamodb
      .on(UpdateItemCommand)
      .rejectsOnce(conditionFailedWith({ backup: { S: RECORD.backup }, copies: { M: { 'us-west-2': { M: COPY_ITEM } } } }));
    await expect(catalog().addCopy('hendrix', RECORD.backup, COPY)).resolves.toBe('exists');
    dynamodb.reset();
    dynamodb.on(UpdateItemCommand).rejectsOnce(conditionFailedWith(undefined));
    await expect(catalog().addCopy('hendrix', RECORD.backup, COPY)).resolves.toBe('absent');
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
  });

  test('completion sets completedAt of the Region only; removal removes the Region; neither fails on a copy that is gone', async () => {
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(catalog().completeCopy('hendrix', RECORD.backup, 'us-west-2', '2026-11-30T12:00:00Z')).resolves.toBeUndefined();
    await expect(catalog().removeCopy('hendrix', RECORD.backup, 'us-west-2')).resolves.toBeUndefined();
    expect(dynamodb).toHaveReceivedNthCommandWith(1, UpdateItemCommand, {
      UpdateExpression: 'SET copies.#region.completedAt = :at',
      ConditionExpression: 'attribute_exists(copies.#region)',
      ExpressionAttributeNames: { '#region': 'us-west-2' },
      ExpressionAttributeValues: { ':at': { S: '2026-11-30T12:00:00Z' } },
    });
    expect(dynamodb).toHaveReceivedNthCommandWith(2, UpdateItemCommand, {
      UpdateExpression: 'REMOVE copies.#region',
      ConditionExpression: 'attribute_exists(copies.#region)',
      ExpressionAttributeNames: { '#region': 'us-west-2' },
    });
    dynamodb.on(UpdateItemCommand).rejects(new Error('ThrottlingException'));
    await expect(catalog().removeCopy('hendrix', RECORD.backup, 'us-west-2')).rejects.toThrow('ThrottlingException');
  });

  test('reads the copies back with the record, in Region order; a record without copies has none', async () => {
    const completed = { ...COPY_ITEM, completedAt: { S: '2026-11-30T12:00:00Z' } };
    dynamodb.on(PutItemCommand).resolves({});
    await catalog().record(RECORD);
    const written = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    expect(written.copies).toBeUndefined();
    dynamodb.on(QueryCommand).resolves({
      Items: [{ ...written, copies: { M: { 'us-west-2': { M: completed }, 'eu-central-1': { M: COPY_ITEM } } } }],
    });
    const [record] = await catalog().recordsOf('hendrix');
    expect(record?.copies).toEqual([
      { ...COPY, region: 'eu-central-1' },
      { ...COPY, completedAt: '2026-11-30T12:00:00Z' },
    ]);
  });

  test('a copy kept in another account is written and read back with that account and its role', async () => {
    const account = { id: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/cnpg-snapshot-vault' };
    dynamodb.on(UpdateItemCommand).resolves({});
    await catalog().addCopy('hendrix', RECORD.backup, { ...COPY, account });
    const item = dynamodb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':copies']!.M!['us-west-2']!.M!;
    expect(item.account).toEqual({ M: { id: { S: account.id }, roleArn: { S: account.roleArn } } });
    dynamodb.on(PutItemCommand).resolves({});
    await catalog().record(RECORD);
    const written = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    dynamodb.on(QueryCommand).resolves({ Items: [{ ...written, copies: { M: { 'us-west-2': { M: item } } } }] });
    const [record] = await catalog().recordsOf('hendrix');
    expect(record?.copies).toEqual([{ ...COPY, account }]);
  });
});
