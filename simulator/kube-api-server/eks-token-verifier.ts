import { timingSafeEqual } from 'node:crypto';
import { EKS_TOKEN_PREFIX, presignGetCallerIdentity } from './get-caller-identity-url';

/**
 * Verifies EKS IAM bearer tokens as aws-iam-authenticator does (pkg/token/token.go), except that instead of calling
 * STS the signature is computed again with the principal's known secret: prefix, base64url, the region's STS host,
 * only the allowed query keys and no duplicates, X-Amz-Expires within 0..900, host and x-k8s-aws-id signed, the
 * cluster name inside the signature, and a signing time within 15 minutes of the (virtual) clock.
 */

export interface TokenPrincipal {
  accessKeyId: string;
  secretAccessKey: string;
  username: string;
  groups: string[];
}

export type TokenVerdict = { ok: true; principal: TokenPrincipal; signedAt: Date } | { ok: false; reason: string };

const ALLOWED_KEYS = new Set([
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
  'X-Amz-SignedHeaders',
]);
const MAX_TOKEN_BYTES = 4096;
const TOKEN_LIFETIME_MS = 15 * 60_000;
const MAX_FUTURE_MS = 5 * 60_000;

function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : undefined;
}

const refuse = (reason: string): TokenVerdict => ({ ok: false, reason });

export interface EksTokenVerifierOptions {
  clusterName: string;
  region: string;
  principals: readonly TokenPrincipal[];
  now: () => Date;
}

export class EksTokenVerifier {
  constructor(private readonly options: EksTokenVerifierOptions) {}

  async verify(bearer: string): Promise<TokenVerdict> {
    if (bearer.length > MAX_TOKEN_BYTES) return refuse('token is too large');
    if (!bearer.startsWith(EKS_TOKEN_PREFIX)) return refuse('not an EKS token (prefix)');
    const encoded = bearer.slice(EKS_TOKEN_PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return refuse('not base64url without padding');
    let url: URL;
    try {
      url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
    } catch {
      return refuse('not a URL');
    }
    const host = `sts.${this.options.region}.amazonaws.com`;
    if (url.protocol !== 'https:' || url.host !== host || url.pathname !== '/') return refuse(`not https://${host}/`);
    const keys = [...url.searchParams.keys()];
    if (keys.some((key) => !ALLOWED_KEYS.has(key))) return refuse('unexpected query parameter');
    if (new Set(keys).size !== keys.length) return refuse('duplicate query parameter');
    const query = Object.fromEntries(url.searchParams);
    if (query.Action !== 'GetCallerIdentity' || query.Version !== '2011-06-15') return refuse('not GetCallerIdentity');
    const expiresText = query['X-Amz-Expires'] ?? '';
    const expires = Number(expiresText);
    if (!/^\d+$/.test(expiresText) || expires > 900) return refuse('X-Amz-Expires missing or out of 0..900');
    const signedHeaders = (query['X-Amz-SignedHeaders'] ?? '').split(';');
    if (!signedHeaders.includes('host')) return refuse('host not signed');
    if (!signedHeaders.includes('x-k8s-aws-id')) return refuse('client did not sign the x-k8s-aws-id header');
    if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256' || !/^[0-9a-f]{64}$/.test(query['X-Amz-Signature'] ?? ''))
      return refuse('no AWS4-HMAC-SHA256 signature');
    const [accessKeyId, day, region, service, terminator] = (query['X-Amz-Credential'] ?? '').split('/');
    if (region !== this.options.region || service !== 'sts' || terminator !== 'aws4_request') return refuse('credential scope');
    const principal = this.options.principals.find((p) => p.accessKeyId === accessKeyId);
    if (!principal) return refuse('unknown access key (no access entry)');
    const signedAt = parseAmzDate(query['X-Amz-Date'] ?? '');
    if (!signedAt || day !== query['X-Amz-Date']!.slice(0, 8)) return refuse('X-Amz-Date');
    const now = this.options.now().getTime();
    if (now > signedAt.getTime() + TOKEN_LIFETIME_MS) return refuse('X-Amz-Date parameter is expired');
    if (signedAt.getTime() > now + MAX_FUTURE_MS) return refuse('X-Amz-Date is in the future');
    // The cluster name is not in the URL: signing again with ours only matches a token made for this cluster.
    const expected = new URL(
      await presignGetCallerIdentity({
        region: this.options.region,
        clusterName: this.options.clusterName,
        credentials: {
          accessKeyId: principal.accessKeyId,
          secretAccessKey: principal.secretAccessKey,
          ...(query['X-Amz-Security-Token'] !== undefined && { sessionToken: query['X-Amz-Security-Token'] }),
        },
        signedAt,
        expiresInSeconds: expires,
      }),
    ).searchParams;
    const actualSignature = Buffer.from(query['X-Amz-Signature']!, 'hex');
    const expectedSignature = Buffer.from(expected.get('X-Amz-Signature') ?? '', 'hex');
    if (expected.get('X-Amz-SignedHeaders') !== query['X-Amz-SignedHeaders'] || !timingSafeEqual(actualSignature, expectedSignature))
      return refuse('signature does not match (wrong cluster, key or parameters)');
    return { ok: true, principal, signedAt };
  }
}
