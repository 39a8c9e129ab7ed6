import { describe, expect, it } from 'vitest';

import { spatialLayerCount, spatialLayerForTile } from './simulcast-layers';

describe('spatialLayerForTile', () => {
  it.each([
    [320, 180, 0],
    [160, 90, 0],
    [1, 1, 0],
    [321, 180, 1],
    [320, 181, 1],
    [640, 360, 1],
    [480, 360, 1],
    [641, 360, 2],
    [640, 361, 2],
    [1280, 720, 2],
    [3840, 2160, 2],
  ])('%ix%i -> layer %i of three', (width, height, layer) => {
    expect(spatialLayerForTile(width, height, 3)).toBe(layer);
  });

  it('never asks for a layer the producer does not send', () => {
    expect(spatialLayerForTile(1280, 720, 2)).toBe(1);
    expect(spatialLayerForTile(1280, 720, 1)).toBe(0);
    expect(spatialLayerForTile(640, 360, 1)).toBe(0);
    expect(spatialLayerForTile(1280, 720, 0)).toBe(0);
  });
});

describe('spatialLayerCount', () => {
  it.each([
    ['S3T3', 3],
    ['S2T1', 2],
    ['L3T3_KEY', 3],
    ['L1T3', 1],
    ['S10T3', 10],
    [undefined, 1],
    ['', 1],
    ['bogus', 1],
    ['S0T1', 1],
  ])('%s has %i spatial layers', (mode, layers) => {
    expect(spatialLayerCount(mode)).toBe(layers);
  });
});
