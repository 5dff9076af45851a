import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { EKS_TOKEN_PREFIX, EksTokenProvider } from '../../lambdas/adapters/eks-token';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+with=odd&chars',
};
const signedAt = new Date('2026-11-25T05:06:07Z');

function decode(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** SigV4 query signing written out from the AWS specification, independent of the SDK. */
function expectedSignature(url: URL, clusterName: string, secretAccessKey = credentials.secretAccessKey, region = 'eu-west-1'): string {
  const params = [...url.searchParams.entries()].filter(([key]) => key !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalHeaders = `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`;
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    canonicalHeaders,
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const scope = `${amzDate.slice(0, 8)}/${region}/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, amzDate.slice(0, 8));
  for (const part of [region, 'sts', 'aws4_request']) key = hmac(key, part);
  return hmac(key, stringToSign).toString('hex');
}

/** The provider for cluster prod-eks in eu-west-1, signing with `credentials` at `signedAt` unless told otherwise. */
function prodProvider(overrides: Partial<ConstructorParameters<typeof EksTokenProvider>[0]> = {}): EksTokenProvider {
  return new EksTokenProvider({
    region: 'eu-west-1',
    clusterName: 'prod-eks',
    credentials: async () => credentials,
    now: () => signedAt,
    ...overrides,
  });
}

describe('EKS bearer tokens', () => {
  test('are a presigned STS GetCallerIdentity URL exactly as aws-iam-authenticator makes it', async () => {
    const provider = prodProvider();
    const url = decode(await provider.token());
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20261125/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20261125T050607Z',
      'X-Amz-Expires': '60',
      'X-Amz-Security-Token': credentials.sessionToken,
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
      'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, 'prod-eks'));
  });

  test('verify for any cluster, region, credentials and signing time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/),
        fc.constantFrom('eu-west-1', 'us-east-1', 'ap-southeast-4', 'eu-central-2'),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }),
        async (clusterName, region, secretAccessKey, now) => {
          const provider = new EksTokenProvider({
            region,
            clusterName,
            credentials: async () => ({ ...credentials, secretAccessKey }),
            now: () => now,
          });
          const url = decode(await provider.token());
          expect(url.host).toBe(`sts.${region}.amazonaws.com`);
          expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, clusterName, secretAccessKey, region));
        },
      ),
      { numRuns: 50 },
    );
  });

  test.each([
    ['cn-north-1', 'sts.cn-north-1.amazonaws.com.cn'],
    ['cn-northwest-1', 'sts.cn-northwest-1.amazonaws.com.cn'],
    ['us-gov-west-1', 'sts.us-gov-west-1.amazonaws.com'],
    ['us-gov-east-1', 'sts.us-gov-east-1.amazonaws.com'],
    ['us-iso-east-1', 'sts.us-iso-east-1.c2s.ic.gov'],
  ])("in %s are signed for the partition's STS host %s", async (region, host) => {
    const url = decode(await prodProvider({ region }).token());
    expect(url.host).toBe(host);
    expect(url.searchParams.get('X-Amz-Credential')).toBe(`AKIDEXAMPLE/20261125/${region}/sts/aws4_request`);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, 'prod-eks', credentials.secretAccessKey, region));
  });

  test('sign the cluster name: a token for one cluster does not verify for another', async () => {
    const provider = prodProvider();
    const url = decode(await provider.token());
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(expectedSignature(url, 'other-eks'));
  });

  test('are reused for 14 minutes, then signed again', async () => {
    let now = signedAt;
    let fetches = 0;
    const provider = prodProvider({
      credentials: async () => {
        fetches += 1;
        return credentials;
      },
      now: () => now,
    });
    const first = await provider.token();
    now = new Date(signedAt.getTime() + 14 * 60_000 - 1);
    expect(await provider.token()).toBe(first);
    now = new Date(signedAt.getTime() + 14 * 60_000);
    const second = await provider.token();
    expect(second).not.toBe(first);
    expect(decode(second).searchParams.get('X-Amz-Date')).toBe('20261125T052007Z');
    expect(fetches).toBe(2);
  });

  test('are renewed a minute before expiring credentials expire', async () => {
    let now = signedAt;
    const expiring = { ...credentials, expiration: new Date(signedAt.getTime() + 5 * 60_000) };
    const provider = prodProvider({ credentials: async () => expiring, now: () => now });
    const first = await provider.token();
    now = new Date(signedAt.getTime() + 4 * 60_000);
    expect(await provider.token()).not.toBe(first);
  });

  test('are signed afresh after invalidate (a 401)', async () => {
    let now = signedAt;
    const provider = prodProvider({ now: () => now });
    const first = await provider.token();
    now = new Date(signedAt.getTime() + 1000);
    provider.invalidate();
    expect(await provider.token()).not.toBe(first);
  });
});
