/** Raised at cold start when the environment cannot run safely; the message names the variable. */
export class ConfigurationError extends Error {
  readonly code = 'ERR_CONFIGURATION';
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigurationError';
    this.variable = variable;
  }
}
