/**
 * `/v1/events`: retrieve, and list newest first by `type` (exact, or a group with `*` such as
 * `invoice.*`), `types[]` (up to 20 exact types) and `created`.
 */
import { invalidRequest } from '../errors.ts';
import { listPage } from '../list.ts';
import { type EventRecord, eventJson } from '../objects/event.ts';
import type { RouteTable } from '../routes.ts';
import { find } from './lookup.ts';

function typeMatcher(type: string): (event: EventRecord) => boolean {
  if (!type.includes('*')) return (event) => event.type === type;
  const pattern = new RegExp(`^${type.split('*').map(escapeRegExp).join('.*')}$`);
  return (event) => pattern.test(event.type);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export function eventRoutes(routes: RouteTable): void {
  routes.add('GET', '/v1/events/:id', ({ scope, params, path }) => {
    params.done();
    return eventJson(find(scope.account.events, path.id as string, 'event'));
  });

  routes.add('GET', '/v1/events', ({ scope, params }) => {
    const type = params.string('type');
    const types = params.stringList('types');
    params.boolean('delivery_success');
    if (type !== undefined && types !== undefined) {
      throw invalidRequest('You may only specify one of these parameters: type, types.', {
        code: 'parameters_exclusive',
      });
    }
    if (types !== undefined && types.length > 20) {
      throw invalidRequest('You can pass at most 20 types.', { param: 'types' });
    }
    const matches = type === undefined ? undefined : typeMatcher(type);
    const filter = (event: EventRecord) =>
      (matches === undefined || matches(event)) && (types === undefined || types.includes(event.type));
    return listPage(scope.account.events, params, { url: '/v1/events', noun: 'event', filter }, eventJson);
  });
}
