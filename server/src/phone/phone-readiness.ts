import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { down, ReadinessRegistry, up, type PartState } from '../health/readiness-registry';
import { PhoneGatewayService } from './phone-gateway.service';

/** Phone dial-in, when configured (SIP_PORT not 0), is up while the gateway listens. */
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
    return this.gateway.port === null ? down('not listening (see the log for why the SIP port could not be used)') : up();
  }
}
