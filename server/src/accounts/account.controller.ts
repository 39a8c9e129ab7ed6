import { Body, Controller, HttpCode, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  changePasswordRequestSchema,
  changePinRequestSchema,
  deleteAccountRequestSchema,
  pinSetupRequestSchema,
  updateProfileRequestSchema,
  ROUTES,
  type AccountView,
  type ChangePasswordRequest,
  type DeleteAccountRequest,
  type UpdateProfileRequest,
} from '@konferenz/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { AllowedBeforePinSetup } from '../common/public.decorator';
import { Route } from '../common/route.decorator';
import { validate, ZodBody } from '../common/validate';
import { AccountService } from './account.service';
import { RegistrationService } from './registration.service';

@Controller()
export class AccountController {
  constructor(
    private readonly accounts: AccountService,
    private readonly registration: RegistrationService,
  ) {}

  @AllowedBeforePinSetup()
  @Route(ROUTES.account)
  async show(@CurrentUser() current: AuthenticatedUser): Promise<AccountView> {
    return this.accounts.view(await this.accounts.find(current.id));
  }

  @AllowedBeforePinSetup()
  @Route(ROUTES.setUpPins)
  @HttpCode(200)
  async setUpPins(@CurrentUser() current: AuthenticatedUser, @Body() body: unknown): Promise<AccountView> {
    const user = await this.accounts.find(current.id);
    return this.accounts.setUpPins(user, validate(pinSetupRequestSchema(user.room.number), body));
  }

  @Route(ROUTES.changeModeratorPin)
  @HttpCode(204)
  async changeModeratorPin(@CurrentUser() current: AuthenticatedUser, @Body() body: unknown): Promise<void> {
    const user = await this.accounts.find(current.id);
    await this.accounts.changeModeratorPin(user, validate(changePinRequestSchema(user.room.number), body).pin);
  }

  @Route(ROUTES.changeParticipantPin)
  async changeParticipantPin(@CurrentUser() current: AuthenticatedUser, @Body() body: unknown): Promise<AccountView> {
    const user = await this.accounts.find(current.id);
    return this.accounts.changeParticipantPin(user, validate(changePinRequestSchema(user.room.number), body).pin);
  }

  @Route(ROUTES.changePassword)
  @HttpCode(204)
  async changePassword(
    @CurrentUser() current: AuthenticatedUser,
    @Body(new ZodBody(changePasswordRequestSchema)) body: ChangePasswordRequest,
    @Req() request: Request,
  ): Promise<void> {
    const sessionEpoch = await this.accounts.changePassword(await this.accounts.find(current.id), body.currentPassword, body.newPassword);
    // Logging in again gives this session a new id and the new epoch, so only it survives the change.
    const user: AuthenticatedUser = { ...current, sessionEpoch };
    await new Promise<void>((resolve, reject) => request.login(user, (error) => (error ? reject(error) : resolve())));
  }

  @Route(ROUTES.updateProfile)
  async updateProfile(
    @CurrentUser() current: AuthenticatedUser,
    @Body(new ZodBody(updateProfileRequestSchema)) body: UpdateProfileRequest,
  ): Promise<AccountView> {
    return this.accounts.updateProfile(await this.accounts.find(current.id), body);
  }

  @Route(ROUTES.resendVerificationEmail)
  @HttpCode(204)
  async resendVerification(@CurrentUser() current: AuthenticatedUser): Promise<void> {
    await this.registration.resendVerification(await this.accounts.find(current.id));
  }

  @Route(ROUTES.deleteAccount)
  @HttpCode(204)
  async delete(
    @CurrentUser() current: AuthenticatedUser,
    @Body(new ZodBody(deleteAccountRequestSchema)) body: DeleteAccountRequest,
    @Req() request: Request,
  ): Promise<void> {
    await this.accounts.delete(await this.accounts.find(current.id), body.password);
    await new Promise<void>((resolve) => request.session.destroy(() => resolve()));
  }
}
