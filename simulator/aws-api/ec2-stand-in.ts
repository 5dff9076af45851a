import type { SimulatedSnapshotDetails, SimulatedStorageProvider } from '../cnpg/storage-provider';
import type { StandInRequest, StandInResponse } from './http-stand-in';
import type { SimulatedStorageRegions } from './storage-regions';

/** Raised to answer a request with one of EC2's errors. */
class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** EC2 API Reference, "Query API request": the API version every request names. */
const API_VERSION = '2016-11-15';
const NAMESPACE = `http://ec2.amazonaws.com/doc/${API_VERSION}/`;
/** Amazon EC2 User Guide, "Filter your resources": up to 200 values per filter; more is FilterLimitExceeded. */
const MAX_FILTER_VALUES = 200;
/** EC2 API Reference, DescribeSnapshots: MaxResults is from 5 to 1000. */
const MIN_RESULTS = 5;
const MAX_RESULTS = 1000;
const GIB = 2 ** 30;
/**
 * EC2 API Reference, CopySnapshot: "Snapshots copied to an Outpost ... Snapshots created by copying another snapshot
 * have an arbitrary volume ID that should not be used for any purpose."
 */
const COPY_VOLUME_ID = 'vol-ffffffff';
/** SigV4's credential scope: `<access key>/<date>/<region>/<service>/aws4_request` (AWS General Reference, "Signature Version 4"). */
const CREDENTIAL_SCOPE = /Credential=([^/]+)\/\d{8}\/([a-z0-9-]+)\/ec2\/aws4_request/;

export interface Ec2StandInOptions {
  /** The storage providers of the account, by Region: what EC2 describes, copies and deletes. */
  regions: SimulatedStorageRegions;
  /** The storage of further accounts (a vault account copies are kept in), each by Region. */
  accounts?: readonly SimulatedStorageRegions[];
  /**
   * The account a request's access key acts in (the STS stand-in's, for the credentials of an assumed role); default:
   * every key is `regions`' account's. An unknown key is AuthFailure.
   */
  accountOf?: (accessKeyId: string) => string | undefined;
  /** The time copies progress by (epoch ms): the simulation's virtual clock, never wall-clock time. */
  now: () => number;
  /** How long a copy stays pending before it is completed, in virtual time (default 20 minutes). */
  copyDurationMs?: number;
}

/** One request as the stand-in saw it: the Region it was signed for, the caller's account and its Action. */
export interface Ec2StandInRequest {
  region: string;
  account: string;
  action: string;
}

/**
 * EC2's snapshot actions in the Query protocol (EC2 API Reference, "Query API request": POST form-encoded
 * `Action=...&Version=2016-11-15`, XML answers in the 2016-11-15 namespace; "Error codes for the Amazon EC2 API": errors
 * as `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`), on the simulated storage
 * providers: the Region is that of the request's SigV4 credential scope, so one server serves every Region.
 * Each request acts in the account of its access key (IAM User Guide, "Policy evaluation logic": a principal acts in
 * its own account; another account's snapshot is reached only as it is shared): its snapshots are that account's.
 * DescribeSnapshots, CopySnapshot, DeleteSnapshot, CreateTags and ModifySnapshotAttribute (on snapshots), with the
 * parameters a caller is known to send; any other action or parameter is refused (UnsupportedOperation, naming it), so a caller that sends more is
 * noticed here rather than modelled wrongly.
 */
export class Ec2StandIn {
  /** Every request, in order. */
  readonly requests: Ec2StandInRequest[] = [];
  private throttled = 0;
  private pageLimit = Number.POSITIVE_INFINITY;
  private copies = 0;
  private requestIds = 0;
  private readonly copyDurationMs: number;

  constructor(private readonly options: Ec2StandInOptions) {
    this.copyDurationMs = options.copyDurationMs ?? 20 * 60_000;
  }

  /**
   * The next `count` requests are throttled: EC2 API Reference, "Request throttling for the Amazon EC2 API": the
   * RequestLimitExceeded error code, HTTP 503.
   */
  throttle(count: number): void {
    this.throttled = count;
  }

  /**
   * DescribeSnapshots answers at most `size` snapshots a page from now on: EC2 API Reference, "Pagination": a page may
   * hold fewer items than MaxResults, with a NextToken for the rest.
   */
  limitPages(size: number): void {
    this.pageLimit = size;
  }

  handle = (request: StandInRequest): Promise<StandInResponse> => {
    const requestId = this.nextRequestId();
    try {
      const params = new URLSearchParams(request.body);
      const [, accessKey, region] = CREDENTIAL_SCOPE.exec(request.headers.authorization ?? '') ?? [];
      const storage = accessKey === undefined ? undefined : this.storageOf(accessKey);
      // EC2 API Reference, "Error codes": AuthFailure, the credentials could not be validated.
      if (region === undefined || !storage)
        throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
      const action = params.get('Action') ?? '';
      this.requests.push({ region, account: storage.account, action });
      if (this.throttled > 0) {
        this.throttled -= 1;
        throw new Ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503);
      }
      // EC2 API Reference, "Error codes": NoSuchVersion, the API version does not exist.
      if (params.get('Version') !== API_VERSION)
        throw new Ec2Error('NoSuchVersion', `An invalid or unsupported API version was specified: ${params.get('Version') ?? ''}`);
      const provider = storage.region(region);
      switch (action) {
        case 'DescribeSnapshots':
          return Promise.resolve(ok(action, requestId, this.describeSnapshots(provider, params)));
        case 'CopySnapshot':
          return Promise.resolve(ok(action, requestId, this.copySnapshot(storage, provider, params)));
        case 'DeleteSnapshot':
          return Promise.resolve(ok(action, requestId, this.deleteSnapshot(provider, params)));
        case 'CreateTags':
          return Promise.resolve(ok(action, requestId, this.createTags(provider, params)));
        case 'ModifySnapshotAttribute':
          return Promise.resolve(ok(action, requestId, this.modifySnapshotAttribute(provider, params)));
        default:
          throw new Ec2Error('UnsupportedOperation', `The stand-in does not serve the action ${action}`);
      }
    } catch (error) {
      if (error instanceof Ec2Error) return Promise.resolve(failure(error, requestId));
      throw error;
    }
  };

  /**
   * EC2 API Reference, DescribeSnapshots. SnapshotId.N: only those snapshots; one that does not exist fails the request
   * with InvalidSnapshot.NotFound. Filter.N: `snapshot-id` and `tag:<key>`, each matching any of its values, all
   * filters together; what matches none is simply left out. Owner.N: the account's own (`self` or its id). MaxResults
   * (5 to 1000, not with SnapshotId.N) and NextToken page the answer; without MaxResults every match is answered.
   */
  private describeSnapshots(provider: SimulatedStorageProvider, params: URLSearchParams): string {
    only(params, 'DescribeSnapshots', [
      /^SnapshotId\.\d+$/,
      /^Filter\.\d+\.(Name|Value\.\d+)$/,
      /^Owner\.\d+$/,
      /^MaxResults$/,
      /^NextToken$/,
    ]);
    const ids = listOf(params, 'SnapshotId');
    const filters = filtersOf(params);
    const owners = listOf(params, 'Owner');
    const maxResults = params.get('MaxResults');
    for (const id of ids) if (!provider.has(id)) throw notFound(id);
    if (maxResults !== null && ids.length > 0)
      throw new Ec2Error('InvalidParameterCombination', 'The parameter snapshotSet cannot be used with the parameter maxResults');
    const limit = maxResults === null ? Number.POSITIVE_INFINITY : Number(maxResults);
    if (maxResults !== null && !(Number.isInteger(limit) && limit >= MIN_RESULTS && limit <= MAX_RESULTS))
      throw new Ec2Error(
        'InvalidParameterValue',
        `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${MIN_RESULTS} and ${MAX_RESULTS}.`,
      );
    const ownAccount = owners.length === 0 || owners.some((owner) => owner === 'self' || owner === provider.account);
    const matches = provider
      .handles()
      .filter((id) => ownAccount && (ids.length === 0 || ids.includes(id)))
      .filter((id) => filters.every((filter) => matchesFilter(provider, id, filter)));
    const token = params.get('NextToken');
    const start = token === null ? 0 : offsetOf(token, matches.length);
    const end = Math.min(matches.length, start + Math.min(limit, this.pageLimit));
    const items = matches.slice(start, end).map((id) => {
      const details = this.detailsOf(provider, id);
      return snapshotXml(provider, id, details, this.progressOf(details));
    });
    return `<snapshotSet>${items.join('')}</snapshotSet>${end < matches.length ? `<nextToken>${tokenOf(end)}</nextToken>` : ''}`;
  }

  /**
   * EC2 API Reference, CopySnapshot, called in the destination Region: the copy is `pending`, then `completed`
   * (here `copyDurationMs` of virtual time later), with the source's size and data. It is encrypted when the source
   * is ("Encrypted snapshots are encrypted, even if you omit this parameter"; Encrypted cannot be false), when
   * Encrypted is true or when the destination encrypts by default (Amazon EBS User Guide, "Encryption by default"),
   * under KmsKeyId (which needs Encrypted) or else the destination's default key. Tags come only from
   * TagSpecification.N, of ResourceType snapshot: the source's are not copied (Amazon EBS User Guide, "Copy an Amazon
   * EBS snapshot"). DestinationRegion and PresignedUrl, which the SDK adds, are accepted; a DestinationRegion other
   * than the request's is refused.
   */
  private copySnapshot(storage: SimulatedStorageRegions, destination: SimulatedStorageProvider, params: URLSearchParams): string {
    only(params, 'CopySnapshot', [
      /^SourceRegion$/,
      /^SourceSnapshotId$/,
      /^Description$/,
      /^Encrypted$/,
      /^KmsKeyId$/,
      /^DestinationRegion$/,
      /^PresignedUrl$/,
      /^TagSpecification\.\d+\.(ResourceType|Tag\.\d+\.(Key|Value))$/,
    ]);
    const sourceRegion = required(params, 'SourceRegion');
    const sourceId = required(params, 'SourceSnapshotId');
    const destinationRegion = params.get('DestinationRegion');
    if (destinationRegion !== null && destinationRegion !== destination.region)
      throw new Ec2Error(
        'InvalidParameterValue',
        `The destination region ${destinationRegion} is not the region of the request (${destination.region})`,
      );
    const encryptedParam = params.get('Encrypted');
    if (encryptedParam === 'false') throw new Ec2Error('InvalidParameterValue', 'The parameter Encrypted cannot be set to false');
    const kmsKeyId = params.get('KmsKeyId');
    if (kmsKeyId !== null && encryptedParam !== 'true')
      throw new Ec2Error('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
    const source = this.sourceOf(storage, sourceRegion, sourceId);
    const sourceSize = source.sizes.get(sourceId);
    const sourceDetails = source.has(sourceId) ? this.detailsOf(source, sourceId) : undefined;
    if (sourceSize === undefined || !sourceDetails) throw notFound(sourceId);
    const tags = tagSpecificationsOf(params);
    const encrypted = sourceDetails.encrypted || encryptedParam === 'true' || destination.volumeEncryption.encrypted;
    const now = this.options.now();
    this.copies += 1;
    const id = `snap-0c${this.copies.toString(16).padStart(15, '0')}`;
    const description = params.get('Description');
    destination.add(id, sourceSize, source.images.get(sourceId), {
      state: 'pending',
      startedAt: now,
      completesAt: now + this.copyDurationMs,
      volumeId: COPY_VOLUME_ID,
      ...(description !== null && { description }),
      tags,
      encrypted,
      ...(encrypted && { kmsKeyId: kmsKeyId ?? destination.volumeEncryption.kmsKeyId ?? destination.defaultKmsKeyId }),
    });
    return `<snapshotId>${id}</snapshotId>${tagSetXml(tags)}`;
  }

  /**
   * EC2 API Reference, ModifySnapshotAttribute: Attribute `createVolumePermission`, CreateVolumePermission.Add.N.UserId
   * or .Remove.N.UserId (not both in one call), on a snapshot of the caller's. "Snapshots encrypted with your default
   * KMS key cannot be shared with other accounts" (ibid.; Amazon EBS User Guide, "Share an Amazon EBS snapshot": only
   * snapshots encrypted with a customer managed key can be shared): refused as InvalidParameter. Removing an account
   * it is not shared with changes nothing.
   */
  private modifySnapshotAttribute(provider: SimulatedStorageProvider, params: URLSearchParams): string {
    only(params, 'ModifySnapshotAttribute', [/^SnapshotId$/, /^Attribute$/, /^CreateVolumePermission\.(Add|Remove)\.\d+\.UserId$/]);
    const id = required(params, 'SnapshotId');
    if (params.get('Attribute') !== 'createVolumePermission')
      throw new Ec2Error('UnsupportedOperation', `The stand-in models only the attribute createVolumePermission`);
    const add = userIdsOf(params, 'Add');
    const remove = userIdsOf(params, 'Remove');
    if (add.length > 0 && remove.length > 0)
      throw new Ec2Error('InvalidParameterCombination', 'You cannot both add and remove create volume permissions in one request');
    if (!provider.has(id)) throw notFound(id);
    const details = this.detailsOf(provider, id);
    if (add.length > 0 && details.encrypted && details.kmsKeyId === provider.defaultKmsKeyId)
      throw new Ec2Error('InvalidParameter', "Snapshots encrypted with the AWS Managed CMK can't be shared. Specify another snapshot.");
    const shared = new Set(details.sharedWith ?? []);
    for (const account of add) shared.add(account);
    for (const account of remove) shared.delete(account);
    provider.details.set(id, { ...details, sharedWith: [...shared].sort() });
    return '<return>true</return>';
  }

  /** The storage of the account an access key acts in, or undefined for a key of no account. */
  private storageOf(accessKey: string): SimulatedStorageRegions | undefined {
    const account = this.options.accountOf ? this.options.accountOf(accessKey) : this.options.regions.account;
    return [this.options.regions, ...(this.options.accounts ?? [])].find((storage) => storage.account === account);
  }

  /** Where a copy's source is for the caller: its own Region's provider, or another account's that shares it with the caller. */
  private sourceOf(storage: SimulatedStorageRegions, region: string, id: string): SimulatedStorageProvider {
    const own = storage.region(region);
    if (own.has(id)) return own;
    for (const other of [this.options.regions, ...(this.options.accounts ?? [])]) {
      if (other.account === storage.account) continue;
      const provider = other.region(region);
      if (provider.has(id) && (this.detailsOf(provider, id).sharedWith ?? []).includes(storage.account)) return provider;
    }
    return own;
  }

  /** EC2 API Reference, DeleteSnapshot: the snapshot goes, with its data; one that does not exist is InvalidSnapshot.NotFound. */
  private deleteSnapshot(provider: SimulatedStorageProvider, params: URLSearchParams): string {
    only(params, 'DeleteSnapshot', [/^SnapshotId$/]);
    const id = required(params, 'SnapshotId');
    if (!provider.has(id)) throw notFound(id);
    provider.remove(id);
    return '<return>true</return>';
  }

  /** EC2 API Reference, CreateTags: adds or overwrites each tag on each resource (here: snapshots only). */
  private createTags(provider: SimulatedStorageProvider, params: URLSearchParams): string {
    only(params, 'CreateTags', [/^ResourceId\.\d+$/, /^Tag\.\d+\.(Key|Value)$/]);
    const ids = listOf(params, 'ResourceId');
    if (ids.length === 0) throw new Ec2Error('MissingParameter', 'The request must contain the parameter resourceIdSet');
    const tags = tagsOf(params, 'Tag');
    for (const id of ids) {
      if (!id.startsWith('snap-')) throw new Ec2Error('UnsupportedOperation', `The stand-in tags only snapshots, not ${id}`);
      if (!provider.has(id)) throw notFound(id);
    }
    for (const id of ids) {
      const details = this.detailsOf(provider, id);
      provider.details.set(id, { ...details, tags: { ...details.tags, ...tags } });
    }
    return '<return>true</return>';
  }

  /** A snapshot's details as of now: a pending copy whose time has come is completed. */
  private detailsOf(provider: SimulatedStorageProvider, id: string): SimulatedSnapshotDetails {
    const details = provider.details.get(id);
    if (!details) throw new Error(`the simulated provider of ${provider.region} has snapshot ${id} without its details`);
    if (details.state !== 'pending' || details.completesAt === undefined || this.options.now() < details.completesAt) return details;
    const completed = { ...details, state: 'completed' as const };
    provider.details.set(id, completed);
    return completed;
  }

  private nextRequestId(): string {
    this.requestIds += 1;
    return `00000000-0000-4000-8000-${this.requestIds.toString(16).padStart(12, '0')}`;
  }

  /** Progress as EC2 gives it (`"40%"`): a pending copy by its elapsed time, a cut snapshot not before it is completed. */
  private progressOf(details: SimulatedSnapshotDetails): string {
    if (details.state === 'completed') return '100%';
    if (details.completesAt === undefined) return '0%';
    const fraction = (this.options.now() - details.startedAt) / (details.completesAt - details.startedAt);
    return `${Math.max(0, Math.min(99, Math.floor(fraction * 100)))}%`;
  }
}

type Filter = { name: string; values: string[] };

/** The UserId of each `CreateVolumePermission.<Add|Remove>.N` (EC2 API Reference, CreateVolumePermissionModifications). */
function userIdsOf(params: URLSearchParams, operation: 'Add' | 'Remove'): string[] {
  const pattern = new RegExp(`^CreateVolumePermission\\.${operation}\\.\\d+\\.UserId$`);
  return [...params.entries()].filter(([key]) => pattern.test(key)).map(([, value]) => value);
}

/** A parameter name as a regular expression that matches it literally. */
const literal = (name: string) => name.replaceAll('.', '\\.');

/** Refuses any parameter the action's model does not know (Action and Version are every request's). */
function only(params: URLSearchParams, action: string, known: readonly RegExp[]): void {
  for (const name of params.keys())
    if (name !== 'Action' && name !== 'Version' && !known.some((pattern) => pattern.test(name)))
      throw new Ec2Error('UnsupportedOperation', `The stand-in does not model the parameter ${name} of ${action}`);
}

/** EC2 API Reference, "Error codes": MissingParameter, a required parameter is absent. */
function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
  return value;
}

/** The values of a list parameter `Name.1`, `Name.2`, ... in index order (EC2 API Reference, "Query parameters"). */
function listOf(params: URLSearchParams, name: string): string[] {
  const pattern = new RegExp(`^${literal(name)}\\.(\\d+)$`);
  return [...params.entries()]
    .flatMap(([key, value]) => {
      const index = pattern.exec(key)?.[1];
      return index === undefined ? [] : [{ index: Number(index), value }];
    })
    .sort((a, b) => a.index - b.index)
    .map(({ value }) => value);
}

function filtersOf(params: URLSearchParams): Filter[] {
  const filters = new Map<number, Filter>();
  for (const [key, value] of params.entries()) {
    const match = /^Filter\.(\d+)\.Name$/.exec(key);
    if (match) filters.set(Number(match[1]), { name: value, values: listOf(params, `Filter.${match[1]}.Value`) });
  }
  return [...filters.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, filter]) => {
      if (filter.values.length > MAX_FILTER_VALUES)
        throw new Ec2Error('FilterLimitExceeded', `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`);
      if (filter.name !== 'snapshot-id' && !filter.name.startsWith('tag:'))
        throw new Ec2Error('UnsupportedOperation', `The stand-in does not model the filter ${filter.name}`);
      // EC2 API Reference, Filter: values may hold the wildcards * and ?; not modelled.
      if (filter.values.some((value) => /[*?]/.test(value)))
        throw new Ec2Error('UnsupportedOperation', `The stand-in does not model wildcards in the values of the filter ${filter.name}`);
      return filter;
    });
}

function matchesFilter(provider: SimulatedStorageProvider, id: string, filter: Filter): boolean {
  if (filter.name === 'snapshot-id') return filter.values.includes(id);
  const value = provider.details.get(id)?.tags[filter.name.slice('tag:'.length)];
  return value !== undefined && filter.values.includes(value);
}

/** Tags of `Prefix.N.Key` / `Prefix.N.Value` (EC2 API Reference, Tag). */
function tagsOf(params: URLSearchParams, prefix: string): Record<string, string> {
  const tags: Record<string, string> = {};
  const pattern = new RegExp(`^${literal(prefix)}\\.(\\d+)\\.Key$`);
  for (const [key, value] of params.entries()) {
    const index = pattern.exec(key)?.[1];
    if (index !== undefined) tags[value] = params.get(`${prefix}.${index}.Value`) ?? '';
  }
  return tags;
}

/** EC2 API Reference, TagSpecification: tags applied on creation; for CopySnapshot the ResourceType must be snapshot. */
function tagSpecificationsOf(params: URLSearchParams): Record<string, string> {
  let tags: Record<string, string> = {};
  for (const [key, value] of params.entries()) {
    const index = /^TagSpecification\.(\d+)\.ResourceType$/.exec(key)?.[1];
    if (index === undefined) continue;
    if (value !== 'snapshot')
      throw new Ec2Error('InvalidParameterValue', `'${value}' is not a valid taggable resource type for this operation.`);
    tags = { ...tags, ...tagsOf(params, `TagSpecification.${index}.Tag`) };
  }
  return tags;
}

/** EC2 API Reference, "Error codes": InvalidSnapshot.NotFound, "The specified snapshot does not exist." */
const notFound = (id: string) => new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);

const tokenOf = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');

/** EC2 API Reference, "Error codes": InvalidPaginationToken, "The specified pagination token is not valid or is expired." */
function offsetOf(token: string, matches: number): number {
  let offset: unknown;
  try {
    offset = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown }).offset;
  } catch {
    offset = undefined;
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > matches)
    throw new Ec2Error('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
  return offset;
}

/** EC2 API Reference, Snapshot: the response elements of one snapshot (`item` of `snapshotSet`). */
function snapshotXml(provider: SimulatedStorageProvider, id: string, details: SimulatedSnapshotDetails, progress: string): string {
  return [
    '<item>',
    `<snapshotId>${id}</snapshotId>`,
    `<volumeId>${xml(details.volumeId)}</volumeId>`,
    `<status>${details.state}</status>`,
    `<startTime>${new Date(details.startedAt).toISOString()}</startTime>`,
    `<progress>${progress}</progress>`,
    `<ownerId>${provider.account}</ownerId>`,
    `<volumeSize>${Math.ceil((provider.sizes.get(id) ?? 0) / GIB)}</volumeSize>`,
    details.description === undefined ? '' : `<description>${xml(details.description)}</description>`,
    `<encrypted>${details.encrypted}</encrypted>`,
    details.kmsKeyId === undefined ? '' : `<kmsKeyId>${xml(details.kmsKeyId)}</kmsKeyId>`,
    tagSetXml(details.tags),
    '<storageTier>standard</storageTier>',
    '</item>',
  ].join('');
}

function tagSetXml(tags: Readonly<Record<string, string>>): string {
  const items = Object.entries(tags).map(([key, value]) => `<item><key>${xml(key)}</key><value>${xml(value)}</value></item>`);
  return items.length === 0 ? '' : `<tagSet>${items.join('')}</tagSet>`;
}

const xml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');

const XML_HEADERS = { 'Content-Type': 'text/xml;charset=UTF-8' };

function ok(action: string, requestId: string, body: string): StandInResponse {
  return {
    status: 200,
    headers: XML_HEADERS,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACE}"><requestId>${requestId}</requestId>${body}</${action}Response>`,
  };
}

function failure(error: Ec2Error, requestId: string): StandInResponse {
  return {
    status: error.status,
    headers: XML_HEADERS,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${error.code}</Code><Message>${xml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  };
}
