import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config';

const PIN_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const production = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://konferenz.example.org',
  SESSION_SECRET: 'production-test-session-secret-0123456789',
  PIN_ENCRYPTION_KEY: PIN_KEY,
};

describe('TRUST_PROXY', () => {
  it('refuses true, naming the variable', () => {
    expect(() => loadConfig({ ...production, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true would trust/);
  });

  it('hands a hop count or an address list to Express as parsed', () => {
    expect(loadConfig({ ...production, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...production, TRUST_PROXY: 'loopback,10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig(production).trustProxy).toBe(false);
  });
});

describe('several nodes (REDIS_URL)', () => {
  const node = {
    ...production,
    REDIS_URL: 'redis://redis.internal:6379',
    MONGODB_URI: 'mongodb://db.internal/konferenz',
    NODE_ORIGINS: 'https://*.konferenz.example.org, https://node-9.example.org:8443/',
  };

  it('needs what every node must share, and where browsers reach this node', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /SESSION_SECRET: required when REDIS_URL is set[\s\S]*PIN_ENCRYPTION_KEY[\s\S]*NODE_PUBLIC_URL[\s\S]*NODE_ORIGINS[\s\S]*MONGODB_URI/,
    );
    expect(() => loadConfig({ ...node, REDIS_URL: 'http://redis.internal' })).toThrow(/REDIS_URL: must start with redis:\/\//);
    expect(() => loadConfig({ ...node, NODE_PUBLIC_URL: 'https://node-1.example.org', NODE_ID: 'node 1' })).toThrow(/NODE_ID/);
    expect(() => loadConfig({ ...node, NODE_PUBLIC_URL: 'https://node-1.example.org', NODE_ORIGINS: 'https://*' })).toThrow(/NODE_ORIGINS/);
  });

  it('names the node and its lease, and stays one node without Redis', () => {
    expect(loadConfig({ ...node, NODE_PUBLIC_URL: 'https://node-1.example.org/', NODE_ID: 'node-1', ROOM_LEASE_SECONDS: '5' }).cluster).toEqual({
      redisUrl: 'redis://redis.internal:6379',
      nodeId: 'node-1',
      nodeUrl: 'https://node-1.example.org',
      nodeOrigins: ['https://*.konferenz.example.org', 'https://node-9.example.org:8443'],
      leaseMs: 5_000,
      mediaHost: null,
    });
    expect(loadConfig({ ...node, NODE_PUBLIC_URL: 'https://node-1.example.org' }).cluster?.nodeId).toMatch(/-\d+$/);
    expect(loadConfig(production).cluster).toBeNull();
  });

  it('keeps calls up at a stop for SIP_DRAIN_SECONDS with several nodes only, and names where linked callers send audio', () => {
    const cluster = { ...node, NODE_PUBLIC_URL: 'https://node-1.example.org' };
    expect(loadConfig(cluster).sip.drainMs).toBe(600_000);
    expect(loadConfig({ ...cluster, SIP_DRAIN_SECONDS: '30', NODE_MEDIA_HOST: 'app2' })).toMatchObject({
      sip: { drainMs: 30_000 },
      cluster: { mediaHost: 'app2' },
    });
    expect(loadConfig({ ...production, SIP_DRAIN_SECONDS: '30' }).sip.drainMs).toBe(0);
    expect(() => loadConfig({ ...cluster, SIP_DRAIN_SECONDS: '-1' })).toThrow(/SIP_DRAIN_SECONDS/);
    expect(() => loadConfig({ ...cluster, NODE_MEDIA_HOST: 'app 2; rm' })).toThrow(/NODE_MEDIA_HOST/);
  });
});

describe('MEDIA_ROUTER_MAX_CONSUMERS', () => {
  it('spreads a room past 400 consumers per router unless told otherwise, and takes only a positive count', () => {
    expect(loadConfig(production).media.routerMaxConsumers).toBe(400);
    expect(loadConfig({ ...production, MEDIA_ROUTER_MAX_CONSUMERS: '50' }).media.routerMaxConsumers).toBe(50);
    expect(() => loadConfig({ ...production, MEDIA_ROUTER_MAX_CONSUMERS: '0' })).toThrow(/MEDIA_ROUTER_MAX_CONSUMERS/);
    expect(() => loadConfig({ ...production, MEDIA_ROUTER_MAX_CONSUMERS: 'many' })).toThrow(/MEDIA_ROUTER_MAX_CONSUMERS/);
  });
});

describe('VIDEO_LAST_N', () => {
  it('shows twelve cameras unless told otherwise, between 1 and 100', () => {
    expect(loadConfig(production).conference.videoLastN).toBe(12);
    expect(loadConfig({ ...production, VIDEO_LAST_N: '4' }).conference.videoLastN).toBe(4);
    expect(() => loadConfig({ ...production, VIDEO_LAST_N: '0' })).toThrow(/VIDEO_LAST_N/);
    expect(() => loadConfig({ ...production, VIDEO_LAST_N: '101' })).toThrow(/VIDEO_LAST_N/);
  });
});

describe('COOKIE_SECURE in production', () => {
  it('refuses an HTTPS-only cookie for an http:// PUBLIC_URL, where no login would stick', () => {
    const plainHttp = { ...production, PUBLIC_URL: 'http://konferenz.example.org' };
    expect(() => loadConfig(plainHttp)).toThrow(ConfigError);
    expect(() => loadConfig(plainHttp)).toThrow(/COOKIE_SECURE/);
    expect(loadConfig({ ...plainHttp, COOKIE_SECURE: 'false' }).session.secureCookie).toBe(false);
    expect(loadConfig(production).session.secureCookie).toBe(true);
  });
});

describe('DATA_DIR/secrets.json', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'konferenz-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const development = () => ({ NODE_ENV: 'development', DATA_DIR: dataDir });

  it('is generated once and read back', () => {
    const first = loadConfig(development());
    expect(loadConfig(development()).secrets).toEqual(first.secrets);
  });

  it('is held to the rules of the environment variables, and a bad file is named', () => {
    const file = join(dataDir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ session: 'short', pinEncryptionKey: 'not base64' }));
    expect(() => loadConfig(development())).toThrow(ConfigError);
    expect(() => loadConfig(development())).toThrow(`${file}: session: must be at least 32 characters`);
    expect(() => loadConfig(development())).toThrow(`${file}: pinEncryptionKey: must be 32 random bytes in base64`);
    writeFileSync(file, JSON.stringify({ session: production.SESSION_SECRET }));
    expect(() => loadConfig(development())).toThrow(`${file}: pinEncryptionKey: missing`);
    writeFileSync(file, '{"session": ');
    expect(() => loadConfig(development())).toThrow(new RegExp(`${file}: .*JSON`));
  });
});
