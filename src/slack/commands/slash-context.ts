import type { RespondArguments } from '@slack/bolt';

/** What a subcommand handler gets from the slash-command request, receiver-agnostic. */
export interface SlashContext {
  userId: string;
  channelId: string;
  /** Must be called once, first, within Slack's 3 seconds; the text is shown only to the requester. */
  ack(text?: string): Promise<void>;
  /** Follow-up answer through response_url after the ack (ephemeral unless stated). */
  respond(message: RespondArguments): Promise<void>;
}
