import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ApiException, BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { issueTestToken } from '../../simulator/kube-api-server/fixtures';
import { startKubeApiTestServer, type KubeApiTestServer, type KubeStatus, type TestPrincipal } from '../../simulator/kube-api-server';
import { VirtualClock } from '../../simulator/virtual-clock';

/** A test server with two principals, and @kubernetes/client-node clients connected to it as in production. */

export const REGION = 'eu-west-1';
export const EKS_CLUSTER = 'test-eks';
export const ADMIN_TOKEN = 'setup-only-admin-token';
export const NAMESPACE = 'demo';

/** Mapped to the group the shipped RBAC binds. */
export const SCHEDULER: TestPrincipal = {
  accessKeyId: 'AKIASCHEDULERTEST000',
  secretAccessKey: 'scheduler-secret-key-for-tests-00000000',
  username: 'arn:aws:sts::123456789012:assumed-role/cnpg-snapshot-scheduler/test',
  groups: ['cnpg-snapshot-scheduler'],
};

/** An access entry with no Kubernetes permissions. */
export const OUTSIDER: TestPrincipal = {
  accessKeyId: 'AKIAOUTSIDERTEST0000',
  secretAccessKey: 'outsider-secret-key-for-tests-000000000',
  username: 'arn:aws:sts::123456789012:assumed-role/someone-else/test',
  groups: ['other-team'],
};

export const CNPG = { group: 'postgresql.cnpg.io', version: 'v1' } as const;
export const SNAPSHOTS = { group: 'snapshot.storage.k8s.io', version: 'v1' } as const;

export interface ApiClients {
  custom: CustomObjectsApi;
  core: CoreV1Api;
  batch: BatchV1Api;
}

export interface Harness {
  clock: VirtualClock;
  server: KubeApiTestServer;
  /** Clients for `principal` that sign a fresh token at the virtual time of every request. */
  as(principal: TestPrincipal): ApiClients;
  /** Clients that always send this bearer token. */
  withToken(token: string): ApiClients;
  /** Clients with the admin token (test setup). */
  admin: ApiClients;
  close(): Promise<void>;
}

function clients(config: KubeConfig): ApiClients {
  return { custom: config.makeApiClient(CustomObjectsApi), core: config.makeApiClient(CoreV1Api), batch: config.makeApiClient(BatchV1Api) };
}

/** The RBAC and admission policy shipped for the example config (namespace demo). */
export const SHIPPED_MANIFEST = 'k8s/prod-eks.yaml';

/**
 * The shipped RBAC without the admission policy: these tests exercise the API and the controllers with objects the
 * workflows never write (test/e2e/admission-policy.test.ts and every end-to-end suite run with the policy).
 */
export function shippedRbac(): string {
  return parseAllDocuments(readFileSync(SHIPPED_MANIFEST, 'utf8'))
    .filter((document) => !String(document.get('kind')).startsWith('ValidatingAdmissionPolicy'))
    .map((document) => document.toString())
    .join('---\n');
}

export async function startHarness(options: { manifests?: string[]; clock?: VirtualClock } = {}): Promise<Harness> {
  const clock = options.clock ?? new VirtualClock('2026-11-02T00:00:00Z');
  const server = await startKubeApiTestServer({
    clock,
    eksClusterName: EKS_CLUSTER,
    region: REGION,
    principals: [SCHEDULER, OUTSIDER],
    manifests: options.manifests ?? [shippedRbac()],
    adminToken: ADMIN_TOKEN,
  });
  const cluster = { name: EKS_CLUSTER, server: server.url, caData: server.caData, skipTLSVerify: false };
  const withToken = (token: string) => {
    const config = new KubeConfig();
    config.loadFromClusterAndUser(cluster, { name: 'static', token });
    return clients(config);
  };
  const as = (principal: TestPrincipal) => {
    const config = new KubeConfig();
    config.addAuthenticator({
      isAuthProvider: (user) => user.name === principal.username,
      applyAuthentication: async (_user, request: { headers?: OutgoingHttpHeaders }) => {
        const token = await issueTestToken({ principal, clusterName: EKS_CLUSTER, region: REGION, signedAt: clock.now() });
        request.headers = { ...request.headers, Authorization: `Bearer ${token}` };
      },
    });
    config.loadFromClusterAndUser(cluster, { name: principal.username });
    return clients(config);
  };
  return { clock, server, as, withToken, admin: withToken(ADMIN_TOKEN), close: () => server.close() };
}

export interface ApiFailure {
  code: number;
  /** The Status body (client-node drops the body of a 401). */
  status?: KubeStatus;
  headers: Record<string, string>;
}

/** The HTTP code, Status body and headers of a request the API server refused, as client-node reports them. */
export async function apiFailure(request: Promise<unknown>): Promise<ApiFailure> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const status = typeof error.body === 'string' ? (JSON.parse(error.body) as KubeStatus) : undefined;
    return { code: error.code, ...(status && { status }), headers: error.headers };
  }
  throw new Error('the request succeeded');
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** One HTTPS request without client-node, for what it hides: bodies of 401s, content types it does not send. */
export function rawRequest(
  server: KubeApiTestServer,
  options: { method: string; path: string; token?: string; body?: string; contentType?: string },
): Promise<RawResponse> {
  const url = new URL(options.path, server.url);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method: options.method,
        ca: Buffer.from(server.caData, 'base64'),
        headers: {
          ...(options.token !== undefined && { Authorization: `Bearer ${options.token}` }),
          ...(options.contentType !== undefined && { 'Content-Type': options.contentType }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

export function backupManifest(name: string, cluster: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name, namespace: NAMESPACE, labels: { 'cnpg.io/cluster': cluster } },
    spec: { cluster: { name: cluster }, method: 'volumeSnapshot', ...extra },
  };
}
