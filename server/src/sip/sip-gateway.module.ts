import { Module } from '@nestjs/common';
import { ConferenceModule } from '../conference/conference.module';
import { RoomsModule } from '../rooms/rooms.module';
import { SipGatewayService } from './sip-gateway.service';
import { SipReadiness } from './sip-readiness';

/** Phone dial-in (see README.md in this folder). */
@Module({
  imports: [ConferenceModule, RoomsModule],
  providers: [SipGatewayService, SipReadiness],
  exports: [SipGatewayService],
})
export class SipGatewayModule {}
