/**
 * Starts an emulator's HTTP server on loopback and gives back its origin and a close that does
 * not wait for idle keep-alive connections (clients such as undici pool them).
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenOptions {
  /** Loopback by default: the sandbox is never meant to be reachable from elsewhere. */
  host?: string;
  /** 0 (the default) lets the system pick a free port. */
  port?: number;
}

export interface Listening {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listen(listener: RequestListener, options: ListenOptions = {}): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: load tests open many connections at once.
    server.listen({ port: options.port ?? 0, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    origin: `http://${hostInUrl}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
