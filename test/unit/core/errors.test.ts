import { describe, expect, it } from 'vitest';
import { PluginError, UserError } from '../../../src/core/errors.js';

describe('UserError', () => {
  it('is recognised across copies of errors.ts (compiled rvos: the dist/cli bundle and dist/src both have one)', async () => {
    // @ts-expect-error: a query string gives a second instance of the module
    const copy = (await import('../../../src/core/errors.ts?second-copy')) as typeof import('../../../src/core/errors.js');
    expect(copy.UserError).not.toBe(UserError);
    expect(new copy.UserError('bad prop')).toBeInstanceOf(UserError);
    expect(new UserError('bad prop')).toBeInstanceOf(copy.UserError);
  });

  it('keeps instanceof exact for other errors and for subclasses', () => {
    class BoardError extends UserError {}
    expect(new Error('x')).not.toBeInstanceOf(UserError);
    expect(new PluginError('p', 'create()', 'boom')).not.toBeInstanceOf(UserError);
    expect(new BoardError('x')).toBeInstanceOf(UserError);
    expect(new UserError('x')).not.toBeInstanceOf(BoardError);
    expect(Object.keys(new UserError('x'))).toEqual(['name']);
  });
});
