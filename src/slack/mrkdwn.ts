/** Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** User input quoted back in an answer: escaped, single-line and bounded so it cannot flood. */
export function quoteInput(text: string, max = 40): string {
  const oneLine = text.replace(/[\s`]+/g, ' ').trim();
  const bounded = [...oneLine].length > max ? `${[...oneLine].slice(0, max).join('')}…` : oneLine;
  return `\`${escapeMrkdwn(bounded)}\``;
}
