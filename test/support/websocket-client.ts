/**
 * Node's own WebSocket client (undici, the WHATWG API browsers have) with what tests need: every frame
 * kept in order, the close code, and waits with generous deadlines.
 */
export interface RealtimeFrame {
  readonly type: string;
  readonly channel?: string;
  readonly id?: string;
  readonly data?: unknown;
  readonly status?: number;
  readonly close?: number;
  readonly problem?: { readonly type: string; readonly status: number; readonly detail: string };
  readonly [member: string]: unknown;
}

export interface TestSocket {
  readonly socket: WebSocket;
  /** Every text frame received so far, parsed (`{ type: 'text', text }` when it is not JSON). */
  readonly frames: RealtimeFrame[];
  /** Resolves with `open`, or rejects when the handshake fails (the browser sees an error, then 1006). */
  readonly opened: Promise<void>;
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  readonly send: (message: unknown) => void;
  /** Waits for the first frame (counting from `from`) that matches. */
  readonly frame: (
    matches: (frame: RealtimeFrame) => boolean,
    from?: number,
    timeoutMs?: number,
  ) => Promise<RealtimeFrame>;
  readonly close: () => void;
}

export const connectRealtime = (url: string, protocols: readonly string[]): TestSocket => {
  const socket = new WebSocket(url, [...protocols]);
  const frames: RealtimeFrame[] = [];
  const waiters = new Set<() => void>();
  socket.addEventListener('message', (event) => {
    const text = String(event.data);
    try {
      frames.push(JSON.parse(text) as RealtimeFrame);
    } catch {
      frames.push({ type: 'text', text });
    }
    for (const waiter of waiters) waiter();
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('handshake failed')), { once: true });
  });
  opened.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason }), {
      once: true,
    });
  });
  const frame = (
    matches: (frame: RealtimeFrame) => boolean,
    from = 0,
    timeoutMs = 10_000,
  ): Promise<RealtimeFrame> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = frames.slice(from).find(matches);
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching frame within ${timeoutMs} ms; frames: ${JSON.stringify(frames)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    socket,
    frames,
    opened,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    frame,
    close: () => socket.close(),
  };
};

/** Rejects after `timeoutMs`: for promises a test expects to settle soon. */
export const within = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs),
    ),
  ]);
