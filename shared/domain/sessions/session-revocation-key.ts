/**
 * Partition key (in the sessions table) of the item whose presence means every access token of
 * `sessionId` is revoked. Its one home: the session store writes it, authentication proves it absent
 * inside the rate limiter's write, and the IAM grants name its prefix (`revoked#*`).
 */
export const sessionRevocationKey = (sessionId: string): string => `revoked#${sessionId}`;
