import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { RecoveryPointRecord, RecoveryPointRecordUpdate } from '../domain/recovery-point-audit';
import type { RecoveryPointLedger } from './recovery-point-ledger';

/**
 * The ledger as one DynamoDB item per target (partition key `target`). The newest completion is kept with a
 * conditional update on its time in milliseconds, so events delivered late or twice never move it backwards. The
 * table name is read on first use, so importing a handler reads no environment.
 */
export class DynamoDbRecoveryPointLedger implements RecoveryPointLedger {
  constructor(
    private readonly table: () => string,
    private readonly client: DynamoDBClient = new DynamoDBClient({}),
  ) {}

  async recordCompleted(target: string, backup: { name: string; completedAt: string }): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table(),
          Key: { target: { S: target } },
          UpdateExpression: 'SET newestBackup = :name, newestCompletedAt = :at, newestCompletedAtMs = :ms',
          ConditionExpression: 'attribute_not_exists(newestCompletedAtMs) OR newestCompletedAtMs < :ms',
          ExpressionAttributeValues: {
            ':name': { S: backup.name },
            ':at': { S: backup.completedAt },
            ':ms': { N: String(Date.parse(backup.completedAt)) },
          },
        }),
      );
    } catch (error) {
      // The ledger already holds this completion or a newer one.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recordDrill(target: string, drill: { execution: string; completedAt: string }): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table(),
          Key: { target: { S: target } },
          UpdateExpression: 'SET lastDrill = :execution, lastDrillAt = :at, lastDrillAtMs = :ms',
          ConditionExpression: 'attribute_not_exists(lastDrillAtMs) OR lastDrillAtMs < :ms',
          ExpressionAttributeValues: {
            ':execution': { S: drill.execution },
            ':at': { S: drill.completedAt },
            ':ms': { N: String(Date.parse(drill.completedAt)) },
          },
        }),
      );
    } catch (error) {
      // The ledger already holds this drill or a newer one.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async readAll(): Promise<RecoveryPointRecord[]> {
    const records: RecoveryPointRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.table(), ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) records.push(toRecord(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return records;
  }

  async apply(updates: readonly RecoveryPointRecordUpdate[]): Promise<void> {
    for (const update of updates) {
      const set: string[] = [];
      const values: Record<string, AttributeValue> = {};
      if (update.firstAuditedAt) {
        set.push('firstAuditedAt = if_not_exists(firstAuditedAt, :first)');
        values[':first'] = { S: update.firstAuditedAt };
      }
      if (update.breachedSince) {
        set.push('breachedSince = :since');
        values[':since'] = { S: update.breachedSince };
      }
      if (update.drillOverdueSince) {
        set.push('drillOverdueSince = :overdue');
        values[':overdue'] = { S: update.drillOverdueSince };
      }
      const removed = [
        ...(update.breachedSince === null ? ['breachedSince'] : []),
        ...(update.drillOverdueSince === null ? ['drillOverdueSince'] : []),
      ];
      const clauses = [set.length > 0 ? `SET ${set.join(', ')}` : '', removed.length > 0 ? `REMOVE ${removed.join(', ')}` : '']
        .filter(Boolean)
        .join(' ');
      if (!clauses) continue;
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table(),
          Key: { target: { S: update.target } },
          UpdateExpression: clauses,
          ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
        }),
      );
    }
  }
}

function toRecord(item: Record<string, AttributeValue>): RecoveryPointRecord {
  const text = (name: string) => item[name]?.S;
  const target = text('target');
  if (!target) throw new Error('recovery point ledger: an item has no target');
  const name = text('newestBackup');
  const completedAt = text('newestCompletedAt');
  const firstAuditedAt = text('firstAuditedAt');
  const breachedSince = text('breachedSince');
  const lastDrill = text('lastDrill');
  const lastDrillAt = text('lastDrillAt');
  const drillOverdueSince = text('drillOverdueSince');
  return {
    target,
    ...(name && completedAt && { newestBackup: { name, completedAt } }),
    ...(firstAuditedAt && { firstAuditedAt }),
    ...(breachedSince && { breachedSince }),
    ...(lastDrill && lastDrillAt && { lastDrill: { execution: lastDrill, completedAt: lastDrillAt } }),
    ...(drillOverdueSince && { drillOverdueSince }),
  };
}
