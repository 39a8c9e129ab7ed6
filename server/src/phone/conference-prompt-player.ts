import type { PromptKey } from './ivr-state-machine';
import { PromptPlayer } from './prompt-player';

/**
 * A PromptPlayer that tells when it starts and stops speaking, so the conference mix to the
 * caller pauses for a prompt ("you are muted") on the same RtpSession and resumes after it.
 */
export class ConferencePromptPlayer extends PromptPlayer {
  onPlayingChanged: (playing: boolean) => void = () => undefined;

  constructor(...args: ConstructorParameters<typeof PromptPlayer>) {
    super(...args);
    this.on('finished', () => this.onPlayingChanged(false));
  }

  override play(prompts: PromptKey[], options: { loop?: boolean } = {}): void {
    super.play(prompts, options);
    this.onPlayingChanged(this.playing);
  }

  override stop(): void {
    super.stop();
    this.onPlayingChanged(false);
  }
}
