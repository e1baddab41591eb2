/** `bulwark/local`: serve a route table on this machine exactly as `npm start` serves Bulwark's. */

export { bulwarkPackageRoot } from './bulwark-package-root.js';
export { type LocalStackOptions, type RunningLocalStack, runLocalStack } from './run-local-stack.js';
export { type LocalStackEnvironment, serveLocally } from './run-local-stack-from-environment.js';
export {
  type RunningWebSocketEmulator,
  startWebSocketEmulator,
  type WebSocketEmulatorOptions,
} from './websocket-emulator.js';
