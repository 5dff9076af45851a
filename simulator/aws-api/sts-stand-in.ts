import type { StandInRequest, StandInResponse } from './http-stand-in';

/** STS API Reference, "Making Query requests": the API version of every request, and its XML namespace. */
const API_VERSION = '2011-06-15';
const NAMESPACE = `https://sts.amazonaws.com/doc/${API_VERSION}/`;
/** STS API Reference, AssumeRole: DurationSeconds defaults to one hour. */
const DEFAULT_DURATION_SECONDS = 3600;
/** SigV4's credential scope names the access key first (AWS General Reference, "Signature Version 4"). */
const ACCESS_KEY = /Credential=([^/]+)\//;
/** IAM User Guide, "IAM identifiers": `arn:<partition>:iam::<account>:role/<path><name>`. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.+\/)?([^/]+)$/;

/** A role of an account, and the accounts its trust policy lets assume it (IAM User Guide, "Role trust policies"). */
export interface StandInRole {
  arn: string;
  trustedAccounts: readonly string[];
}

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * STS AssumeRole in the Query protocol (STS API Reference, AssumeRole: POST form-encoded `Action=AssumeRole&
 * Version=2011-06-15&RoleArn=...&RoleSessionName=...`; the answer's AssumeRoleResult holds Credentials (AccessKeyId,
 * SecretAccessKey, SessionToken, Expiration) and AssumedRoleUser (Arn, AssumedRoleId)). A caller is known by the
 * access key of its signature: the role's trust policy must name the caller's account, or the answer is AccessDenied
 * (403, IAM User Guide, "Troubleshooting IAM roles": "not authorized to perform: sts:AssumeRole"). The credentials it
 * issues belong to the role's account, which is what the EC2 stand-in asks `accountOf` about.
 */
export class StsStandIn {
  /** Every AssumeRole answered, in order: the role and the caller's account. */
  readonly assumed: Array<{ roleArn: string; callerAccount: string }> = [];
  private readonly issued = new Map<string, string>();
  private keys = 0;

  constructor(
    private readonly options: {
      roles: readonly StandInRole[];
      /** The account of a caller's long-term access key (the functions' own), undefined for an unknown key. */
      accountOfKey: (accessKeyId: string) => string | undefined;
      /** The virtual clock (epoch ms) the credentials expire by. */
      now: () => number;
    },
  ) {}

  /** The account an access key acts in: a key this stand-in issued is its role's account's. */
  accountOf(accessKeyId: string): string | undefined {
    return this.issued.get(accessKeyId) ?? this.options.accountOfKey(accessKeyId);
  }

  handle = (request: StandInRequest): Promise<StandInResponse> => {
    const requestId = `00000000-0000-4000-8000-${(this.keys + 1).toString(16).padStart(12, '0')}`;
    try {
      const params = new URLSearchParams(request.body);
      const accessKey = ACCESS_KEY.exec(request.headers.authorization ?? '')?.[1];
      const caller = accessKey === undefined ? undefined : this.accountOf(accessKey);
      // STS API Reference, "Common errors": InvalidClientTokenId, the access key does not exist in AWS's records.
      if (caller === undefined) throw new StsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      if (params.get('Action') !== 'AssumeRole')
        throw new StsError('InvalidAction', `The stand-in does not serve the action ${params.get('Action') ?? ''}`);
      if (params.get('Version') !== API_VERSION)
        throw new StsError('InvalidParameterValue', `Unsupported API version ${params.get('Version') ?? ''}`);
      return Promise.resolve(this.assumeRole(params, caller, requestId));
    } catch (error) {
      if (error instanceof StsError) return Promise.resolve(failure(error, requestId));
      throw error;
    }
  };

  private assumeRole(params: URLSearchParams, caller: string, requestId: string): StandInResponse {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    // STS API Reference, AssumeRole: RoleSessionName is required, 2 to 64 characters of [\w+=,.@-].
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
      throw new StsError('ValidationError', `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
    const role = this.options.roles.find((r) => r.arn === roleArn);
    const match = ROLE_ARN.exec(roleArn);
    if (!role || !match || !role.trustedAccounts.includes(caller))
      throw new StsError(
        'AccessDenied',
        `User: arn:aws:iam::${caller}:root is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    this.keys += 1;
    const accessKeyId = `ASIASTANDIN${this.keys.toString().padStart(9, '0')}`;
    this.issued.set(accessKeyId, match[1]!);
    this.assumed.push({ roleArn, callerAccount: caller });
    const duration = Number(params.get('DurationSeconds') ?? DEFAULT_DURATION_SECONDS);
    const expiration = new Date(this.options.now() + duration * 1000).toISOString();
    const roleId = `AROASTANDIN${match[1]!}`;
    return {
      status: 200,
      headers: { 'Content-Type': 'text/xml' },
      body: [
        `<AssumeRoleResponse xmlns="${NAMESPACE}"><AssumeRoleResult>`,
        `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>stand-in-assumed-secret-${this.keys}</SecretAccessKey>`,
        `<SessionToken>stand-in-session-token-${this.keys}</SessionToken><Expiration>${expiration}</Expiration></Credentials>`,
        `<AssumedRoleUser><Arn>arn:aws:sts::${match[1]!}:assumed-role/${match[2]!}/${sessionName}</Arn>`,
        `<AssumedRoleId>${roleId}:${sessionName}</AssumedRoleId></AssumedRoleUser>`,
        `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      ].join(''),
    };
  }
}

/** STS API Reference, "Common errors": `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
function failure(error: StsError, requestId: string): StandInResponse {
  const message = error.message.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return {
    status: error.status,
    headers: { 'Content-Type': 'text/xml' },
    body: `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
