import { describe, expect, it } from 'vitest';
import { edgeCorsHeaders } from '../../../shared/http/edge-cors-headers.js';

const cors = (enabled: boolean, allowOrigins: readonly string[]) => ({
  enabled,
  allowOrigins,
  maxAgeSeconds: 600,
});

describe('CORS headers on answers API Gateway and WAF make themselves', () => {
  it('name the one configured origin and expose the request id and Retry-After', () => {
    const result = edgeCorsHeaders(cors(true, ['https://app.example.com']));
    expect(result.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    expect(result.headers['Access-Control-Expose-Headers']).toBe(
      'x-request-id, x-amzn-RequestId, Retry-After',
    );
    expect(result.unreadableBy).toBeUndefined();
  });

  it('name no origin when several are allowed, and say which browsers cannot read the answer', () => {
    const origins = ['https://app.example.com', 'https://admin.example.com'];
    const result = edgeCorsHeaders(cors(true, origins));
    expect(result.headers).toEqual({});
    expect(result.unreadableBy).toEqual(origins);
  });

  it('add nothing when CORS is off or allows nothing', () => {
    expect(edgeCorsHeaders(cors(false, ['https://app.example.com']))).toEqual({ headers: {} });
    expect(edgeCorsHeaders(cors(true, []))).toEqual({ headers: {} });
  });

  it('never send credentials, so a lone "*" (refused in production) stays a public read of a static error', () => {
    const result = edgeCorsHeaders(cors(true, ['*']));
    expect(result.headers['Access-Control-Allow-Origin']).toBe('*');
    for (const origins of [
      ['*'],
      ['https://app.example.com'],
      ['https://a.example.com', 'https://b.example.com'],
    ])
      expect(Object.keys(edgeCorsHeaders(cors(true, origins)).headers)).not.toContain(
        'Access-Control-Allow-Credentials',
      );
  });

  it.each([
    ['https://app.example.com/'],
    ['https://app.example.com/path'],
    ['app.example.com'],
    ['ftp://app.example.com'],
    ['https://app.example.com:443'],
    ['null'],
  ])('refuses %s, which is not an exact origin', (origin) => {
    expect(() => edgeCorsHeaders(cors(true, [origin]))).toThrow(TypeError);
  });

  it('refuses "*" next to other origins, even with CORS off', () => {
    expect(() => edgeCorsHeaders(cors(false, ['*', 'https://app.example.com']))).toThrow(TypeError);
  });
});
