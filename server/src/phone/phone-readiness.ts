import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { down, ReadinessRegistry, up, type PartState } from '../health/readiness-registry';
import { PhoneGatewayService } from './phone-gateway.service';

/** Phone dial-in, when configured (SIP_PORT not 0), is up while the gateway listens and takes new calls (not while a stopping node drains). */
@Injectable()
export class PhoneReadiness {
  constructor(
    registry: ReadinessRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly gateway: PhoneGatewayService,
  ) {
    if (config.sip.port !== 0) registry.register('sip', () => this.check());
  }

  async check(): Promise<PartState> {
    if (this.gateway.port === null) return down('not listening (see the log for why the SIP port could not be used)');
    return this.gateway.draining ? down('draining: the node is stopping and takes no new call') : up();
  }
}
