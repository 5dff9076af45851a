import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { EksTokenProvider } from '../../lambdas/adapters/eks-token';
import { createServerCertificates } from '../../simulator/kube-api-server/certificate-authority';
import { issueTestToken } from '../../simulator/kube-api-server/fixtures';
import type { TestPrincipal } from '../../simulator/kube-api-server';
import { apiFailure, rawRequest, CNPG, EKS_CLUSTER, NAMESPACE, REGION, SCHEDULER, startHarness, type Harness } from './api-harness';

const PREFIX = 'k8s-aws-v1.';

// One server for the file: every token is signed at the clock's current time, so tests that move the clock or revoke
// tokens do not disturb the others.
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const listBackups = (token: string) =>
  harness.withToken(token).custom.listNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups' });

function token(options: { principal?: TestPrincipal; clusterName?: string; region?: string; signedAt?: Date } = {}): Promise<string> {
  return issueTestToken({
    principal: options.principal ?? SCHEDULER,
    clusterName: options.clusterName ?? EKS_CLUSTER,
    region: options.region ?? REGION,
    signedAt: options.signedAt ?? harness.clock.now(),
  });
}

/** Decodes a token, lets `change` edit its presigned URL, and encodes it again. */
async function tampered(change: (url: URL) => void): Promise<string> {
  const url = new URL(Buffer.from((await token()).slice(PREFIX.length), 'base64url').toString('utf8'));
  change(url);
  return PREFIX + Buffer.from(url.toString()).toString('base64url');
}

async function expectUnauthorized(bearer: string): Promise<void> {
  expect((await apiFailure(listBackups(bearer))).code).toBe(401);
  const raw = await rawRequest(harness.server, {
    method: 'GET',
    path: `/apis/postgresql.cnpg.io/v1/namespaces/${NAMESPACE}/backups`,
    token: bearer,
  });
  expect(raw).toMatchObject({
    status: 401,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 },
  });
}

describe('EKS token authentication', () => {
  test('a token presigned for this cluster, region and a known access key is accepted as its principal', async () => {
    const list: unknown = await listBackups(await token());
    expect(list).toMatchObject({ kind: 'BackupList', items: [] });
    expect(harness.server.requests.at(-1)).toMatchObject({ verb: 'list', resource: 'backups', status: 200, username: SCHEDULER.username });
  });

  test('a token from the production token provider is accepted too', async () => {
    const provider = new EksTokenProvider({
      region: REGION,
      clusterName: EKS_CLUSTER,
      credentials: async () => ({
        accessKeyId: SCHEDULER.accessKeyId,
        secretAccessKey: SCHEDULER.secretAccessKey,
        sessionToken: 'session+token/=',
      }),
      now: () => harness.clock.now(),
    });
    await expect(listBackups(await provider.token())).resolves.toMatchObject({ kind: 'BackupList' });
  });

  test('a request without a bearer token is refused with a 401 Status', async () => {
    await expectUnauthorized('');
  });

  test.each([
    ['a token without the k8s-aws-v1. prefix', async () => (await token()).slice(PREFIX.length)],
    ['a token that is not base64url', async () => `${PREFIX}not base64!`],
    ['a token with base64 padding', async () => `${await token()}==`],
    ['a token that does not decode to a URL', async () => PREFIX + Buffer.from('hello').toString('base64url')],
    ['a token for another EKS cluster', () => token({ clusterName: 'other-eks' })],
    ['a token scoped to another region', () => token({ region: 'us-east-1' })],
    [
      'a token for an access key without an access entry',
      () => token({ principal: { ...SCHEDULER, accessKeyId: 'AKIAUNKNOWN000000000' } }),
    ],
    ['a token signed with the wrong secret', () => token({ principal: { ...SCHEDULER, secretAccessKey: 'not-the-secret' } })],
    [
      'a token whose signature was altered',
      () =>
        tampered((url) =>
          url.searchParams.set(
            'X-Amz-Signature',
            url.searchParams.get('X-Amz-Signature')!.replace(/^./, (c) => (c === '0' ? '1' : '0')),
          ),
        ),
    ],
    ['a token for another host', () => tampered((url) => (url.hostname = 'sts.amazonaws.com'))],
    ['a token over plain http', () => tampered((url) => (url.protocol = 'http:'))],
    ['a token with another path', () => tampered((url) => (url.pathname = '/other'))],
    ['a token with a query key outside the allow list', () => tampered((url) => url.searchParams.append('X-Amz-Extra', '1'))],
    ['a token with a duplicated query key', () => tampered((url) => url.searchParams.append('Action', 'GetCallerIdentity'))],
    ['a token with X-Amz-Expires above 900', () => tampered((url) => url.searchParams.set('X-Amz-Expires', '901'))],
    ['a token without X-Amz-Expires', () => tampered((url) => url.searchParams.delete('X-Amz-Expires'))],
    ['a token that did not sign x-k8s-aws-id', () => tampered((url) => url.searchParams.set('X-Amz-SignedHeaders', 'host'))],
    ['a token that did not sign host', () => tampered((url) => url.searchParams.set('X-Amz-SignedHeaders', 'x-k8s-aws-id'))],
    ['a token for another STS action', () => tampered((url) => url.searchParams.set('Action', 'AssumeRole'))],
  ])('%s is refused with a 401 Status', async (_case, make) => {
    await expectUnauthorized(await make());
  });

  test('a token stays valid for 15 minutes after signing, then is refused', async () => {
    const bearer = await token();
    harness.clock.advance(15 * 60_000);
    await expect(listBackups(bearer)).resolves.toMatchObject({ kind: 'BackupList' });
    harness.clock.advance(1000);
    await expectUnauthorized(bearer);
  });

  test('a token signed more than 5 minutes in the future is refused', async () => {
    await expectUnauthorized(await token({ signedAt: new Date(harness.clock.nowMs() + 5 * 60_000 + 1000) }));
  });

  test('revoking tokens mid-run refuses those signed before the cut and accepts fresh ones', async () => {
    const early = await token();
    await expect(listBackups(early)).resolves.toMatchObject({ kind: 'BackupList' });
    harness.clock.advance(60_000);
    harness.server.revokeTokensIssuedBefore(harness.clock.now());
    await expectUnauthorized(early);
    await expect(listBackups(await token())).resolves.toMatchObject({ kind: 'BackupList' });
  });

  test('the admin token acts as a superuser, whatever RBAC says', async () => {
    await expect(harness.admin.custom.listClusterCustomObject({ ...CNPG, plural: 'backups' })).resolves.toMatchObject({
      kind: 'BackupList',
    });
    expect(harness.server.requests.at(-1)).toMatchObject({ username: 'kubernetes-admin', status: 200 });
  });

  test('a client that does not trust the CA of this server cannot connect', async () => {
    const otherCa = Buffer.from((await createServerCertificates()).caPem).toString('base64');
    const config = new KubeConfig();
    config.loadFromClusterAndUser(
      { name: 'other', server: harness.server.url, caData: otherCa, skipTLSVerify: false },
      { name: 'u', token: await token() },
    );
    const recorded = harness.server.requests.length;
    const failure: unknown = await config
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ApiException);
    expect(harness.server.requests).toHaveLength(recorded);
  });
});
