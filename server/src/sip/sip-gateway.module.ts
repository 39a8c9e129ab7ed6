import { Module } from '@nestjs/common';
import { ConferenceModule } from '../conference/conference.module';
import { RoomsModule } from '../rooms/rooms.module';
import { SipGatewayService } from './sip-gateway.service';

/** Phone dial-in (see README.md in this folder). */
@Module({
  imports: [ConferenceModule, RoomsModule],
  providers: [SipGatewayService],
  exports: [SipGatewayService],
})
export class SipGatewayModule {}
