/**
 * The API's routes (`GET /v1/customers/:id`…) and what a handler gets: the scope it acts in,
 * the decoded parameters, the path's ids, and who is calling. A handler returns the JSON object
 * to answer 200 with, or throws a `StripeApiError`.
 */
import type { PlatformAccount } from './accounts.ts';
import type { Scope } from './context.ts';
import type { Params } from './params.ts';
import type { AccountState } from './state.ts';

export type Method = 'GET' | 'POST' | 'DELETE';

export interface Call {
  readonly scope: Scope;
  readonly params: Params;
  /** The `:name` parts of the path, decoded. */
  readonly path: Readonly<Record<string, string>>;
  /** The account whose key made the request (the platform when it acts with `Stripe-Account`). */
  readonly caller: AccountState;
  /** The platform acting on a connected account (by `Stripe-Account` or its access token), if any. */
  readonly platform: PlatformAccount | undefined;
}

export type RouteHandler = (call: Call) => object | Promise<object>;

interface Route {
  readonly method: Method;
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
}

export type RouteMatch = { route: Route; path: Record<string, string> };

export class RouteTable {
  readonly #routes: Route[] = [];

  add(method: Method, pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method, pattern, segments: pattern.split('/').slice(1), handler });
    return this;
  }

  /** The route for a request; literal segments win over `:params` (`/search` before `/:id`). */
  match(method: string, pathname: string): RouteMatch | undefined {
    const parts = pathname.split('/').slice(1);
    let best: { match: RouteMatch; literals: number } | undefined;
    for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const path: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const segment = route.segments[i] as string;
        const part = parts[i] as string;
        if (segment.startsWith(':')) {
          if (part === '') ok = false;
          else path[segment.slice(1)] = safeDecode(part);
        } else if (segment === part) {
          literals++;
        } else {
          ok = false;
        }
      }
      if (ok && (!best || literals > best.literals)) best = { match: { route, path }, literals };
    }
    return best?.match;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
