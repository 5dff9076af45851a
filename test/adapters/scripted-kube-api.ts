import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServerCertificates } from '../../simulator/kube-api-server/certificate-authority';

/** A request as the scripted API server received it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** What the server answers: a status with a JSON body and headers, a connection dropped mid-request, or nothing. */
export type ScriptedReply = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset' | 'no answer';

export interface ScriptedKubeApi {
  url: string;
  /** Base64 PEM of the CA that signed the server certificate, as DescribeCluster returns it. */
  caData: string;
  caPem: string;
  requests: ReceivedRequest[];
  /** Sets the reply to every following request. */
  answer(script: (request: ReceivedRequest) => ScriptedReply): void;
  close(): Promise<void>;
}

/** A Kubernetes `Status` failure body, as the API server sends it. */
export function kubeStatus(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/**
 * An HTTPS server on 127.0.0.1 that records each request and answers what the test scripted: the client's real
 * TLS, headers and paths are exercised without a Kubernetes API behind them.
 */
export async function startScriptedKubeApi(): Promise<ScriptedKubeApi> {
  const { caPem, certPem, keyPem } = await createServerCertificates();
  const requests: ReceivedRequest[] = [];
  let script: (request: ReceivedRequest) => ScriptedReply = () => ({ status: 500, body: kubeStatus(500, 'InternalError', 'no script') });
  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const reply = script(request);
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      if (reply === 'no answer') return; // the connection stays open until the client gives up or the server closes
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caData: Buffer.from(caPem).toString('base64'),
    caPem,
    requests,
    answer: (next) => {
      script = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
