import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One answer of a stand-in AWS API: status, headers and body as the service sends them. */
export interface StandInResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface StandInRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server that answers each request with `handle`; the AWS SDK reaches it through an endpoint URL. */
export class HttpStandIn {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(handle: (request: StandInRequest) => Promise<StandInResponse>): Promise<HttpStandIn> {
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const answer = await handle({
          method: request.method ?? 'GET',
          path: request.url ?? '/',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }).catch((error: unknown): StandInResponse => ({
          status: 500,
          body: JSON.stringify({ message: error instanceof Error ? error.message : String(error) }),
        }));
        response.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body) });
        response.end(answer.body);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the stand-in has no TCP address');
    return new HttpStandIn(server, `http://127.0.0.1:${address.port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
