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
import type { RecoveryPointCopy, RecoveryPointCopyVolume, RecoveryPointRecord, RecoveryPointVolume } from '../domain/recovery-point-record';
import { TransientError } from '../errors';
import type { CopyAdded, RecoveryPointCatalog } from './recovery-point-catalog';

/**
 * The catalog as one DynamoDB item per backup: partition key `target`, sort key `backup`, so a target's records are
 * one Query, read consistently. A record is written once (a conditional put: a second check of the same completed
 * backup changes nothing); expiry, and the volumes' storage as EC2 describes it, are conditional updates of an
 * existing item. The volumes and the recorded Cluster
 * are kept as JSON text. The copies are a map by Region (`copies.<region>`), so that starting, completing and removing
 * one copy is one update of that entry alone. The table name is read on first use, so importing a handler reads no
 * environment.
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

  async recordOf(target: string, backup: string): Promise<RecoveryPointRecord | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table(), Key: { target: { S: target }, backup: { S: backup } }, ConsistentRead: true }),
    );
    return item && toRecord(item);
  }

  async updateVolumes(target: string, backup: string, volumes: readonly RecoveryPointVolume[]): Promise<void> {
    await this.conditionalUpdate({
      TableName: this.table(),
      Key: { target: { S: target }, backup: { S: backup } },
      UpdateExpression: 'SET volumes = :volumes',
      ConditionExpression: 'attribute_exists(backup)',
      ExpressionAttributeValues: { ':volumes': { S: JSON.stringify(volumes) } },
    });
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

  /**
   * A record's first copy creates its map of copies, on condition that it has none (a target copies to one Region:
   * one update); a copy to a further Region goes into the map, on condition that the Region has none. Each failed
   * condition answers the item as it was, which tells which case it is (a start to another Region may create the map
   * between the two: the first update is then tried again).
   */
  async addCopy(target: string, backup: string, copy: RecoveryPointCopy): Promise<CopyAdded> {
    const key = { target: { S: target }, backup: { S: backup } };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const newMap = await this.conditionalUpdate({
        TableName: this.table(),
        Key: key,
        UpdateExpression: 'SET copies = :copies',
        ConditionExpression: 'attribute_exists(backup) AND attribute_not_exists(copies)',
        ExpressionAttributeValues: { ':copies': { M: { [copy.region]: { M: copyItem(copy) } } } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      if (newMap.updated) return 'added';
      if (!newMap.item) return 'absent';
      if (newMap.item.copies?.M?.[copy.region]) return 'exists';
      const intoMap = await this.conditionalUpdate({
        TableName: this.table(),
        Key: key,
        UpdateExpression: 'SET copies.#region = :copy',
        ConditionExpression: 'attribute_exists(copies) AND attribute_not_exists(copies.#region)',
        ExpressionAttributeNames: { '#region': copy.region },
        ExpressionAttributeValues: { ':copy': { M: copyItem(copy) } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      if (intoMap.updated) return 'added';
      if (!intoMap.item) return 'absent';
      if (intoMap.item.copies?.M?.[copy.region]) return 'exists';
    }
    throw new TransientError(`recovery point catalog: the copies of ${target}/${backup} changed during the update`);
  }

  async completeCopy(target: string, backup: string, region: string, completedAt: string): Promise<void> {
    await this.conditionalUpdate({
      TableName: this.table(),
      Key: { target: { S: target }, backup: { S: backup } },
      UpdateExpression: 'SET copies.#region.completedAt = :at',
      ConditionExpression: 'attribute_exists(copies.#region)',
      ExpressionAttributeNames: { '#region': region },
      ExpressionAttributeValues: { ':at': { S: completedAt } },
    });
  }

  async removeCopy(target: string, backup: string, region: string): Promise<void> {
    await this.conditionalUpdate({
      TableName: this.table(),
      Key: { target: { S: target }, backup: { S: backup } },
      UpdateExpression: 'REMOVE copies.#region',
      ConditionExpression: 'attribute_exists(copies.#region)',
      ExpressionAttributeNames: { '#region': region },
    });
  }

  /** An update whose failed condition is an answer, not an error: `item` is the item as it was (absent: no item). */
  private async conditionalUpdate(
    input: ConstructorParameters<typeof UpdateItemCommand>[0],
  ): Promise<{ updated: true } | { updated: false; item: Record<string, AttributeValue> | undefined }> {
    try {
      await this.client.send(new UpdateItemCommand(input));
      return { updated: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { updated: false, item: error.Item };
    }
  }
}

function copyItem(copy: RecoveryPointCopy): Record<string, AttributeValue> {
  return {
    ...(copy.account && { account: { M: { id: { S: copy.account.id }, roleArn: { S: copy.account.roleArn } } } }),
    kmsKeyId: { S: copy.kmsKeyId },
    startedAt: { S: copy.startedAt },
    ...(copy.completedAt !== undefined && { completedAt: { S: copy.completedAt } }),
    expiresAt: { S: copy.expiresAt },
    volumes: { S: JSON.stringify(copy.volumes) },
  };
}

function copiesOf(item: Record<string, AttributeValue>): RecoveryPointCopy[] {
  return Object.entries(item.copies?.M ?? {})
    .map(([region, value]): RecoveryPointCopy => {
      const fields = value.M ?? {};
      const text = (name: string) => {
        const field = fields[name]?.S;
        if (field === undefined) throw new Error(`recovery point catalog: the copy in ${region} has no ${name}`);
        return field;
      };
      const completedAt = fields.completedAt?.S;
      const account = fields.account?.M;
      return {
        region,
        ...(account && { account: { id: account.id?.S ?? '', roleArn: account.roleArn?.S ?? '' } }),
        kmsKeyId: text('kmsKeyId'),
        startedAt: text('startedAt'),
        ...(completedAt !== undefined && { completedAt }),
        expiresAt: text('expiresAt'),
        volumes: JSON.parse(text('volumes')) as RecoveryPointCopyVolume[],
      };
    })
    .sort((a, b) => a.region.localeCompare(b.region));
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
    ...(record.copies && {
      copies: { M: Object.fromEntries(record.copies.map((copy) => [copy.region, { M: copyItem(copy) }])) },
    }),
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
  const copies = copiesOf(item);
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
    ...(copies.length > 0 && { copies }),
  };
}
