/**
 * How the connect page groups what it offers: the integrations of one provider family (stripe and
 * its variant stripe-api-key) share one tile, a button per method, so the end user picks Stripe
 * once and then how to connect; every other integration is a tile alone, as before families.
 */
import type { z } from 'zod';
import { type Catalog, familyHead, familyName, type ProviderDefinition } from '../../catalog/index.ts';
import type { connectTileSchema } from '../contract/connect-flow.ts';
import { type ConnectIntegrationView, logoUrl } from './flow-present.ts';

export type ConnectTileView = z.output<typeof connectTileSchema>;

/** An integration the session offers, with its definition and what the page is told of it. */
export interface OfferedIntegration {
  definition: ProviderDefinition;
  view: ConnectIntegrationView;
}

/**
 * The tiles for `offered`, each where its first integration is in `offered`. A family shares a
 * tile only when each of its providers is offered once: two integrations of one provider (two
 * Stripe platforms) would be two identical buttons, so such a family keeps a tile per integration.
 */
export function arrangeTiles(
  offered: readonly OfferedIntegration[],
  catalog: Catalog,
  publicUrl: string,
): ConnectTileView[] {
  const families = new Map<string, OfferedIntegration[]>();
  for (const item of offered) {
    const family = familyName(item.definition);
    families.set(family, [...(families.get(family) ?? []), item]);
  }
  const tiles: ConnectTileView[] = [];
  const placed = new Set<string>();
  for (const item of offered) {
    const family = familyName(item.definition);
    const members = families.get(family) ?? [item];
    if (!sharesTile(members)) {
      tiles.push(tileAlone(item, family));
    } else if (!placed.has(family)) {
      placed.add(family);
      tiles.push(familyTile(family, members, catalog, publicUrl));
    }
  }
  return tiles;
}

function sharesTile(members: readonly OfferedIntegration[]): boolean {
  const providers = new Set(members.map((member) => member.view.provider));
  return members.length > 1 && providers.size === members.length;
}

function tileAlone({ view }: OfferedIntegration, family: string): ConnectTileView {
  return {
    key: view.key,
    provider: family,
    displayName: view.displayName,
    description: view.description,
    logoUrl: view.logoUrl,
    integrations: [view.key],
  };
}

/**
 * A family's tile: named and pictured by the family's provider (its integration's display name
 * when that is offered), its methods that provider first, then the variants by name.
 */
function familyTile(
  family: string,
  members: readonly OfferedIntegration[],
  catalog: Catalog,
  publicUrl: string,
): ConnectTileView {
  const ordered = [...members].sort((a, b) => methodRank(a, family) - methodRank(b, family) || byName(a, b));
  const first = ordered[0]!;
  const head = first.view.provider === family ? first.view : null;
  const headDefinition = familyHead(catalog, first.definition);
  return {
    key: first.view.key,
    provider: family,
    displayName: head?.displayName ?? headDefinition.displayName,
    description: head?.description ?? headDefinition.description,
    logoUrl: head?.logoUrl ?? logoUrl(headDefinition, publicUrl),
    integrations: ordered.map((member) => member.view.key),
  };
}

function methodRank(member: OfferedIntegration, family: string): number {
  return member.view.provider === family ? 0 : 1;
}

function byName(a: OfferedIntegration, b: OfferedIntegration): number {
  return a.view.provider < b.view.provider ? -1 : a.view.provider > b.view.provider ? 1 : 0;
}
