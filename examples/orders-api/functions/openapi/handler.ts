import { loadRuntime } from 'bulwark';
import { route } from './route.js';

export const handler = await route.build(loadRuntime());
