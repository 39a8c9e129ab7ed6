import { Inject, Injectable } from '@nestjs/common';
import type { MediaPlane } from '@konferenz/sfu';
import { down, ReadinessRegistry, up, type PartState } from '../health/readiness-registry';
import { MEDIA_PLANE } from './media-plane.provider';

/** Media is up while at least one mediasoup worker lives: new rooms can be placed on it. */
@Injectable()
export class MediaReadiness {
  constructor(
    registry: ReadinessRegistry,
    @Inject(MEDIA_PLANE) private readonly plane: MediaPlane,
  ) {
    registry.register('media', () => this.check());
  }

  async check(): Promise<PartState> {
    const { alive, size } = this.plane.workers;
    return alive > 0 ? up() : down(`no mediasoup worker alive (of ${size}); a replacement is being started`);
  }
}
