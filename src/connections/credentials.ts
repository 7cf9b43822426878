/**
 * Credentials at rest: JSON inside a vault envelope bound to the connection row (purpose
 * `credentials`), so a ciphertext copied to another connection does not decrypt. Parsing checks
 * the shape, so a corrupted or foreign plaintext is refused instead of reaching a provider.
 */
import { z } from 'zod';
import { PatchbayError } from '../errors/index.ts';
import type { Credentials } from '../ports/connections.ts';
import type { Vault } from '../vault/index.ts';

const epochMs = z.number().int().nonnegative();

// Loose objects: the declared fields are checked, and a field a later mode adds is kept rather
// than silently dropped.
const credentialsSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('oauth2'),
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1).optional(),
    expiresAt: epochMs.optional(),
    tokenType: z.string().optional(),
    scope: z.string().optional(),
    secrets: z.record(z.string(), z.string()).optional(),
  }),
  z.looseObject({
    type: z.literal('oauth2_client_credentials'),
    accessToken: z.string().min(1),
    expiresAt: epochMs.optional(),
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
  }),
  z.looseObject({ type: z.literal('api_key'), values: z.record(z.string(), z.string()) }),
  z.looseObject({ type: z.literal('basic'), username: z.string(), password: z.string() }),
  z.looseObject({ type: z.literal('none') }),
]);

function context(connectionId: string) {
  return { table: 'connections', rowId: connectionId, purpose: 'credentials' };
}

/**
 * Checks credentials before they are stored. The message names the fields, never a value.
 * Throws `validation_failed`.
 */
export function checkCredentials(credentials: Credentials): Credentials {
  const parsed = credentialsSchema.safeParse(credentials);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new PatchbayError(
      'validation_failed',
      `Invalid credentials: check ${[...new Set(paths)].join(', ')}`,
      {
        details: { issues: paths.map((path) => ({ path: `credentials.${path}`, message: 'is invalid' })) },
      },
    );
  }
  return parsed.data as Credentials;
}

/** The envelope to store in `connections.credentials`. */
export function sealCredentials(vault: Vault, connectionId: string, credentials: Credentials): string {
  return vault.encrypt(JSON.stringify(checkCredentials(credentials)), context(connectionId));
}

/** Decrypts and checks a stored envelope. Throws `vault_decrypt_failed` for anything unreadable. */
export function openCredentials(vault: Vault, connectionId: string, envelope: string): Credentials {
  const plaintext = vault.decrypt(envelope, context(connectionId));
  let value: unknown;
  try {
    value = JSON.parse(plaintext);
  } catch {
    value = undefined;
  }
  const parsed = credentialsSchema.safeParse(value);
  if (!parsed.success) {
    // Never the content: it is a secret, whatever went wrong with it.
    throw new PatchbayError(
      'vault_decrypt_failed',
      `The credentials of connection ${connectionId} decrypted to something that is not credentials`,
    );
  }
  return parsed.data as Credentials;
}

/** When the access token expires (mirrored in the plaintext `expires_at` column), if it does. */
export function credentialsExpiry(credentials: Credentials): number | null {
  if (credentials.type === 'oauth2' || credentials.type === 'oauth2_client_credentials') {
    return credentials.expiresAt ?? null;
  }
  return null;
}
