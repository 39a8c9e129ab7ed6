import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'konferenz:public';
/** Routes are private by default (global SessionGuard); this opens one to anonymous callers. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const ALLOWED_BEFORE_PIN_SETUP = 'konferenz:allowedBeforePinSetup';
/** The few customer routes that work while the first-login PIN setup is still pending. */
export const AllowedBeforePinSetup = () => SetMetadata(ALLOWED_BEFORE_PIN_SETUP, true);
