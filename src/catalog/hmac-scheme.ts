/**
 * The generic `hmac` webhook scheme: every provider that signs with a shared-secret HMAC is a set
 * of these parameters — which algorithm and encoding, where the signature is and how to read it
 * out of its header, which bytes are signed, where a signed timestamp is and how stale it may be,
 * and how the secret is encoded. Named sets live in ./hmac-presets.ts; `withHmacPreset` fills a
 * definition's fields from the preset it names.
 */
import { z } from 'zod';
import { incomingHeader, seconds } from './common.ts';
import { HMAC_PRESET_NAMES, HMAC_PRESETS } from './hmac-presets.ts';

/**
 * Where the verification key comes from: the integration's webhook secret (one endpoint per app,
 * e.g. Stripe Connect), the OAuth client secret (Shopify, HubSpot, Messenger's app secret), or the
 * connection (a secret created per connection, e.g. by the webhook-creation API call).
 */
export const secretFrom = z.enum(['integration', 'client_secret', 'connection']);
export const tolerance = seconds.max(86_400);

/** The tokens a `signedContent` template may use. */
export const SIGNED_CONTENT_TOKENS = ['{body}', '{timestamp}', '{url}', '{method}'] as const;

/** Short literal text inside a header (a prefix, a separator, a list key). */
const headerText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, 'expected printable ASCII without spaces');

/**
 * How the signature(s) sit in the header: the whole value, after an optional `prefix`
 * (`sha256=`, `v0=`); or a list of `key=value` items (`t=…,v1=…,v1=…`) where every item named
 * `key` is a candidate signature (a provider rolling its secret sends one per secret).
 */
const signatureSchema = z.discriminatedUnion('format', [
  z.strictObject({ format: z.literal('value'), prefix: headerText(32).optional() }),
  z.strictObject({
    format: z.literal('list'),
    separator: headerText(4).default(','),
    key: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'expected a short key such as "v1"'),
  }),
]);

/**
 * The signed timestamp: in its own header, or an item of the signature list (`t=` of Stripe);
 * `unit` is what the provider sends (unix seconds or milliseconds); a delivery whose timestamp is
 * more than `tolerance` seconds away from its receipt, either way, is refused.
 */
const timestampSchema = z.discriminatedUnion('from', [
  z.strictObject({
    from: z.literal('header'),
    header: incomingHeader,
    unit: z.enum(['s', 'ms']).default('s'),
    tolerance: tolerance.default(300),
  }),
  z.strictObject({
    from: z.literal('signature'),
    key: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'expected a short key such as "t"'),
    unit: z.enum(['s', 'ms']).default('s'),
    tolerance: tolerance.default(300),
  }),
]);

export const hmacVerificationSchema = z
  .strictObject({
    scheme: z.literal('hmac'),
    /** The preset the other fields were filled from (kept so the API can name it). */
    preset: z.enum(HMAC_PRESET_NAMES).optional(),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
    encoding: z.enum(['hex', 'base64']),
    header: incomingHeader,
    signature: signatureSchema.default({ format: 'value' }),
    /** The signed bytes: `{body}` (raw, exactly once), `{timestamp}`, `{url}`, `{method}`, literal text. */
    signedContent: z.string().min(1).max(200).default('{body}'),
    /**
     * Characters whose percent-encodings are decoded in `{url}` before signing, in one pass
     * (HubSpot v3 decodes `:/?@!$'()*,;`); by default the URL is signed exactly as received.
     */
    urlDecode: z
      .string()
      .min(1)
      .max(32)
      .regex(/^[!-/:-@[-`{-~]+$/, 'expected ASCII punctuation characters')
      .optional(),
    timestamp: timestampSchema.optional(),
    secretFrom: secretFrom.default('integration'),
    /**
     * How the secret's text becomes the HMAC key: its UTF-8 bytes, base64 (Airtable's
     * macSecretBase64), or `whsec_` + base64 (Standard Webhooks style; other secrets as UTF-8).
     */
    secretEncoding: z.enum(['utf8', 'base64', 'whsec_base64']).default('utf8'),
  })
  .superRefine((v, ctx) => {
    const tokens: string[] = v.signedContent.match(/\{[a-z]+\}/g) ?? [];
    for (const token of tokens) {
      if (!(SIGNED_CONTENT_TOKENS as readonly string[]).includes(token)) {
        ctx.addIssue({ code: 'custom', path: ['signedContent'], message: `unknown token ${token}` });
      }
    }
    if (tokens.filter((t) => t === '{body}').length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['signedContent'], message: 'must contain {body} exactly once' });
    }
    // A timestamp outside the signed bytes could be replaced by anyone: it would prove nothing.
    if (tokens.includes('{timestamp}') !== (v.timestamp !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['timestamp'],
        message: '{timestamp} in signedContent and a timestamp source go together',
      });
    }
    if (v.timestamp?.from === 'signature' && v.signature.format !== 'list') {
      ctx.addIssue({
        code: 'custom',
        path: ['timestamp', 'from'],
        message: "a timestamp from the signature header needs signature.format 'list'",
      });
    }
    if (v.timestamp?.from === 'header' && v.timestamp.header === v.header) {
      ctx.addIssue({ code: 'custom', path: ['timestamp', 'header'], message: 'must differ from header' });
    }
  });

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `input` over the preset it names: a field the definition writes wins. A nested block
 * (`signature`, `timestamp`) is merged field by field when it keeps the preset's kind
 * (`format`, `from`), so `timestamp: { tolerance: 600 }` changes only the tolerance; a block of
 * another kind replaces the preset's. Anything that is not an `hmac` verification with a known
 * preset is returned as it is, for the schema to judge.
 */
export function withHmacPreset(input: unknown): unknown {
  if (!isPlain(input) || input.scheme !== 'hmac' || typeof input.preset !== 'string') return input;
  if (!Object.hasOwn(HMAC_PRESETS, input.preset)) return input;
  const preset = HMAC_PRESETS[input.preset as keyof typeof HMAC_PRESETS] as Plain;
  const merged: Plain = { ...preset };
  for (const [key, value] of Object.entries(input)) {
    const base = preset[key];
    const kind = key === 'signature' ? 'format' : 'from';
    merged[key] =
      isPlain(base) && isPlain(value) && (value[kind] === undefined || value[kind] === base[kind])
        ? { ...base, ...value }
        : value;
  }
  return merged;
}
