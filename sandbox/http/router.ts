/**
 * A tiny router for sandbox emulators: exact `METHOD /path` routes plus path prefixes, nothing
 * else. Emulators are small and their routes are fixed by the provider they imitate, so a
 * pattern language would only add ways to be wrong.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './respond.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

interface PrefixRoute {
  prefix: string;
  handler: Handler;
}

export class Router {
  readonly #exact = new Map<string, Map<string, Handler>>();
  readonly #prefixes: PrefixRoute[] = [];

  /** Routes one method (or `*` for any) on one exact path. */
  on(method: string, path: string, handler: Handler): this {
    let byMethod = this.#exact.get(path);
    if (!byMethod) {
      byMethod = new Map();
      this.#exact.set(path, byMethod);
    }
    byMethod.set(method.toUpperCase(), handler);
    return this;
  }

  /** Routes every method on every path that starts with `prefix` (checked after exact routes). */
  prefix(prefix: string, handler: Handler): this {
    this.#prefixes.push({ prefix, handler });
    // Longest prefix first, so a provider emulator can mount `/api/v2/` beside `/api/`.
    this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  /** The request listener for `http.createServer`. Unknown paths get 404, known ones 405. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const byMethod = this.#exact.get(url.pathname);
    let handler: Handler | undefined;
    if (byMethod) {
      handler = byMethod.get(method) ?? byMethod.get('*');
      if (!handler) {
        sendJson(
          res,
          405,
          { error: 'method_not_allowed', error_description: `${method} ${url.pathname}` },
          {
            Allow: [...byMethod.keys()].join(', '),
          },
        );
        return;
      }
    } else {
      handler = this.#prefixes.find((route) => url.pathname.startsWith(route.prefix))?.handler;
    }
    if (!handler) {
      sendJson(res, 404, { error: 'not_found', error_description: `no route for ${method} ${url.pathname}` });
      return;
    }
    void run(handler, req, res, url);
  };
}

async function run(handler: Handler, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  try {
    await handler(req, res, url);
  } catch (error) {
    // An emulator bug must show up in the test that hit it, not as a hung request.
    if (!res.headersSent) {
      sendJson(res, 500, { error: 'server_error', error_description: String(error) });
    } else {
      res.destroy();
    }
  }
}
