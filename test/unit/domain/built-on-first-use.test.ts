/** builtOnFirstUse: what a module would make when it loads, made on the first call instead, once. */
import { describe, expect, it } from 'vitest';
import { builtOnFirstUse } from '../../../shared/domain/built-on-first-use.js';

describe('builtOnFirstUse', () => {
  it('builds nothing until the first call, then once, however often it is called', () => {
    let builds = 0;
    const value = builtOnFirstUse(() => {
      builds += 1;
      return { schema: builds };
    });
    expect(builds).toBe(0);
    const first = value();
    expect(value()).toBe(first);
    expect(value()).toBe(first);
    expect(builds).toBe(1);
  });

  it('keeps a built value that is undefined or false, without building again', () => {
    let builds = 0;
    const nothing = builtOnFirstUse(() => {
      builds += 1;
      return undefined;
    });
    nothing();
    nothing();
    expect(builds).toBe(1);
  });
});
