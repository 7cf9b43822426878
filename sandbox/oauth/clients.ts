/**
 * Registered OAuth clients and client authentication at the token and revocation endpoints
 * (RFC 6749 §2.3.1): `client_secret_basic` and `client_secret_post`, never both at once.
 */
import type { IncomingMessage } from 'node:http';
import { secretsEqual } from './secrets.ts';

export interface OAuthSandboxClient {
  clientId: string;
  clientSecret: string;
  /** Redirect URIs compared by exact string match, as RFC 9700 §4.1.3 requires. */
  redirectUris: string[];
}

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export type ClientAuthResult =
  | { ok: true; client: OAuthSandboxClient; method: ClientAuthMethod }
  | {
      ok: false;
      status: 400 | 401;
      error: 'invalid_client' | 'invalid_request';
      description: string;
      /** RFC 6749 §5.2: a failed Basic authentication answers with a matching challenge. */
      challenge?: string;
    };

export class ClientRegistry {
  readonly #clients = new Map<string, OAuthSandboxClient>();

  constructor(clients: readonly OAuthSandboxClient[] = []) {
    for (const client of clients) this.add(client);
  }

  /** Registers a client, replacing one with the same id. */
  add(client: OAuthSandboxClient): void {
    if (!client.clientId || !client.clientSecret)
      throw new Error('a sandbox client needs an id and a secret');
    for (const uri of client.redirectUris) {
      // RFC 6749 §3.1.2: absolute, without a fragment.
      if (!URL.canParse(uri) || uri.includes('#')) {
        throw new Error(
          `redirect URI ${uri} of client ${client.clientId} must be an absolute URL without a fragment`,
        );
      }
    }
    this.#clients.set(client.clientId, { ...client, redirectUris: [...client.redirectUris] });
  }

  get(clientId: string): OAuthSandboxClient | undefined {
    return this.#clients.get(clientId);
  }

  /** Authenticates the client of a token or revocation request from its header and form body. */
  authenticate(req: IncomingMessage, form: URLSearchParams): ClientAuthResult {
    const header = req.headers.authorization;
    const bodyId = form.get('client_id');
    const bodySecret = form.get('client_secret');
    if (header !== undefined) {
      const basic = parseBasic(header);
      const challenge = 'Basic realm="oauth-sandbox"';
      if (!basic) {
        return {
          ok: false,
          status: 401,
          error: 'invalid_client',
          description: 'malformed Basic credentials',
          challenge,
        };
      }
      if (bodySecret !== null) {
        return {
          ok: false,
          status: 400,
          error: 'invalid_request',
          description: 'use one client authentication method, not both Basic and client_secret',
        };
      }
      if (bodyId !== null && bodyId !== basic.id) {
        return {
          ok: false,
          status: 400,
          error: 'invalid_request',
          description: 'client_id differs from Basic credentials',
        };
      }
      return this.#verify(basic.id, basic.secret, 'client_secret_basic', challenge);
    }
    if (bodyId === null || bodySecret === null) {
      return {
        ok: false,
        status: 401,
        error: 'invalid_client',
        description: 'client authentication required (client_secret_basic or client_secret_post)',
      };
    }
    return this.#verify(bodyId, bodySecret, 'client_secret_post', undefined);
  }

  #verify(
    clientId: string,
    secret: string,
    method: ClientAuthMethod,
    challenge: string | undefined,
  ): ClientAuthResult {
    const client = this.#clients.get(clientId);
    // Compare against something even for an unknown client, so both paths cost the same.
    const matches = secretsEqual(secret, client?.clientSecret ?? '\u0000unknown-client');
    if (!client || !matches) {
      return {
        ok: false,
        status: 401,
        error: 'invalid_client',
        description: 'client authentication failed',
        ...(challenge ? { challenge } : {}),
      };
    }
    return { ok: true, client, method };
  }
}

/**
 * RFC 6749 §2.3.1: the id and secret are form-urlencoded before being joined with a colon and
 * base64-encoded, so they are decoded the same way.
 */
function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}
