/**
 * One bcrypt hash per allowed cost (PASSWORD_BCRYPT_COST is 10-15), of a random password that was
 * thrown away when these were generated. Login compares an unknown user's password against the hash of
 * the configured cost, so both paths do the same bcrypt work (ADR 0009). Being constants, they cost
 * nothing at cold start (hashing one at cost 11 took about 200 ms of every login function's init), and
 * knowing them helps nobody: an unknown user's login fails whatever the comparison says.
 */
const dummyPasswordHashes: Readonly<Record<number, string>> = Object.freeze({
  10: '$2b$10$5max/tmApxK3asq4F3b9ze5X98aGPeUiZlVTw4/r3s8vyVS2ufjgG',
  11: '$2b$11$8.TJYYo.NvwIKg7.nKAHR.0zH8o7t581.gvK27zBX1vkr2MBVYT2.',
  12: '$2b$12$ytQHE5E60RgwogcC7eOu9.AI1kWJZiIbLBy5o1uE6BYR8fOc3k8wC',
  13: '$2b$13$i63AyNwafgfPow.VYJw0suvNkpluwWsh.gPApkwGfuwYCEOiRiS2C',
  14: '$2b$14$Gyy1upd/./J1O57K9BiEOemuWCeZlCDZRvCbShlAo9zJuvrCkU7N2',
  15: '$2b$15$efoO6u0ITUQzdv.RtxxZ8.6CRT6srNRJqAVian9Zw2z0bdwj1/fsC',
});

/** The dummy hash at `cost`; a cost the configuration cannot produce is a caller bug. */
export const dummyPasswordHashFor = (cost: number): string => {
  const hash = dummyPasswordHashes[cost];
  if (hash === undefined) throw new TypeError(`no dummy password hash for bcrypt cost ${cost}`);
  return hash;
};
