import { loadRuntime } from '../../shared/runtime/load-runtime.js';
import { route } from './route.js';

export const handler = await route.build(loadRuntime());
