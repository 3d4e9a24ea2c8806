/**
 * Defence in depth for the "secrets never leave" guarantee: every secret value the bot handles is
 * registered here, and every log line and outgoing Slack text is scrubbed of registered values.
 * Code must still avoid logging secrets; this catches the mistakes.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  /** Values shorter than 8 characters are too likely to match ordinary text to be scrubbed safely. */
  register(...values: (string | undefined)[]): void {
    for (const value of values) {
      if (value && value.length >= 8) this.secrets.add(value);
    }
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join('[REDACTED]');
    }
    return result;
  }
}
