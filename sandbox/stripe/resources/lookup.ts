/** Finding an object an API call names, with Stripe's "No such …" answer when there is none. */
import type { Collection, Listed } from '../collection.ts';
import { noSuch } from '../errors.ts';

/**
 * The object `id` in `collection`. `param` is the parameter that named it (`id` for the path),
 * and objects given as parameters are missing with a 400, as at Stripe, path ids with a 404.
 */
export function find<T extends Listed>(collection: Collection<T>, id: string, noun: string, param = 'id'): T {
  const found = collection.get(id);
  if (found === undefined) throw noSuch(noun, id, param, param === 'id' ? 404 : 400);
  return found;
}
