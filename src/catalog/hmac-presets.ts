/**
 * Named parameter sets of the generic `hmac` webhook scheme (./hmac-scheme.ts): each provider's
 * documented signature recipe as data, not code. A definition writes `{ scheme: 'hmac', preset:
 * 'stripe' }` and may override any field; a provider whose recipe is none of these writes the
 * parameters itself and needs no preset. Each entry names the page it was taken from.
 */

/** The fields a preset may set: those of the `hmac` scheme, checked when a definition uses them. */
export interface HmacPresetParams {
  header: string;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  encoding: 'hex' | 'base64';
  signature?: { format: 'value'; prefix?: string } | { format: 'list'; separator?: string; key: string };
  signedContent: string;
  urlDecode?: string;
  timestamp?:
    | { from: 'header'; header: string; unit: 's' | 'ms'; tolerance: number }
    | { from: 'signature'; key: string; unit: 's' | 'ms'; tolerance: number };
  secretFrom: 'integration' | 'client_secret' | 'connection';
  secretEncoding?: 'utf8' | 'base64' | 'whsec_base64';
}

export const HMAC_PRESETS = {
  /**
   * docs.stripe.com/webhooks#verify-manually: `Stripe-Signature: t=…,v1=…,v1=…`, hex HMAC-SHA256
   * of `{t}.{body}` keyed by the whole `whsec_…` string (not decoded). One v1 per active secret
   * while a secret is rolled; v0 and unknown keys are ignored. Five minutes of tolerance.
   */
  stripe: {
    header: 'stripe-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    signature: { format: 'list', separator: ',', key: 'v1' },
    signedContent: '{timestamp}.{body}',
    timestamp: { from: 'signature', key: 't', unit: 's', tolerance: 300 },
    secretFrom: 'integration',
  },
  /**
   * shopify.dev/docs/apps/build/webhooks/subscribe/https (verify the webhook): base64
   * HMAC-SHA256 of the raw body, keyed by the app's client secret.
   */
  shopify: {
    header: 'x-shopify-hmac-sha256',
    algorithm: 'sha256',
    encoding: 'base64',
    signedContent: '{body}',
    secretFrom: 'client_secret',
  },
  /**
   * docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries:
   * `X-Hub-Signature-256: sha256=<hex>` of the raw body. Meta's webhooks sign the same way with
   * the app secret.
   */
  github: {
    header: 'x-hub-signature-256',
    algorithm: 'sha256',
    encoding: 'hex',
    signature: { format: 'value', prefix: 'sha256=' },
    signedContent: '{body}',
    secretFrom: 'integration',
  },
  /**
   * api.slack.com/authentication/verifying-requests-from-slack: `X-Slack-Signature: v0=<hex>` of
   * `v0:{X-Slack-Request-Timestamp}:{body}` with the signing secret; five minutes of tolerance.
   */
  slack: {
    header: 'x-slack-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    signature: { format: 'value', prefix: 'v0=' },
    signedContent: 'v0:{timestamp}:{body}',
    timestamp: { from: 'header', header: 'x-slack-request-timestamp', unit: 's', tolerance: 300 },
    secretFrom: 'integration',
  },
  /**
   * woocommerce.github.io/woocommerce-rest-api-docs (Webhooks): `X-WC-Webhook-Signature`, base64
   * HMAC-SHA256 of the body with the secret given when the webhook was created (per store).
   */
  woocommerce: {
    header: 'x-wc-webhook-signature',
    algorithm: 'sha256',
    encoding: 'base64',
    signedContent: '{body}',
    secretFrom: 'connection',
  },
  /**
   * developer.squareup.com/docs/webhooks/step3validate: `x-square-hmacsha256-signature`, base64
   * HMAC-SHA256 of the notification URL exactly as registered followed by the body, keyed by the
   * subscription's signature key. Square signs no timestamp.
   */
  square: {
    header: 'x-square-hmacsha256-signature',
    algorithm: 'sha256',
    encoding: 'base64',
    signedContent: '{url}{body}',
    secretFrom: 'integration',
  },
  /**
   * developers.hubspot.com/docs/api/webhooks/validating-requests (v3): base64 HMAC-SHA256, keyed
   * by the app's client secret, of method + URI + body + timestamp, where the timestamp header is
   * in epoch milliseconds and the URI has the percent-encodings of `:/?@!$'()*,;` decoded (and
   * only those). Requests older than five minutes are refused.
   */
  hubspot_v3: {
    header: 'x-hubspot-signature-v3',
    algorithm: 'sha256',
    encoding: 'base64',
    signedContent: '{method}{url}{body}{timestamp}',
    urlDecode: ":/?@!$'()*,;",
    timestamp: { from: 'header', header: 'x-hubspot-request-timestamp', unit: 'ms', tolerance: 300 },
    secretFrom: 'client_secret',
  },
} as const satisfies Record<string, HmacPresetParams>;

export type HmacPresetName = keyof typeof HMAC_PRESETS;
export const HMAC_PRESET_NAMES = Object.keys(HMAC_PRESETS) as [HmacPresetName, ...HmacPresetName[]];
