/**
 * The outbound contracts, fixed first so that endpoints, dispatch, delivery and the API can be
 * built side by side:
 * - endpoints.ts implements EndpointsService (and EndpointAccess for delivery);
 * - dispatcher.ts fans events out to messages (the outbox's reader);
 * - messages.ts implements MessagesService (API-created messages, lists, replay);
 * - delivery/ implements the delivery job, its schedule, attempts and auto-disable.
 */
import type { AttemptTrigger, MessageStatus } from '../store/index.ts';

export interface Endpoint {
  id: string;
  environmentId: string;
  url: string;
  description: string | null;
  /** Exact types or `prefix.*`; null = every event type. */
  eventTypes: string[] | null;
  /**
   * Null = no channel filter (every message whose type matches); otherwise only messages carrying
   * one of these channels (messages without channels do not reach a channel-filtered endpoint, as
   * in Svix).
   */
  channels: string[] | null;
  headers: Record<string, string>;
  rateLimitPerSecond: number | null;
  maxConcurrency: number;
  enabled: boolean;
  disabledReason: 'manual' | 'gone' | 'failing' | null;
  failingSince: number | null;
  lastSuccessAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What routing a message needs to know about an endpoint. */
export type EndpointRoute = Pick<Endpoint, 'id' | 'environmentId' | 'eventTypes' | 'channels'>;

export interface CreateEndpointInput {
  url: string;
  description?: string | null;
  eventTypes?: string[] | null;
  channels?: string[] | null;
  headers?: Record<string, string>;
  rateLimitPerSecond?: number | null;
  maxConcurrency?: number;
  /** A `whsec_…` secret to use; generated when absent. */
  secret?: string;
}

export type UpdateEndpointInput = Partial<Omit<CreateEndpointInput, 'secret'>> & { enabled?: boolean };

/** What delivery needs about an endpoint: its settings and every secret that signs now. */
/** What one delivery attempt needs of its endpoint. */
export interface DeliveryTarget
  extends Pick<Endpoint, 'id' | 'url' | 'enabled' | 'headers' | 'rateLimitPerSecond' | 'maxConcurrency'> {
  /** Current secret first, then the previous one while its grace period lasts. Plaintext: memory only. */
  secrets: string[];
}

/** See EndpointsService.attemptOf. */
export interface AttemptSubject {
  endpointId: string;
  /** The stored body, sent as is. */
  payload: string;
  status: MessageStatus;
  nextAttemptAt: number | null;
  /** Settings and plaintext secrets (memory only, for this attempt); null when the endpoint is gone. */
  target(): DeliveryTarget | null;
}

export interface EndpointsService {
  /** `validation_failed` for a URL that is not http(s) or carries credentials. */
  create(environmentId: string, input: CreateEndpointInput): Promise<{ endpoint: Endpoint; secret: string }>;
  list(
    environmentId: string,
    options?: { after?: string; limit?: number },
  ): Promise<{ data: Endpoint[]; nextAfter: string | null }>;
  get(environmentId: string, id: string): Promise<Endpoint>;
  update(environmentId: string, id: string, patch: UpdateEndpointInput): Promise<Endpoint>;
  /** Deletes the endpoint with its messages and attempts. */
  delete(environmentId: string, id: string): Promise<void>;
  /** The current secret (for the host's receiver configuration). */
  getSecret(environmentId: string, id: string): Promise<string>;
  /**
   * A new secret (given or generated); the old one keeps signing for `graceSeconds`
   * (default 24 h). Returns the new secret.
   */
  rotateSecret(
    environmentId: string,
    id: string,
    options?: { secret?: string; graceSeconds?: number },
  ): Promise<string>;
  /** For delivery: settings plus decrypted signing secrets. `not_found` when deleted. */
  target(environmentId: string, id: string): Promise<DeliveryTarget>;
  /**
   * For one delivery attempt, in one read: the message's delivery state and its endpoint (null
   * when deleted), whose secrets are decrypted only when `target()` is called. Null when the
   * message does not exist.
   */
  attemptOf(environmentId: string, messageId: string): Promise<AttemptSubject | null>;
  /**
   * Endpoints of the environment that take an event of this type on these channels (enabled
   * only). On the dispatch path, so it returns the routing fields alone and decrypts nothing.
   */
  matching(
    environmentId: string,
    eventType: string,
    channels: readonly string[] | null,
  ): Promise<EndpointRoute[]>;
}

export interface Message {
  id: string;
  environmentId: string;
  endpointId: string;
  eventId: string | null;
  eventType: string;
  channels: string[] | null;
  /** The delivered body: `{ type, timestamp, data }`. */
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  status: MessageStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  createdAt: number;
}

export interface Attempt {
  id: string;
  messageId: string;
  endpointId: string;
  attempt: number;
  trigger: AttemptTrigger;
  status: 'succeeded' | 'failed';
  responseStatus: number | null;
  responseBody: string | null;
  durationMs: number;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: number;
}

export interface ListMessagesFilter {
  endpointId?: string;
  status?: MessageStatus;
  eventType?: string;
  /** Epoch ms bounds on creation time. */
  since?: number;
  until?: number;
  after?: string;
  limit?: number;
}

export interface MessagesService {
  /**
   * Creates messages for an event given through the API (fanned out like engine events). With an
   * idempotency key, a repeat returns the messages the first call created. `data` nested deeper
   * than 64 levels is refused `json_too_deep`.
   */
  create(
    environmentId: string,
    input: {
      eventType: string;
      data: Record<string, unknown>;
      channels?: string[] | null;
      idempotencyKey?: string | null;
    },
  ): Promise<Message[]>;
  list(
    environmentId: string,
    filter?: ListMessagesFilter,
  ): Promise<{ data: Message[]; nextAfter: string | null }>;
  get(environmentId: string, id: string): Promise<Message>;
  attempts(
    environmentId: string,
    messageId: string,
    options?: { after?: string; limit?: number },
  ): Promise<{ data: Attempt[]; nextAfter: string | null }>;
  /** One manual attempt now; it does not schedule further retries. */
  resend(environmentId: string, messageId: string): Promise<void>;
  /**
   * Resends, in the background, every failed message of an endpoint created since `since`
   * (at most `limit`, default 10,000). Returns how many were queued.
   */
  recover(
    environmentId: string,
    endpointId: string,
    since: number,
    limit?: number,
  ): Promise<{ queued: number }>;
}

/** The retry schedule: delays after each failed attempt, before jitter. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  10 * 3600_000,
];
