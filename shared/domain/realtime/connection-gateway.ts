/**
 * Port of API Gateway's management API (`@connections`), or the local emulator's: the same SDK client
 * serves both. `gone` means the connection no longer exists (410); any other failure is
 * DependencyUnavailableError.
 */
export interface ConnectionGateway {
  /** Sends one text frame. */
  readonly send: (connectionId: string, data: string) => Promise<'sent' | 'gone'>;
  /**
   * Closes the connection. API Gateway closes with 1000 and no reason, whatever the cause, so a caller
   * that needs the client to know why sends an error frame first.
   */
  readonly close: (connectionId: string) => Promise<'closed' | 'gone'>;
}
