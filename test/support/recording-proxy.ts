/**
 * A loopback HTTP proxy that records every request it passes on (method, path, query, headers,
 * body) and forwards it unchanged to a target origin: put it between a client and an emulator to
 * compare what two clients send for the same operation.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingProxy {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Empties `requests`. */
  clear(): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://recorder');
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search.slice(1),
        headers: req.headers,
        body: body.toString('utf8'),
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || ['host', 'connection', 'content-length'].includes(name)) continue;
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      try {
        const answer = await fetch(`${target}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(body.length > 0 ? { body } : {}),
          redirect: 'manual',
        });
        const out = Buffer.from(await answer.arrayBuffer());
        const answerHeaders: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(name))
            answerHeaders[name] = value;
        });
        res.writeHead(answer.status, { ...answerHeaders, 'content-length': out.length });
        res.end(out);
      } catch (error) {
        res.writeHead(502).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    clear: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
