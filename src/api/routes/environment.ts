import type { Environment } from '../../environments/index.ts';
import { isoTime } from '../../values/instant.ts';
import { contract, type ResponseOf } from '../contract/index.ts';
import { type RouteModule, route } from '../core/routes.ts';

/** `GET /v1/environment`: the environment of the calling key. */
export function environmentRoutes(): RouteModule {
  return {
    name: 'environment',
    routes: [route(contract.environment.get, ({ auth }) => presentEnvironment(auth.environment))],
  };
}

/** An environment as the API shows it. */
export function presentEnvironment(environment: Environment): ResponseOf<typeof contract.environment.get> {
  return {
    id: environment.id,
    name: environment.name,
    createdAt: isoTime(environment.createdAt),
  };
}
