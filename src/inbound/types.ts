/**
 * The inbound contracts, fixed first so that verification and intake can be built side by side:
 * - verify/ (one generic verifier per scheme of src/catalog/webhooks.ts, pure functions over the
 *   raw bytes) implements `verifyDelivery`, `answerHandshake` and `readEventMeta`;
 * - intake.ts (the route), store.ts (durable, deduplicated storage), routing.ts, process.ts (the
 *   job that emits `inbound.<provider>.<type>` events) and the API use them.
 */
import type { Webhooks, WebhookVerification } from '../catalog/index.ts';

/** A provider's HTTP request as received: nothing re-serialized. */
export interface IncomingDelivery {
  method: string;
  /**
   * The URL the provider called, as registered with it (public URL + path + query): Square and
   * HubSpot sign it.
   */
  url: URL;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Readonly<Record<string, string>>;
  /** The raw body bytes, exactly as they arrived. */
  rawBody: Buffer;
  /** Epoch ms (the injected clock), for timestamp tolerance. */
  receivedAt: number;
}

export type RejectionCode =
  | 'webhook_signature_missing'
  | 'webhook_signature_invalid'
  | 'webhook_timestamp_invalid'
  | 'webhook_token_invalid';

export type VerificationResult = { ok: true } | { ok: false; code: RejectionCode; message: string };

/** A request a `provider_api` definition sends to check a delivery (path relative to the proxy base URL). */
export interface ProviderApiRequest {
  method: string;
  path: string;
  /** Sent as JSON; undefined sends no body. */
  body?: unknown;
}

/** The provider's answer: its status, and its body text for a 2xx answer (empty otherwise). */
export interface ProviderApiAnswer {
  status: number;
  text: string;
}

export interface VerifyDeps {
  /**
   * The provider call of a `provider_api` definition, through the proxy with the credentials of
   * the connection the delivery's URL names. Absent when the delivery names no connection: such
   * a delivery cannot be checked and is refused.
   */
  providerRequest?: (request: ProviderApiRequest) => Promise<ProviderApiAnswer>;
  /** Connection config of the routed connection, for `{config:<key>}` values of a `provider_api` request. */
  connectionConfig?: Readonly<Record<string, string>>;
}

/**
 * Verifies one delivery against every candidate secret (a rotation may leave two); compares in
 * constant time; rejects timestamps outside the scheme's tolerance.
 */
export type VerifyDelivery = (
  verification: WebhookVerification,
  delivery: IncomingDelivery,
  secrets: readonly string[],
  deps?: VerifyDeps,
) => Promise<VerificationResult>;

/**
 * The answer to a set-up handshake (Slack url_verification, Meta hub challenge, Mailchimp GET):
 * the text to answer 200 with, or why the handshake is refused. A refusal is answered like every
 * other rejected delivery (the API's error model, a stable code), never as a bare status.
 */
export type HandshakeAnswer =
  | { ok: true; body: string }
  | { ok: false; code: 'webhook_token_invalid' | 'webhook_payload_invalid'; message: string };

/** What the intake needs to store and route one event of a delivery. */
export interface EventMeta {
  /** The provider's event id (from `eventIdHeader` / `eventIdPath`), if it sends one. */
  providerEventId: string | null;
  eventType: string | null;
  /** The parsed body (JSON, or form fields as an object) — for routing by body path. */
  parsed: unknown;
}

/** Reads ids and types; a batch delivery (`batch.itemsPath`) yields one entry per item. */
export type ReadEventMeta = (webhooks: Webhooks, delivery: IncomingDelivery) => EventMeta[];
