/**
 * Metadata as Stripe takes it: a hash of strings, at most 50 keys, keys up to 40 characters and
 * values up to 500; `metadata=` clears it all and `metadata[key]=` removes one key.
 */
import { invalidRequest } from './errors.ts';
import type { FormValue } from './form.ts';

/** Metadata as sent: null clears every key; a null value removes that key. */
export type MetadataUpdate = null | Record<string, string | null>;

/** Checks a decoded `metadata` parameter named `param`. */
export function readMetadata(value: FormValue, param: string): MetadataUpdate {
  if (value === '') return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('Invalid metadata: must be a hash of keys and values', { param });
  }
  const entries = Object.entries(value);
  if (entries.length > 50) throw invalidRequest('Metadata can have up to 50 keys.', { param });
  const update: Record<string, string | null> = {};
  for (const [name, item] of entries) {
    const itemParam = `${param}[${name}]`;
    if (typeof item !== 'string')
      throw invalidRequest(`Invalid ${itemParam}: must be a string`, { param: itemParam });
    if (name.length > 40)
      throw invalidRequest('Metadata keys can have up to 40 characters.', { param: itemParam });
    if (item.length > 500) {
      throw invalidRequest('Metadata values can have up to 500 characters.', { param: itemParam });
    }
    update[name] = item === '' ? null : item;
  }
  return update;
}

/** Applies a metadata update to the current metadata (a new object; the old one is not changed). */
export function applyMetadata(current: Record<string, string>, update: MetadataUpdate | undefined) {
  if (update === undefined) return current;
  if (update === null) return {};
  const next: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}
