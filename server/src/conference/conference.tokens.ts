import type { FactoryProvider } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { JoinTokens } from './join-token';

export const JOIN_TOKENS = Symbol('JOIN_TOKENS');

export const joinTokensProvider: FactoryProvider<JoinTokens> = {
  provide: JOIN_TOKENS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new JoinTokens(config.secrets.session, config.conference.tokenTtlMs),
};
