import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { RecoveryPointRecord, RecoveryPointVolume } from '../domain/recovery-point-record';
import type { RecoveryPointCatalog } from './recovery-point-catalog';

/**
 * The catalog as one DynamoDB item per backup: partition key `target`, sort key `backup`, so a target's records are
 * one Query, read consistently. A record is written once (a conditional put: a second check of the same completed
 * backup changes nothing); expiry is a conditional update on an existing item. The volumes and the recorded Cluster
 * are kept as JSON text. The table name is read on first use, so importing a handler reads no environment.
 */
export class DynamoDbRecoveryPointCatalog implements RecoveryPointCatalog {
  constructor(
    private readonly table: () => string,
    private readonly client: DynamoDBClient = new DynamoDBClient({}),
  ) {}

  async record(record: RecoveryPointRecord): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table(),
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(backup)',
        }),
      );
    } catch (error) {
      // The backup is recorded already.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recordsOf(target: string): Promise<RecoveryPointRecord[]> {
    const records: RecoveryPointRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table(),
          KeyConditionExpression: '#target = :target',
          ExpressionAttributeNames: { '#target': 'target' },
          ExpressionAttributeValues: { ':target': { S: target } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) records.push(toRecord(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) => a.stoppedAt.localeCompare(b.stoppedAt));
  }

  async expire(target: string, backup: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table(),
          Key: { target: { S: target }, backup: { S: backup } },
          UpdateExpression: 'SET expiredAt = if_not_exists(expiredAt, :at)',
          ConditionExpression: 'attribute_exists(backup)',
          ExpressionAttributeValues: { ':at': { S: at } },
        }),
      );
    } catch (error) {
      // No record: nothing claims the storage.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async remove(target: string, backup: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.table(), Key: { target: { S: target }, backup: { S: backup } } }));
  }
}

function toItem(record: RecoveryPointRecord): Record<string, AttributeValue> {
  return {
    target: { S: record.target },
    backup: { S: record.backup },
    eksCluster: { S: record.eksCluster },
    namespace: { S: record.namespace },
    cluster: { S: record.cluster },
    ...(record.startedAt !== undefined && { startedAt: { S: record.startedAt } }),
    stoppedAt: { S: record.stoppedAt },
    ...(record.postgresMajor !== undefined && { postgresMajor: { N: String(record.postgresMajor) } }),
    volumes: { S: JSON.stringify(record.volumes) },
    clusterManifest: { S: record.clusterManifest },
    ...(record.expiredAt !== undefined && { expiredAt: { S: record.expiredAt } }),
  };
}

function toRecord(item: Record<string, AttributeValue>): RecoveryPointRecord {
  const text = (name: string) => {
    const value = item[name]?.S;
    if (value === undefined) throw new Error(`recovery point catalog: an item has no ${name}`);
    return value;
  };
  const startedAt = item.startedAt?.S;
  const postgresMajor = item.postgresMajor?.N;
  const expiredAt = item.expiredAt?.S;
  return {
    target: text('target'),
    backup: text('backup'),
    eksCluster: text('eksCluster'),
    namespace: text('namespace'),
    cluster: text('cluster'),
    ...(startedAt !== undefined && { startedAt }),
    stoppedAt: text('stoppedAt'),
    ...(postgresMajor !== undefined && { postgresMajor: Number(postgresMajor) }),
    volumes: JSON.parse(text('volumes')) as RecoveryPointVolume[],
    clusterManifest: text('clusterManifest'),
    ...(expiredAt !== undefined && { expiredAt }),
  };
}
