import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module';
import { ConferenceController } from './conference.controller';
import { ConferenceGateway } from './conference.gateway';
import { ConferenceService } from './conference.service';
import { JOIN_TOKENS, joinTokensProvider } from './conference.tokens';
import { mediaPlaneProvider } from './media-plane.provider';

@Module({
  imports: [RoomsModule],
  controllers: [ConferenceController],
  providers: [ConferenceService, ConferenceGateway, joinTokensProvider, mediaPlaneProvider],
  exports: [ConferenceService, JOIN_TOKENS],
})
export class ConferenceModule {}
