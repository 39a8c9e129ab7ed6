import { describe, expect, it } from 'vitest';
import { singleWriterReason } from './single-writer-database';

describe('singleWriterReason', () => {
  it('names FerretDB, which loses concurrent updates from several nodes', () => {
    expect(singleWriterReason({ version: '7.0.77', ferretdbVersion: 'v1.24.2' })).toMatch(/^FerretDB v1\.24\.2 .* use a MongoDB replica set/);
  });

  it('has nothing against MongoDB', () => {
    expect(singleWriterReason({ version: '8.0.4', gitVersion: 'abc' })).toBeNull();
  });
});
