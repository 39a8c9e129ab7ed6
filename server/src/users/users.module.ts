import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MongoUsersRepository } from './mongo-users-repository';
import { User, UserSchema } from './user.schema';
import { USERS_REPOSITORY } from './users-repository';

/** The accounts' storage: accounts, auth and rooms reach the users collection only through USERS_REPOSITORY. */
@Module({
  imports: [MongooseModule.forFeature([{ name: User.name, schema: UserSchema }])],
  providers: [{ provide: USERS_REPOSITORY, useClass: MongoUsersRepository }],
  exports: [USERS_REPOSITORY],
})
export class UsersModule {}
