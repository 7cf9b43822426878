/** Products. */
import type Stripe from 'stripe';
import type { View } from '../context.ts';
import type { StripeJson } from '../json.ts';

export interface ProductRecord {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  updated: number;
  name: string;
  description: string | null;
  active: boolean;
  metadata: Record<string, string>;
  defaultPrice: string | null;
  images: string[];
  url: string | null;
  unitLabel: string | null;
  statementDescriptor: string | null;
}

export function productJson(product: ProductRecord, _view: View): StripeJson<Stripe.Product> {
  return {
    id: product.id,
    object: 'product',
    active: product.active,
    created: product.created,
    default_price: product.defaultPrice,
    description: product.description,
    images: [...product.images],
    livemode: false,
    marketing_features: [],
    metadata: { ...product.metadata },
    name: product.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: product.statementDescriptor,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: product.unitLabel,
    updated: product.updated,
    url: product.url,
  };
}
