import { ConfigurationError } from '../errors/configuration-error.js';

/** For settings only some functions need: absent where required is a cold-start failure naming it. */
export const requireSetting = <T>(variable: string, value: T | undefined): T => {
  if (value === undefined) throw new ConfigurationError(variable, 'is required by this function');
  return value;
};
