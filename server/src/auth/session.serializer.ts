import { Inject, Injectable } from '@nestjs/common';
import { PassportSerializer } from '@nestjs/passport';
import { USERS_REPOSITORY, type UsersRepository } from '../users/users-repository';
import type { AuthenticatedUser } from './authenticated-user';

/** What the session store keeps for a login. */
interface SessionPrincipal {
  id: string;
  epoch: number;
}

/**
 * The session stores only the user id and session epoch; every request reloads the few fields the
 * guards need, so a deleted account, a finished PIN setup or a password change (new epoch) takes
 * effect at once in every open session.
 */
@Injectable()
export class SessionSerializer extends PassportSerializer {
  constructor(@Inject(USERS_REPOSITORY) private readonly users: UsersRepository) {
    super();
  }

  serializeUser(user: AuthenticatedUser, done: (error: Error | null, principal?: SessionPrincipal) => void): void {
    done(null, { id: user.id, epoch: user.sessionEpoch });
  }

  deserializeUser(principal: SessionPrincipal | string, done: (error: Error | null, user?: AuthenticatedUser | false) => void): void {
    // Sessions from before the epoch existed hold a bare id: they end like after a password change.
    if (typeof principal !== 'object') return done(null, false);
    this.users
      .findSessionFacts(principal.id)
      .then((user) =>
        done(
          null,
          user?.sessionEpoch === principal.epoch
            ? { id: principal.id, username: user.username, pinsSet: user.room.pinsSet, language: user.language, sessionEpoch: user.sessionEpoch }
            : false,
        ),
      )
      .catch((error: Error) => done(error));
  }
}
