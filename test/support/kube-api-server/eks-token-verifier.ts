import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies EKS IAM bearer tokens as the EKS authenticator does, except that the signature is checked here against
 * the principal's known secret instead of by calling STS: prefix, base64url, STS host of the region, only the
 * allowed query keys, X-Amz-Expires within 0..900, host and x-k8s-aws-id signed, the cluster name in the signature,
 * and a signing time within 15 minutes of the (virtual) clock.
 */

export interface TokenPrincipal {
  accessKeyId: string;
  secretAccessKey: string;
  username: string;
  groups: string[];
}

export type TokenVerdict = { ok: true; principal: TokenPrincipal; signedAt: Date } | { ok: false; reason: string };

const PREFIX = 'k8s-aws-v1.';
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
const TOKEN_LIFETIME_MS = 15 * 60_000;
const MAX_FUTURE_MS = 5 * 60_000;

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return match ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : undefined;
}

export class EksTokenVerifier {
  constructor(
    private readonly options: { clusterName: string; region: string; principals: readonly TokenPrincipal[]; now: () => Date },
  ) {}

  verify(bearer: string): TokenVerdict {
    if (!bearer.startsWith(PREFIX)) return { ok: false, reason: 'not an EKS token (prefix)' };
    const encoded = bearer.slice(PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return { ok: false, reason: 'not base64url without padding' };
    let url: URL;
    try {
      url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'not a URL' };
    }
    const host = `sts.${this.options.region}.amazonaws.com`;
    if (url.protocol !== 'https:' || url.host !== host || url.pathname !== '/') return { ok: false, reason: `not https://${host}/` };
    const keys = [...url.searchParams.keys()];
    if (keys.some((key) => !ALLOWED_KEYS.has(key))) return { ok: false, reason: 'unexpected query parameter' };
    if (new Set(keys).size !== keys.length) return { ok: false, reason: 'duplicate query parameter' };
    const query = Object.fromEntries(url.searchParams);
    if (query.Action !== 'GetCallerIdentity' || query.Version !== '2011-06-15') return { ok: false, reason: 'not GetCallerIdentity' };
    const expires = Number(query['X-Amz-Expires']);
    if (!Number.isInteger(expires) || expires < 0 || expires > 900) return { ok: false, reason: 'X-Amz-Expires missing or out of 0..900' };
    const signedHeaders = (query['X-Amz-SignedHeaders'] ?? '').split(';');
    if (!signedHeaders.includes('host')) return { ok: false, reason: 'host not signed' };
    if (!signedHeaders.includes('x-k8s-aws-id')) return { ok: false, reason: 'client did not sign the x-k8s-aws-id header' };
    if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256' || !query['X-Amz-Signature']) return { ok: false, reason: 'no AWS4-HMAC-SHA256 signature' };
    const [accessKeyId, day, region, service, terminator] = (query['X-Amz-Credential'] ?? '').split('/');
    if (region !== this.options.region || service !== 'sts' || terminator !== 'aws4_request') return { ok: false, reason: 'credential scope' };
    const principal = this.options.principals.find((p) => p.accessKeyId === accessKeyId);
    if (!principal) return { ok: false, reason: 'unknown access key (no access entry)' };
    const signedAt = parseAmzDate(query['X-Amz-Date'] ?? '');
    if (!signedAt || day !== query['X-Amz-Date']!.slice(0, 8)) return { ok: false, reason: 'X-Amz-Date' };
    const now = this.options.now().getTime();
    if (now > signedAt.getTime() + TOKEN_LIFETIME_MS) return { ok: false, reason: 'X-Amz-Date parameter is expired' };
    if (signedAt.getTime() > now + MAX_FUTURE_MS) return { ok: false, reason: 'X-Amz-Date is in the future' };
    const expected = this.signature(url, signedHeaders, principal.secretAccessKey);
    const actual = Buffer.from(query['X-Amz-Signature']!, 'hex');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'signature does not match (wrong cluster, key or parameters)' };
    return { ok: true, principal, signedAt };
  }

  private signature(url: URL, signedHeaders: string[], secret: string): Buffer {
    const canonicalQuery = [...url.searchParams.entries()]
      .filter(([key]) => key !== 'X-Amz-Signature')
      .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
    const headerValues: Record<string, string> = { host: url.host, 'x-k8s-aws-id': this.options.clusterName };
    const canonicalHeaders = signedHeaders.map((name) => `${name}:${headerValues[name] ?? ''}\n`).join('');
    const canonicalRequest = ['GET', '/', canonicalQuery, canonicalHeaders, signedHeaders.join(';'), createHash('sha256').update('').digest('hex')].join('\n');
    const amzDate = url.searchParams.get('X-Amz-Date')!;
    const scope = `${amzDate.slice(0, 8)}/${this.options.region}/sts/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    let key = hmac(`AWS4${secret}`, amzDate.slice(0, 8));
    for (const part of [this.options.region, 'sts', 'aws4_request']) key = hmac(key, part);
    return hmac(key, stringToSign);
  }
}
