/**
 * resolveClientIp inside the real chain: which address the route sees for a given X-Forwarded-For and
 * hop count, and the warning that explains why the header was not trusted.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonResponse } from '../../../shared/http/json-response.js';
import { importFresh } from '../../support/import-fresh.js';
import { secureRequestOf } from '../../support/secure-request-of.js';
import { chainOf } from '../../support/test-chain.js';
import {
  type ApiGatewayEventOptions,
  apiGatewayEvent,
  lambdaContext,
  TEST_SOURCE_IP,
  testRuntime,
} from '../../support/test-runtime.js';

const clientIpRoute = async (hops: number) => {
  const runtime = testRuntime({ API_TRUST_PROXY_HOPS: String(hops) });
  const handler = await chainOf(runtime, { auth: 'public' }, async ({ clientIp }) =>
    jsonResponse(200, { clientIp }),
  );
  const clientIpFor = async (options: ApiGatewayEventOptions): Promise<string> => {
    const response = await handler(apiGatewayEvent(options), lambdaContext());
    expect(response.statusCode).toBe(200);
    return (JSON.parse(response.body) as { clientIp: string }).clientIp;
  };
  return { runtime, clientIpFor };
};

const withForwardedFor = (value: string): ApiGatewayEventOptions => ({
  headers: { 'X-Forwarded-For': value },
});

describe('resolveClientIp', () => {
  it('uses the API Gateway source IP by default, whatever X-Forwarded-For says', async () => {
    const { runtime, clientIpFor } = await clientIpRoute(0);
    expect(await clientIpFor(withForwardedFor('203.0.113.50, 10.0.0.1'))).toBe(TEST_SOURCE_IP);
    expect(runtime.logs.lines).toEqual([]);
  });

  it('takes the rightmost X-Forwarded-For entry behind one trusted proxy', async () => {
    const { clientIpFor } = await clientIpRoute(1);
    expect(await clientIpFor(withForwardedFor('203.0.113.50, 198.51.100.20'))).toBe('198.51.100.20');
  });

  it('takes the second entry from the right behind two trusted proxies', async () => {
    const { clientIpFor } = await clientIpRoute(2);
    expect(await clientIpFor(withForwardedFor('1.1.1.1, 203.0.113.50, 10.0.0.1'))).toBe('203.0.113.50');
  });

  it('accepts an IPv6 entry', async () => {
    const { clientIpFor } = await clientIpRoute(1);
    expect(await clientIpFor(withForwardedFor('203.0.113.50, 2001:db8::17'))).toBe('2001:db8::17');
  });

  it('tolerates missing spaces and empty entries between commas', async () => {
    const { clientIpFor } = await clientIpRoute(2);
    expect(await clientIpFor(withForwardedFor('9.9.9.9,,203.0.113.50 ,10.0.0.1,'))).toBe('203.0.113.50');
  });

  it('reads repeated X-Forwarded-For headers as one list, in order', async () => {
    const { clientIpFor } = await clientIpRoute(2);
    const options = { multiValueHeaders: { 'X-Forwarded-For': ['6.6.6.6, 203.0.113.50', '10.0.0.1'] } };
    expect(await clientIpFor(options)).toBe('203.0.113.50');
    const { clientIpFor: oneHop } = await clientIpRoute(1);
    expect(await oneHop({ multiValueHeaders: { 'x-forwarded-for': ['10.0.0.1', '203.0.113.50'] } })).toBe(
      '203.0.113.50',
    );
    const { clientIpFor: threeHops } = await clientIpRoute(3);
    expect(await threeHops(options)).toBe('6.6.6.6');
  });

  it('is not moved by anything a client prepends to the trusted tail', async () => {
    const { clientIpFor } = await clientIpRoute(2);
    const trustedTail = '203.0.113.50, 10.0.0.1';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.constant('')), { maxLength: 8 }),
        fc.boolean(),
        async (prefix, asSeparateHeader) => {
          const options: ApiGatewayEventOptions = asSeparateHeader
            ? { multiValueHeaders: { 'X-Forwarded-For': [...prefix, trustedTail] } }
            : withForwardedFor([...prefix, trustedTail].join(', '));
          expect(await clientIpFor(options)).toBe('203.0.113.50');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the source IP and warns when X-Forwarded-For is missing', async () => {
    const { runtime, clientIpFor } = await clientIpRoute(1);
    expect(await clientIpFor({ headers: { 'X-Request-Id': 'no-xff' } })).toBe(TEST_SOURCE_IP);
    expect(runtime.logs.entries()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'trust proxy hops configured but X-Forwarded-For is missing',
        trust_proxy_hops: 1,
        request_id: 'no-xff',
      }),
    ]);
  });

  it('keeps the source IP and warns when X-Forwarded-For has only commas and spaces', async () => {
    const { runtime, clientIpFor } = await clientIpRoute(1);
    expect(await clientIpFor(withForwardedFor(' , ,'))).toBe(TEST_SOURCE_IP);
    expect(runtime.logs.messages('WARN')).toEqual([
      'trust proxy hops configured but X-Forwarded-For is missing',
    ]);
  });

  it('keeps the source IP and warns when X-Forwarded-For has fewer entries than the hops', async () => {
    const { runtime, clientIpFor } = await clientIpRoute(3);
    expect(await clientIpFor(withForwardedFor('203.0.113.50, 10.0.0.1'))).toBe(TEST_SOURCE_IP);
    expect(runtime.logs.entries()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'X-Forwarded-For has fewer entries than configured trust proxy hops',
        trust_proxy_hops: 3,
        forwarded_entries: 2,
      }),
    ]);
  });

  it.each([
    ['a host name', 'attacker.example'],
    ['an address with a port', '203.0.113.50:4711'],
    ['a script', '<script>alert(1)</script>'],
    ['the literal unknown', 'unknown'],
  ])('keeps the source IP and warns when the chosen entry is %s', async (_, entry) => {
    const { runtime, clientIpFor } = await clientIpRoute(2);
    expect(await clientIpFor(withForwardedFor(`${entry}, 10.0.0.1`))).toBe(TEST_SOURCE_IP);
    expect(runtime.logs.entries()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'trust proxy hops configured but X-Forwarded-For entry is invalid',
        trust_proxy_hops: 2,
      }),
    ]);
    expect(runtime.logs.text()).not.toContain(entry);
  });
});

describe('resolveClientIp on events without multi-value headers', () => {
  // Events built by other front ends (or API Gateway with no repeated headers) may carry only `headers`.
  // The module is loaded afresh for each test, so its factory and header reader (module constants) are
  // mutation-tested too.
  type ClientIpModule = typeof import('../../../shared/middlewares/resolve-client-ip.js');
  let resolveClientIp: ClientIpModule['resolveClientIp'];
  beforeEach(async () => {
    ({ resolveClientIp: resolveClientIp } = await importFresh<ClientIpModule>(
      new URL('../../../shared/middlewares/resolve-client-ip.js', import.meta.url),
    ));
  });
  const clientIpOf = (hops: number, event: Partial<APIGatewayProxyEvent>) => {
    const { request, logged } = secureRequestOf({ event, clientIp: TEST_SOURCE_IP });
    resolveClientIp({ trustProxyHops: hops }).before?.(request);
    return { clientIp: request.context.bulwark.clientIp, logged };
  };

  it('keeps the socket address and logs nothing with 0 hops, whatever X-Forwarded-For says', () => {
    const { clientIp, logged } = clientIpOf(0, { headers: { 'x-forwarded-for': '203.0.113.50' } });
    expect(clientIp).toBe(TEST_SOURCE_IP);
    expect(logged).toEqual([]);
  });

  it('logs the entry count only with the warning about too few entries', () => {
    const missing = clientIpOf(2, { headers: {} }).logged;
    const invalid = clientIpOf(1, { headers: { 'x-forwarded-for': 'unknown' } }).logged;
    const tooShort = clientIpOf(3, { headers: { 'x-forwarded-for': '203.0.113.50, 10.0.0.1' } }).logged;
    expect(missing.map((line) => line.attributes)).toStrictEqual([{ trust_proxy_hops: 2 }]);
    expect(invalid.map((line) => line.attributes)).toStrictEqual([{ trust_proxy_hops: 1 }]);
    expect(tooShort.map((line) => line.attributes)).toStrictEqual([
      { trust_proxy_hops: 3, forwarded_entries: 2 },
    ]);
  });

  it('reads the single X-Forwarded-For header when there are no multi-value headers', () => {
    for (const multiValueHeaders of [null, undefined, {}]) {
      const { clientIp } = clientIpOf(1, {
        headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.50' },
        multiValueHeaders: multiValueHeaders as never,
      });
      expect(clientIp).toBe('203.0.113.50');
    }
  });

  it('treats an event without any headers as having no X-Forwarded-For', () => {
    const { clientIp, logged } = clientIpOf(1, { headers: null as never, multiValueHeaders: null as never });
    expect(clientIp).toBe(TEST_SOURCE_IP);
    expect(logged.map((line) => line.message)).toEqual([
      'trust proxy hops configured but X-Forwarded-For is missing',
    ]);
  });

  it('skips header values API Gateway left null', () => {
    const { clientIp } = clientIpOf(1, {
      multiValueHeaders: { 'x-forwarded-for': ['203.0.113.51', null as never] },
    });
    expect(clientIp).toBe('203.0.113.51');
  });
});
