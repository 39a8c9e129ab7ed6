import { describe, expect, it } from 'vitest';
import { productEnv } from './product-env';

describe('productEnv', () => {
  it('starts the product with its embedded database and mail catcher, on 127.0.0.1 at the given ports', () => {
    const env = productEnv({ ports: { http: 3300, db: 27318, smtp: 1325, mailWeb: 1380, rtc: 40300, sip: 0 }, dataDir: '/tmp/data', workerBin: '/bin/worker' });
    expect(env).toMatchObject({
      HOST: '127.0.0.1',
      PORT: '3300',
      PUBLIC_URL: 'http://127.0.0.1:3300',
      RTC_LISTEN_IP: '127.0.0.1',
      SIP_PORT: '0',
      DATA_DIR: '/tmp/data',
      MEDIASOUP_WORKER_BIN: '/bin/worker',
      MONGODB_URI: '',
      SMTP_URL: '',
    });
  });
});
