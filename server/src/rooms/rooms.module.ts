import { Module } from '@nestjs/common';
import { SecurityModule } from '../security/security.module';
import { RoomsService } from './rooms.service';

@Module({
  imports: [SecurityModule],
  providers: [RoomsService],
  exports: [RoomsService],
})
export class RoomsModule {}
