/**
 * Signing webhook deliveries the way each provider does: the inverse of every verifier in
 * src/inbound/verify, for tests and provider sandboxes. `signDelivery` returns the headers to send;
 * `deliveryUrl` returns the URL to send them to (it differs only for `url_token`, whose "signature"
 * is the token in the URL).
 */
import { createHash, createHmac, createPrivateKey, sign } from 'node:crypto';
import type { WebhookVerification } from '../../src/catalog/index.ts';
import { PatchbayError } from '../../src/errors/index.ts';
import { hmacKey, signedContent } from '../../src/inbound/verify/schemes/hmac-sha256.ts';
import { hubspotSignedContent } from '../../src/inbound/verify/schemes/hubspot-v3.ts';
import { squareSignedContent } from '../../src/inbound/verify/schemes/square.ts';
import { standardWebhooksKey } from '../../src/inbound/verify/schemes/standard-webhooks.ts';
import { paypalSandboxSignature, SANDBOX_PAYPAL_AUTH_ALGO, SANDBOX_PAYPAL_CERT_URL } from './paypal.ts';

export interface SignOptions {
  body: string | Buffer;
  /**
   * The signing secret: the webhook secret for HMAC schemes, the URL token for `url_token`, the
   * private key (base64 DER PKCS#8, or PEM) for `ecdsa_p256`, the sandbox PayPal secret for
   * `paypal_api`.
   */
  secret: string;
  /** The delivery URL as registered with the provider (Square and HubSpot sign it). */
  url: string | URL;
  /** Default POST. */
  method?: string;
  /** Epoch ms of the delivery; converted to each scheme's unit (seconds, or ms for HubSpot). */
  timestamp: number;
  /** Message id for Standard Webhooks and PayPal; default derived from the body and timestamp. */
  id?: string;
  /** PayPal's webhook id (the connection config value verifyDelivery sends along). */
  paypalWebhookId?: string;
}

function bytes(body: string | Buffer): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function hmac(key: Buffer | string, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function defaultId(body: Buffer, timestamp: number): string {
  return `msg_${createHash('sha256').update(body).update(String(timestamp)).digest('hex').slice(0, 24)}`;
}

/** The headers a provider would send with this body. */
export function signDelivery(
  verification: WebhookVerification,
  options: SignOptions,
): Record<string, string> {
  const body = bytes(options.body);
  const url = new URL(options.url);
  const method = (options.method ?? 'POST').toUpperCase();
  const seconds = String(Math.floor(options.timestamp / 1000));
  const id = options.id ?? defaultId(body, options.timestamp);
  switch (verification.scheme) {
    case 'stripe': {
      const digest = hmac(
        Buffer.from(options.secret, 'utf8'),
        Buffer.concat([Buffer.from(`${seconds}.`), body]),
      );
      return { [verification.header]: `t=${seconds},v1=${digest.toString('hex')}` };
    }
    case 'standard_webhooks': {
      const p = verification.headerPrefix;
      const signed = Buffer.concat([Buffer.from(`${id}.${seconds}.`), body]);
      const digest = hmac(standardWebhooksKey(options.secret), signed);
      return {
        [`${p}-id`]: id,
        [`${p}-timestamp`]: seconds,
        [`${p}-signature`]: `v1,${digest.toString('base64')}`,
      };
    }
    case 'hmac_sha256': {
      const signed = signedContent(verification.signedContent, { body, timestamp: seconds, url, method });
      const digest = hmac(hmacKey(verification, options.secret), signed).toString(verification.encoding);
      const headers: Record<string, string> = {
        [verification.header]: `${verification.prefix ?? ''}${digest}`,
      };
      if (verification.timestampHeader !== undefined) headers[verification.timestampHeader] = seconds;
      return headers;
    }
    case 'hubspot_v3': {
      const ms = String(Math.floor(options.timestamp));
      const digest = hmac(Buffer.from(options.secret, 'utf8'), hubspotSignedContent(method, url, body, ms));
      return { [verification.header]: digest.toString('base64'), [verification.timestampHeader]: ms };
    }
    case 'square':
      return {
        [verification.header]: hmac(
          Buffer.from(options.secret, 'utf8'),
          squareSignedContent(url, body),
        ).toString('base64'),
      };
    case 'paypal_api': {
      const transmissionTime = new Date(options.timestamp).toISOString();
      const signature = paypalSandboxSignature(options.secret, {
        transmissionId: id,
        transmissionTime,
        webhookId: options.paypalWebhookId ?? '',
        event: JSON.parse(body.toString('utf8')) as unknown,
      });
      return {
        'paypal-auth-algo': SANDBOX_PAYPAL_AUTH_ALGO,
        'paypal-cert-url': SANDBOX_PAYPAL_CERT_URL,
        'paypal-transmission-id': id,
        'paypal-transmission-sig': signature,
        'paypal-transmission-time': transmissionTime,
      };
    }
    case 'url_token':
      return {};
    case 'ecdsa_p256': {
      const key = options.secret.trimStart().startsWith('-----BEGIN')
        ? createPrivateKey(options.secret)
        : createPrivateKey({ key: Buffer.from(options.secret, 'base64'), format: 'der', type: 'pkcs8' });
      const signature = sign('sha256', Buffer.concat([Buffer.from(seconds), body]), {
        key,
        dsaEncoding: 'der',
      });
      return { [verification.header]: signature.toString('base64'), [verification.timestampHeader]: seconds };
    }
    default: {
      const unknown: never = verification;
      throw new PatchbayError(
        'internal_error',
        `unknown webhook scheme ${String((unknown as { scheme: unknown }).scheme)}`,
      );
    }
  }
}

/** The URL to deliver to: for `url_token`, `url` with the token placed as the scheme says. */
export function deliveryUrl(verification: WebhookVerification, url: string | URL, secret: string): URL {
  const result = new URL(url);
  if (verification.scheme !== 'url_token') return result;
  if (verification.location === 'query') result.searchParams.set(verification.param, secret);
  else result.pathname = `${result.pathname.replace(/\/+$/, '')}/${encodeURIComponent(secret)}`;
  return result;
}
