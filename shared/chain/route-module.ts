import type { Runtime } from '../runtime/runtime.js';
import type { SecureHandler } from './create-secure-handler.js';
import type { RouteContract } from './route-contract.js';

/**
 * One route's code, importable without Lambda: `build(runtime)` wires it on any runtime (Lambda's, the
 * local server's, a unit test's) and returns the handler Lambda calls. A function's handler.ts is one
 * line: `export const handler = await route.build(loadRuntime());`. `contract` is what the route declares
 * about its requests and answers, read by the OpenAPI generator (the fallback answers no route, so it has
 * none).
 */
export interface RouteModule<Id extends string = string> {
  readonly id: Id;
  readonly contract?: RouteContract;
  readonly build: (runtime: Runtime) => Promise<SecureHandler>;
}
