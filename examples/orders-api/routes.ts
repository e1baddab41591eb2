import { authenticatedEntry, bulwarkRoutes, defineRoutes, realtimeRoutes } from 'bulwark';

/**
 * The app's route table: Bulwark's own routes (login, tokens, API keys, ...), its realtime routes
 * (datasources, the datasource token mint, publish; the gateway is switched on where the table is
 * deployed and served) and the app's. One entry per route; the CDK construct, the local server and the
 * fallback all read this one table.
 */
export const appRoutes = defineRoutes([
  ...bulwarkRoutes,
  ...realtimeRoutes,
  authenticatedEntry({
    id: 'create-order',
    method: 'POST',
    path: '/api/v1/orders',
    // Any signed-in user or API key with the `user` role; others get 403.
    roles: ['user'],
    // Five orders at once per caller, then one every 12 seconds; 429 with Retry-After past it.
    rateLimit: { policy: { kind: 'token_bucket', burst: 5, perSeconds: 60 } },
    description: 'Place an order',
    // A JSON body: the route module's schema validates it, and API Gateway checks it against a model
    // generated from that schema first.
    body: {},
  }),
]);
