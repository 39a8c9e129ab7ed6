import { Logger, type FactoryProvider } from '@nestjs/common';
import { MediaPlane } from '@konferenz/sfu';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

export const MEDIA_PLANE = Symbol('MEDIA_PLANE');

/** The SFU: one mediasoup worker per core, started with the server and closed with it. */
export const mediaPlaneProvider: FactoryProvider<Promise<MediaPlane>> = {
  provide: MEDIA_PLANE,
  inject: [APP_CONFIG],
  useFactory: async (config: AppConfig) => {
    const plane = await MediaPlane.create({
      numWorkers: config.media.workers,
      listenIp: config.media.listenIp,
      announcedIp: config.media.announcedIp,
      rtcPort: config.media.rtcPort,
      maxRouterLoad: config.media.routerMaxConsumers,
      logLevel: 'warn',
    });
    const logger = new Logger('Media');
    // A crashing worker is rebuilt without anyone noticing in the browser: the log is where it shows.
    plane.on('workerDied', ({ pid, error }) => logger.error(`mediasoup worker ${pid} died (${error.message}); its rooms move to a new worker`));
    return plane;
  },
};
