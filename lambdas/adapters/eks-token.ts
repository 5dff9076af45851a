import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { formatUrl } from '@aws-sdk/util-format-url';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { partition } from '@aws-sdk/core/client';

/**
 * EKS bearer tokens, made as aws-iam-authenticator and `aws eks get-token` make them: a presigned STS
 * GetCallerIdentity URL on the regional endpoint of the region's partition (`sts.cn-north-1.amazonaws.com.cn` in
 * aws-cn, `sts.us-gov-west-1.amazonaws.com` in aws-us-gov, from the SDK's partition table), with `host` and `x-k8s-aws-id: <cluster>` signed and
 * `X-Amz-Expires=60`, as `k8s-aws-v1.` + base64url without padding. Presigning is local: no network call, no IAM
 * permission. EKS accepts a token for 15 minutes after signing; it is renewed after 14.
 */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
export const TOKEN_RENEW_AFTER_MS = 14 * 60_000;
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';

export interface EksTokenProviderOptions {
  region: string;
  clusterName: string;
  /** Default: the Node.js provider chain (in Lambda, the execution role's credentials from the environment). */
  credentials?: AwsCredentialIdentityProvider;
  now?: () => Date;
}

export class EksTokenProvider {
  private cached: { token: string; renewAt: number } | undefined;
  private readonly now: () => Date;
  private readonly credentials: AwsCredentialIdentityProvider;

  constructor(private readonly options: EksTokenProviderOptions) {
    this.now = options.now ?? (() => new Date());
    this.credentials = options.credentials ?? defaultProvider();
  }

  async token(): Promise<string> {
    const now = this.now();
    if (this.cached && now.getTime() < this.cached.renewAt) return this.cached.token;
    const credentials = await this.credentials();
    const token = await this.sign(now, credentials);
    this.cached = { token, renewAt: renewalTime(now, credentials) };
    return token;
  }

  /** Drops the cached token; the next request signs a fresh one (after a 401). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async sign(now: Date, credentials: AwsCredentialIdentity): Promise<string> {
    const hostname = stsHostname(this.options.region);
    const request = new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      // SignatureV4.presign signs only the headers on the request: host must be listed explicitly.
      headers: { host: hostname, [CLUSTER_ID_HEADER]: this.options.clusterName },
    });
    const signer = new SignatureV4({ service: 'sts', region: this.options.region, credentials, sha256: Hash.bind(null, 'sha256') });
    const presigned = await signer.presign(request, { expiresIn: 60, signingDate: now });
    return EKS_TOKEN_PREFIX + Buffer.from(formatUrl(presigned)).toString('base64url');
  }
}

/** The regional STS endpoint: its DNS suffix follows the partition the region belongs to. */
export function stsHostname(region: string): string {
  return `sts.${region}.${partition(region).dnsSuffix}`;
}

/** 14 minutes after signing, or a minute before the credentials expire if that comes first. */
function renewalTime(signedAt: Date, credentials: AwsCredentialIdentity): number {
  const renewAt = signedAt.getTime() + TOKEN_RENEW_AFTER_MS;
  return credentials.expiration ? Math.min(renewAt, credentials.expiration.getTime() - 60_000) : renewAt;
}
