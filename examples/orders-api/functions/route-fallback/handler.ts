import { loadRuntime, routeFallback } from 'bulwark';
import { appRoutes } from '../../routes.js';

/** Preflight, 404 and 405 for the whole app table, so preflights for the app's own paths pass too. */
export const handler = await routeFallback(appRoutes).build(loadRuntime());
