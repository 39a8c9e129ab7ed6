import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { PassportSerializer } from '@nestjs/passport';
import type { Model } from 'mongoose';
import { User } from '../accounts/schemas/user.schema';
import type { AuthenticatedUser } from './authenticated-user';

/**
 * The session stores only the user id; every request reloads the few fields the guards need, so
 * a deleted account or a finished PIN setup takes effect at once in every open session.
 */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {
    super();
  }

  serializeUser(user: AuthenticatedUser, done: (error: Error | null, id?: string) => void): void {
    done(null, user.id);
  }

  deserializeUser(id: string, done: (error: Error | null, user?: AuthenticatedUser | false) => void): void {
    this.users
      .findOne({ _id: id, deletedAt: null })
      .select('username language room.pinsSet')
      .lean<Pick<User, 'username' | 'language' | 'room'>>()
      .then((user) =>
        done(null, user ? { id, username: user.username, pinsSet: user.room.pinsSet, language: user.language } : false),
      )
      .catch((error: Error) => done(error));
  }
}
