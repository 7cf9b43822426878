/**
 * `answerHandshake`: the set-up handshakes some providers perform before they send events. It
 * returns null when the delivery is not a handshake (then it is verified as an event).
 *
 * - `hub_challenge` (Meta): a GET with `hub.mode=subscribe`; `hub.verify_token` must equal one of
 *   `secrets` (the verify tokens, compared in constant time) → 200 with the challenge, else
 *   refused (`webhook_token_invalid`).
 * - `body_challenge` (Slack `url_verification`): the body names the challenge. The caller MUST
 *   verify the delivery's signature first and only then ask for the answer: Slack signs it.
 * - `get_ok` (Mailchimp): a GET to the webhook URL answers 200. When the definition's scheme is
 *   `url_token` the GET must carry a valid token (else refused), so the probe reveals nothing.
 * - `form_ping` (WooCommerce): an unsigned POST whose form body is only `webhook_id=<digits>`
 *   answers 200. It is answered before verification (the store signs no ping) and nothing is
 *   stored or run, so a forged ping gains nothing; anything else is verified as an event.
 */

import type { Webhooks } from '../../catalog/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import { valueAt } from '../../values/path.ts';
import type { HandshakeAnswer, IncomingDelivery } from '../types.ts';
import { equalSecrets } from './compare.ts';
import { verifyUrlToken } from './schemes/url-token.ts';

function accept(body: string): HandshakeAnswer {
  return { ok: true, body };
}

function refuse(code: 'webhook_token_invalid' | 'webhook_payload_invalid', message: string): HandshakeAnswer {
  return { ok: false, code, message };
}

function parsedJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function answerHandshake(
  webhooks: Webhooks,
  delivery: IncomingDelivery,
  secrets: readonly string[],
): HandshakeAnswer | null {
  const handshake = webhooks.handshake;
  if (!handshake) return null;
  const method = delivery.method.toUpperCase();
  switch (handshake.kind) {
    case 'hub_challenge': {
      const query = delivery.url.searchParams;
      if (method !== 'GET' || query.get(handshake.modeParam) !== 'subscribe') return null;
      const token = query.get(handshake.tokenParam) ?? '';
      let matched = false;
      for (const secret of secrets) {
        if (secret !== '' && equalSecrets(token, secret)) matched = true;
      }
      if (!matched) {
        return refuse(
          'webhook_token_invalid',
          `the ${handshake.tokenParam} parameter does not match the verify token set as the integration's webhook secret`,
        );
      }
      const challenge = query.get(handshake.challengeParam);
      return challenge
        ? accept(challenge)
        : refuse('webhook_payload_invalid', `the ${handshake.challengeParam} parameter is missing`);
    }
    case 'body_challenge': {
      if (method !== 'POST') return null;
      const body = parsedJson(delivery.rawBody);
      if (valueAt(body, handshake.typePath) !== handshake.typeValue) return null;
      const challenge = valueAt(body, handshake.challengePath);
      return typeof challenge === 'string' && challenge !== ''
        ? accept(challenge)
        : refuse('webhook_payload_invalid', `the ${handshake.challengePath} field is missing`);
    }
    case 'get_ok': {
      if (method !== 'GET') return null;
      const verification = webhooks.verification;
      if (verification.scheme === 'url_token' && !verifyUrlToken(verification, delivery, secrets).ok) {
        return refuse(
          'webhook_token_invalid',
          'the webhook URL token is not valid; use the URL Patchbay gave out',
        );
      }
      return accept('ok');
    }
    case 'form_ping':
      return isFormPing(delivery, handshake.field) ? accept('ok') : null;
    default: {
      const unknown: never = handshake;
      throw new PatchbayError(
        'internal_error',
        `unknown handshake kind ${String((unknown as { kind: unknown }).kind)}`,
      );
    }
  }
}

/** A POST whose body is exactly `<field>=<digits>` (WooCommerce's creation ping). */
export function isFormPing(delivery: IncomingDelivery, field: string): boolean {
  if (delivery.method.toUpperCase() !== 'POST' || delivery.rawBody.length > 64) return false;
  const pairs = [...new URLSearchParams(delivery.rawBody.toString('utf8'))];
  return pairs.length === 1 && pairs[0]?.[0] === field && /^\d{1,20}$/.test(pairs[0][1]);
}
