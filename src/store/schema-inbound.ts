/** Row types of the inbound tables (migration 0004). */
export interface InboundTables {
  inbound_events: InboundEventsTable;
}

export type InboundEventStatus = 'received' | 'processed' | 'unrouted' | 'failed';

/** One verified provider delivery (or one item of a batch delivery). */
export interface InboundEventsTable {
  id: string;
  environment_id: string;
  integration_id: string;
  provider: string;
  /** The provider's own id of the event (Stripe `id`, `X-Shopify-Webhook-Id`, `webhook-id`…). */
  provider_event_id: string | null;
  /**
   * `id:<provider event id>`, or `sha256:<hex of the body>` when the provider sends no id; null
   * once the dedupe window has passed.
   */
  dedupe_key: string | null;
  event_type: string | null;
  content_type: string | null;
  /** JSON object of the headers that matter (signature and id headers; never cookies or auth). */
  headers: string;
  /** The raw body, base64: byte-exact, as it was verified. */
  body: string;
  /** `received` until processed; `unrouted` when no connection matched; `failed` after processing errors. */
  status: InboundEventStatus;
  /** JSON array of the connection ids the event was routed to. */
  connection_ids: string;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  received_at: number;
  processed_at: number | null;
}
