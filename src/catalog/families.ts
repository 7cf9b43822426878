/**
 * Provider families: a provider and the variants that name it in `variantOf` (stripe, and
 * stripe-api-key) are one service reached in different ways. A host offers the family as one
 * choice, and each way is a method with its own label ("Connect with Stripe", "Use my own keys").
 */
import type { Catalog } from './registry.ts';
import type { ProviderDefinition } from './schema.ts';

/** The name of the family `definition` belongs to: the provider it is a variant of, or its own. */
export function familyName(definition: Pick<ProviderDefinition, 'name' | 'variantOf'>): string {
  return definition.variantOf ?? definition.name;
}

/** The family's first provider (the registry guarantees it exists and is not a variant). */
export function familyHead(catalog: Catalog, definition: ProviderDefinition): ProviderDefinition {
  return catalog.get(familyName(definition)) ?? definition;
}

/**
 * The label of the button that connects by `definition`: its own `methodLabel`, else one by auth
 * mode naming `brand`, the family's display name (so stripe-api-key's OAuth sibling reads
 * "Connect with Stripe", not "Connect with Stripe (API keys)").
 */
export function methodLabel(definition: ProviderDefinition, brand: string): string {
  if (definition.methodLabel !== undefined) return definition.methodLabel;
  const auth = definition.auth;
  switch (auth.mode) {
    case 'oauth2':
      return `Connect with ${brand}`;
    case 'oauth2_client_credentials':
      // Pasted per connection, the end user types them; held by the integration, one click does.
      return auth.credentialsFrom === 'connection' ? 'Enter client credentials' : `Connect with ${brand}`;
    case 'api_key':
      return 'Enter API key';
    case 'basic':
      return 'Enter credentials';
    case 'none':
      return `Connect ${brand}`;
  }
}
