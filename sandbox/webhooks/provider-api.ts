/**
 * Stand-ins for providers whose webhooks are checked by their own API (`provider_api`
 * definitions): how the sandbox signs a delivery for them, and what their verification API
 * answers for the request the definition sends. Keyed by provider name: the sandbox is where
 * provider-specific behavior lives.
 */
import {
  paypalSandboxSignature,
  paypalVerifyAnswer,
  SANDBOX_PAYPAL_AUTH_ALGO,
  SANDBOX_PAYPAL_CERT_URL,
} from './paypal.ts';

export interface StandInSignOptions {
  body: Buffer;
  secret: string;
  id: string;
  /** Epoch ms. */
  timestamp: number;
  connectionConfig: Record<string, string>;
}

export interface ProviderApiStandIn {
  /** The headers the provider sends with a delivery of `body`. */
  sign(options: StandInSignOptions): Record<string, string>;
  /** The JSON the provider's verification API answers for a request body the engine sent. */
  answer(requestBody: unknown, secret: string): unknown;
}

const STAND_INS: Readonly<Record<string, ProviderApiStandIn>> = {
  paypal: {
    sign({ body, secret, id, timestamp, connectionConfig }) {
      const transmissionTime = new Date(timestamp).toISOString();
      return {
        'paypal-auth-algo': SANDBOX_PAYPAL_AUTH_ALGO,
        'paypal-cert-url': SANDBOX_PAYPAL_CERT_URL,
        'paypal-transmission-id': id,
        'paypal-transmission-sig': paypalSandboxSignature(secret, {
          transmissionId: id,
          transmissionTime,
          webhookId: connectionConfig.webhookId ?? '',
          event: JSON.parse(body.toString('utf8')) as unknown,
        }),
        'paypal-transmission-time': transmissionTime,
      };
    },
    answer: (requestBody, secret) => paypalVerifyAnswer(requestBody, secret),
  },
};

/** The stand-in of `provider`; throws naming the ones there are. */
export function providerApiStandIn(provider: string | undefined): ProviderApiStandIn {
  const standIn = provider === undefined ? undefined : STAND_INS[provider];
  if (!standIn) {
    throw new Error(
      `no provider_api stand-in for ${provider ?? '(no provider given)'}; known: ${Object.keys(STAND_INS).join(', ')}`,
    );
  }
  return standIn;
}
