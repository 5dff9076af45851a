import {
  CopySnapshotCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
  type Filter,
  ModifySnapshotAttributeCommand,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { AwsApiError, TransientError } from '../errors';
import type { StorageSnapshot, StorageSnapshotCopyRequest, StorageSnapshots } from './storage-snapshots';

/** Amazon EC2 User Guide, "Filter your resources": at most 200 values per filter in one request. */
export const SNAPSHOT_IDS_PER_DESCRIBE = 200;
/** EC2 API Reference, DescribeSnapshots: MaxResults is at most 1000. */
const PAGE_SIZE = 1000;
/** EC2 API Reference, "Error codes": the snapshot does not exist (any more). */
const NOT_FOUND = 'InvalidSnapshot.NotFound';
/**
 * Error codes that mean "try again later" (EC2 API Reference, "Error codes" and "Request throttling"): throttling,
 * and the server errors EC2 answers with a code.
 */
const TRANSIENT_CODES = new Set(['RequestLimitExceeded', 'Throttling', 'InternalError', 'ServiceUnavailable', 'Unavailable']);
/** Failures of the connection, not answers of EC2 (the SDK's node HTTP handler passes Node's codes through). */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * StorageSnapshots on EC2 with the AWS SDK: one client per Region, made on first use (the SDK's own retries apply
 * within the call). Snapshots are described by the `snapshot-id` filter rather than SnapshotIds, since SnapshotIds
 * fails the whole request for one id that does not exist, in chunks of the filter's value limit, every page read.
 */
export class Ec2StorageSnapshots implements StorageSnapshots {
  private readonly clients = new Map<string, EC2Client>();

  constructor(private readonly clientOf: (region: string) => EC2Client = (region) => new EC2Client({ region })) {}

  async describe(region: string, ids: readonly string[]): Promise<StorageSnapshot[]> {
    const unique = [...new Set(ids)];
    const found: StorageSnapshot[] = [];
    for (let start = 0; start < unique.length; start += SNAPSHOT_IDS_PER_DESCRIBE) {
      const chunk = unique.slice(start, start + SNAPSHOT_IDS_PER_DESCRIBE);
      found.push(...(await this.describeAll(region, [{ Name: 'snapshot-id', Values: chunk }])));
    }
    return found;
  }

  /** By a `tag:<key>` filter per tag (Amazon EC2 User Guide, "Filter your resources"), every page read. */
  listTagged(region: string, tags: Readonly<Record<string, string>>): Promise<StorageSnapshot[]> {
    return this.describeAll(
      region,
      Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
    );
  }

  private async describeAll(region: string, filters: Filter[]): Promise<StorageSnapshot[]> {
    const found: StorageSnapshot[] = [];
    let token: string | undefined;
    do {
      const command = new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: filters,
        MaxResults: PAGE_SIZE,
        ...(token !== undefined && { NextToken: token }),
      });
      const page = await this.client(region)
        .send(command)
        .catch((error: unknown) => {
          throw toStorageError(error, `DescribeSnapshots in ${region}`);
        });
      for (const snapshot of page.Snapshots ?? []) found.push(storageSnapshotOf(region, snapshot));
      token = page.NextToken;
    } while (token);
    return found;
  }

  async copy(request: StorageSnapshotCopyRequest): Promise<string> {
    const action = `CopySnapshot of ${request.sourceRegion}/${request.sourceSnapshotId} to ${request.region}`;
    const answer = await this.client(request.region)
      .send(
        new CopySnapshotCommand({
          SourceRegion: request.sourceRegion,
          SourceSnapshotId: request.sourceSnapshotId,
          Encrypted: true,
          KmsKeyId: request.kmsKeyId,
          Description: request.description,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })) }],
        }),
      )
      .catch((error: unknown) => {
        throw toStorageError(error, action);
      });
    if (answer.SnapshotId === undefined) throw new AwsApiError(`${action}: EC2 answered no SnapshotId`, 'NoSnapshotId');
    return answer.SnapshotId;
  }

  async delete(region: string, id: string): Promise<'deleted' | 'absent'> {
    try {
      await this.client(region).send(new DeleteSnapshotCommand({ SnapshotId: id }));
      return 'deleted';
    } catch (error) {
      const mapped = toStorageError(error, `DeleteSnapshot ${id} in ${region}`);
      if (mapped instanceof AwsApiError && mapped.code === NOT_FOUND) return 'absent';
      throw mapped;
    }
  }

  async share(region: string, id: string, accountId: string): Promise<void> {
    await this.client(region)
      .send(modifyCreateVolumePermission(id, 'add', accountId))
      .catch((error: unknown) => {
        throw toStorageError(error, `ModifySnapshotAttribute sharing ${id} in ${region} with ${accountId}`);
      });
  }

  async unshare(region: string, id: string, accountId: string): Promise<'unshared' | 'absent'> {
    try {
      await this.client(region).send(modifyCreateVolumePermission(id, 'remove', accountId));
      return 'unshared';
    } catch (error) {
      const mapped = toStorageError(error, `ModifySnapshotAttribute unsharing ${id} in ${region} from ${accountId}`);
      if (mapped instanceof AwsApiError && mapped.code === NOT_FOUND) return 'absent';
      throw mapped;
    }
  }

  private client(region: string): EC2Client {
    let client = this.clients.get(region);
    if (!client) {
      client = this.clientOf(region);
      this.clients.set(region, client);
    }
    return client;
  }
}

/** EC2 API Reference, ModifySnapshotAttribute: one account added to or removed from the createVolumePermission. */
function modifyCreateVolumePermission(id: string, operation: 'add' | 'remove', accountId: string): ModifySnapshotAttributeCommand {
  const change = [{ UserId: accountId }];
  return new ModifySnapshotAttributeCommand({
    SnapshotId: id,
    Attribute: 'createVolumePermission',
    CreateVolumePermission: operation === 'add' ? { Add: change } : { Remove: change },
  });
}

function storageSnapshotOf(region: string, snapshot: Snapshot): StorageSnapshot {
  return {
    id: snapshot.SnapshotId ?? '',
    region,
    state: snapshot.State ?? 'pending',
    ...(snapshot.Progress !== undefined && { progress: snapshot.Progress }),
    ...(snapshot.StateMessage !== undefined && { stateMessage: snapshot.StateMessage }),
    encrypted: snapshot.Encrypted ?? false,
    ...(snapshot.KmsKeyId !== undefined && { kmsKeyId: snapshot.KmsKeyId }),
    volumeSizeGiB: snapshot.VolumeSize ?? 0,
    startTime: snapshot.StartTime?.toISOString() ?? '',
    tags: Object.fromEntries((snapshot.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
  };
}

/** Throttling, server errors and connection failures are TransientError; any other answer an AwsApiError naming its code. */
function toStorageError(error: unknown, action: string): Error {
  if (error instanceof EC2ServiceException) {
    const message = `${action}: ${error.name}: ${error.message}`;
    const status = error.$metadata.httpStatusCode ?? 0;
    if (TRANSIENT_CODES.has(error.name) || error.$fault === 'server' || status >= 500)
      return new TransientError(message, undefined, { cause: error });
    return new AwsApiError(message, error.name, { cause: error });
  }
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (name === 'TimeoutError' || (typeof code === 'string' && NETWORK_CODES.has(code)))
    return new TransientError(`${action}: network error (${String(code ?? name)}): ${(error as Error).message}`, undefined, {
      cause: error,
    });
  return error instanceof Error ? error : new Error(`${action}: ${String(error)}`);
}
