import type { RouteDefinition, RouteTable } from './route-definition.js';

/** The entry `id` of `table`; ids are typed, so a miss is a table changed without its route module. */
export const routeIn = (table: RouteTable, id: string): RouteDefinition => {
  const found = table.find((route) => route.id === id);
  if (found === undefined) throw new TypeError(`No route with id "${id}" in the route table`);
  return found;
};
