/**
 * How a provider signs its deliveries, as the sandbox reads it: the parameters of a definition's
 * `webhooks.verification`, written here from the providers' documented recipes rather than
 * imported from the engine, so that the signer can disagree with the verifier when one is wrong.
 * A definition's verification object is passed as it is; only the fields below are read.
 */
export type SigningRecipe =
  | {
      scheme: 'hmac';
      header: string;
      algorithm: 'sha1' | 'sha256' | 'sha512';
      encoding: 'hex' | 'base64';
      signature:
        | { format: 'value'; prefix?: string | undefined }
        | { format: 'list'; separator: string; key: string };
      signedContent: string;
      /** Characters of `{url}` the provider decodes before signing (HubSpot v3). */
      urlDecode?: string | undefined;
      timestamp?:
        | { from: 'header'; header: string; unit: 's' | 'ms' }
        | { from: 'signature'; key: string; unit: 's' | 'ms' }
        | undefined;
      secretEncoding: 'utf8' | 'base64' | 'whsec_base64';
    }
  | { scheme: 'standard_webhooks'; headerPrefix: 'webhook' | 'svix' }
  | { scheme: 'provider_api' }
  | { scheme: 'url_token'; location: 'query' | 'path'; param: string }
  | { scheme: 'ecdsa_p256'; header: string; timestampHeader: string };

/** A request as it reaches a receiver: lower-cased header names and the raw body bytes. */
export interface ReceivedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  rawBody: Buffer;
  receivedAt: number;
}
