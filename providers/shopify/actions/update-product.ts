import { defineAction, PatchbayError, z } from '../../../src/scripts/index.ts';
import { graphql } from '../graphql.ts';

const MUTATION = `mutation PatchbayProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product { id title status descriptionHtml updatedAt }
    userErrors { field message }
  }
}`;

interface Answer {
  productUpdate: {
    product: { id: string; title: string; status: string; descriptionHtml: string; updatedAt: string } | null;
    userErrors: Array<{ field: string[] | null; message: string }>;
  };
}

/**
 * Changes a product's title, description or status with `productUpdate`
 * (https://shopify.dev/docs/api/admin-graphql/latest/mutations/productUpdate). Setting fields to
 * values is idempotent by nature: a retry sets the same values again.
 */
export default defineAction({
  name: 'update-product',
  description: "Updates a Shopify product's title, description or status.",
  input: z
    .object({
      productId: z.string().regex(/^gid:\/\/shopify\/Product\/\d+$/, 'a Product global id'),
      title: z.string().min(1).max(255).optional(),
      descriptionHtml: z.string().max(65_535).optional(),
      status: z.enum(['ACTIVE', 'ARCHIVED', 'DRAFT']).optional(),
    })
    .refine(
      (input) =>
        input.title !== undefined || input.descriptionHtml !== undefined || input.status !== undefined,
      {
        message: 'give at least one of title, descriptionHtml and status',
        path: ['title'],
      },
    ),
  output: z.object({ productId: z.string(), title: z.string(), status: z.string(), updatedAt: z.string() }),
  async exec(ctx, input) {
    const { productId, ...fields } = input;
    const data = await graphql<Answer>(ctx, MUTATION, { product: { id: productId, ...fields } });
    const product = data.productUpdate.product;
    if (!product) {
      throw new PatchbayError(
        'provider_error',
        `Shopify refused the product update: ${data.productUpdate.userErrors.map((error) => error.message).join('; ')}`,
      );
    }
    return {
      productId: product.id,
      title: product.title,
      status: product.status,
      updatedAt: product.updatedAt,
    };
  },
});
